"""Changes made in the Django admin go to the audit log too (accounts, units, …).

Add `AuditedAdminMixin` first in a ModelAdmin's bases. It hooks the admin's own change-log
calls, so every path is covered: add, change, the separate password form, delete, bulk delete.
Only field names are recorded, never values (passwords stay out of the log).
"""

from __future__ import annotations

import json

from .net import client_ip
from .services import log_action


def _fields(message) -> list[str]:
    """The changed field names from the admin's JSON change message."""
    if isinstance(message, str):
        try:
            message = json.loads(message) if message else []
        except ValueError:
            return []
    names: list[str] = []
    for part in message or []:
        for detail in part.values():
            if isinstance(detail, dict):
                names.extend(str(name) for name in detail.get("fields", []))
    return names


class AuditedAdminMixin:
    def _audit(self, request, obj, verb: str, data: dict) -> None:
        log_action(
            f"{obj._meta.label_lower}.{verb}_in_admin",
            user=request.user,
            obj=obj,
            data=data,
            ip_address=client_ip(request),
        )

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "created", {})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "changed", {"fields": _fields(message)})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "deleted", {})
        return super().log_deletions(request, queryset)

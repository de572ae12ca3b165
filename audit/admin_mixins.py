"""Changes made in the Django admin go to the audit log too, with what changed, old → new.

Add `AuditedAdminMixin` first in a ModelAdmin's bases. It hooks the admin's own change-log
calls, so every path is covered: add, change, the list page's editable columns, the separate
password form, delete, bulk delete. `save_model` notes the changed fields' values before the save
(in words: a unit's name, a choice's label); secret fields (passwords, webhooks) are recorded as
changed without their values. tests/audit/test_admin_audited.py saves every registered model in
the admin and checks an entry was written.
"""

from __future__ import annotations

import json

from .changes import SECRET_FIELDS, change, field_words, snapshot
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


def _model_field_names(obj, names) -> list[str]:
    model_fields = {f.name for f in obj._meta.get_fields() if getattr(f, "concrete", False) or f.many_to_many}
    return [name for name in names if name in model_fields]


def _label(obj, name: str) -> str:
    try:
        return str(obj._meta.get_field(name).verbose_name)
    except Exception:  # already a label, or not a model field
        return {"password": "密码"}.get(name, name)


class AuditedAdminMixin:
    def _audit(self, request, obj, verb: str, data: dict) -> None:
        log_action(
            f"{obj._meta.label_lower}.{verb}_in_admin",
            user=request.user,
            obj=obj,
            data=data,
            ip_address=client_ip(request),
        )

    def save_model(self, request, obj, form, change):
        if change and obj.pk is not None:
            before = type(obj)._default_manager.filter(pk=obj.pk).first()
            names = _model_field_names(obj, form.changed_data)
            obj._audit_before = snapshot(before, names) if before is not None else {}
        super().save_model(request, obj, form, change)

    def _changes(self, obj, message) -> list[dict]:
        before = getattr(obj, "_audit_before", None)
        if before is None:  # the password form: no save_model, only the changed field's name
            return [{"field": _label(obj, name), "secret": True} for name in _fields(message)]
        rows = []
        for name, old in before.items():
            new = field_words(obj, name)  # many-to-many saved by now (log_change runs after save_related)
            label = str(obj._meta.get_field(name).verbose_name)
            if new != old or name in SECRET_FIELDS:
                rows.append(change(label, old, new, secret=name in SECRET_FIELDS))
        return rows

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "created", {})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "changed", {"changes": self._changes(obj, message)})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "deleted", {})
        return super().log_deletions(request, queryset)

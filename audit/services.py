"""The one way to write the audit log: `log_action("tasks.task.changed", user=…, obj=…, data=…)`."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry


def log_action(
    action: str,
    *,
    user: Any = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Record one state change. Call it inside the transaction that makes the change."""
    real_user = user if getattr(user, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        user=real_user,
        username=getattr(real_user, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        data=data or {},
        ip_address=ip_address,
    )

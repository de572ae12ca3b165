"""The one way to write the audit log: `log_action("tasks.task.changed", user=…, obj=…, data=…)`."""

from __future__ import annotations

from typing import Any, Iterable

from django.db import models

from .models import AuditEntry


def object_name(obj: models.Model) -> str:
    """The object as people name it (任务 7.4, 区应急管理局 · 张三(联络员)): the model's `audit_name`
    when it has one, else its str()."""
    return getattr(obj, "audit_name", None) or str(obj)


def _entry(
    action: str,
    *,
    user: Any = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    real_user = user if getattr(user, "is_authenticated", False) else None
    return AuditEntry(
        user=real_user,
        username=getattr(real_user, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=object_name(obj)[:300] if obj is not None else "",
        data=data or {},
        ip_address=ip_address,
    )


def log_action(
    action: str,
    *,
    user: Any = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Record one state change. Call it inside the transaction that makes the change."""
    entry = _entry(action, user=user, obj=obj, data=data, ip_address=ip_address)
    entry.save()
    return entry


def log_actions(
    action: str,
    *,
    user: Any = None,
    items: Iterable[tuple[models.Model, dict[str, Any]]],
    ip_address: str | None = None,
) -> list[AuditEntry]:
    """Record many changes of one kind (e.g. each task of an import) at once: the same entries as
    calling `log_action` per object, written in a few INSERTs instead of one per object."""
    entries = [_entry(action, user=user, obj=obj, data=data, ip_address=ip_address) for obj, data in items]
    return AuditEntry.objects.bulk_create(entries, batch_size=2000)

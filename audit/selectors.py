"""Reads of the audit log for the viewer and its export."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEntry


def audit_entries(
    *,
    username: str = "",
    action: str = "",
    object_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Newest first. The account filter also matches the name tried in a failed login."""
    entries = AuditEntry.objects.select_related("user__unit").order_by("-created_at", "-id")
    if username:
        entries = entries.filter(username=username) | entries.filter(
            action="auth.login_failed", data__username=username
        )
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    tz = timezone.get_current_timezone()
    if date_from:
        entries = entries.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        entries = entries.filter(created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return entries


def audit_filter_choices() -> dict[str, list[str]]:
    """Distinct actions and object types for the filter menus (two small indexed queries)."""
    return {
        "actions": list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()),
        "object_types": list(
            AuditEntry.objects.exclude(object_type="")
            .order_by("object_type")
            .values_list("object_type", flat=True)
            .distinct()
        ),
    }

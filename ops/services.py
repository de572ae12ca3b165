"""Writes of the ops app."""

from __future__ import annotations

from datetime import datetime

from .models import Heartbeat


def heartbeat_record(*, name: str, seen_at: datetime) -> None:
    """Remember that a component was alive at `seen_at` (one row per component, never older)."""
    updated = Heartbeat.objects.filter(name=name, last_seen__lt=seen_at).update(last_seen=seen_at)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"last_seen": seen_at})

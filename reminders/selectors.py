"""Reads for the reminder pages (fixed number of queries whatever the data size)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch

from .facts import units_without_liaison
from .models import Chase, Digest, DigestDelivery, NoticeDelivery, NoticeEvent, Notification, SentReminder

__all__ = [
    "notification_list", "digests_of_day", "units_without_liaison", "undigested_reminders", "chases_of_day",
    "notices_of_day",
]


def notification_list(*, user):
    return (
        Notification.objects.filter(user=user)
        .select_related("digest", "event")
        .prefetch_related(Prefetch("digest__reminders", queryset=SentReminder.objects.order_by("group", "due_on", "id")))
        .order_by("-created_at", "-id")
    )


def digests_of_day(*, day: datetime.date):
    """The digests of a day with who got them, their items and each channel's delivery state."""
    return (
        Digest.objects.filter(day=day)
        .select_related("user", "user__unit")
        .annotate(item_count=Count("reminders"))
        .prefetch_related(
            Prefetch("reminders", queryset=SentReminder.objects.order_by("group", "due_on", "id")),
            Prefetch("deliveries", queryset=DigestDelivery.objects.order_by("channel")),
        )
        .order_by("user__unit__sort_order", "user_id")
    )


def undigested_reminders():
    """Claimed reminders waiting for their recipient's next digest."""
    return SentReminder.objects.filter(digest__isnull=True).select_related("user").order_by("due_on", "user_id")


def chases_of_day(*, day: datetime.date):
    """催报 / 催办 of a day: unit, by whom, and how each channel went."""
    return (
        Chase.objects.filter(day=day)
        .select_related("unit", "sent_by", "event")
        .prefetch_related(
            Prefetch("event__deliveries", queryset=NoticeDelivery.objects.select_related("user").order_by("user_id", "channel"))
        )
        .order_by("created_at", "id")
    )


def notices_of_day(*, day: datetime.date, limit: int = 300):
    """Events told at once on a day (returns, 督办 …), with each recipient's channels."""
    return (
        NoticeEvent.objects.filter(created_at__date=day)
        .exclude(kind="chase")
        .annotate(recipients=Count("notifications", distinct=True))
        .prefetch_related(
            Prefetch("deliveries", queryset=NoticeDelivery.objects.select_related("user").order_by("user_id", "channel"))
        )
        .order_by("-created_at", "-id")[:limit]
    )

"""Celery jobs of the reminders (autodiscovered from `jobs.py`).

- `send_daily_reminders`: run by beat every day (REMINDER_TIME, default 08:30 Asia/Shanghai). It
  recomputes everything from the database, so a day the broker was down is caught up by the
  next run, and it queues a `deliver_digest` per unsent channel after its transaction commits.
- `deliver_notice`: sends one event (a return, a 督办 …) to one person on one channel; queued after
  the transaction that raised the event commits (reminders/notices.py), retried like digests.
- `deliver_digest`: sends one channel of one digest; retried with exponential backoff on failure.
  Sending is claimed in PostgreSQL first, so a redelivered or duplicated job sends nothing twice.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from yinzhou_campaign.queueing import enqueue, enqueue_on_commit

from . import services


@shared_task(name="reminders.send_daily_reminders", acks_late=True)
def send_daily_reminders(today: str | None = None) -> dict:
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    result = services.reminders_run(
        today=day,
        deliver=lambda delivery_id: enqueue_on_commit(deliver_digest, delivery_id),
        deliver_notice=lambda delivery_id: enqueue_on_commit(deliver_notice, delivery_id),
    )
    return {"day": day.isoformat(), "working_day": result.working_day, "claimed": result.claimed,
            "digests": result.digests, "deliveries": len(result.delivery_ids), "notices": result.notices}


@shared_task(
    name="reminders.deliver_digest",
    autoretry_for=(services.DeliveryFailed,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=services.MAX_ATTEMPTS - 1,
    acks_late=True,
)
def deliver_digest(delivery_id: int) -> bool:
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(
    name="reminders.deliver_notice",
    autoretry_for=(services.DeliveryFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=services.MAX_ATTEMPTS - 1,
    acks_late=True,
)
def deliver_notice(delivery_id: int) -> bool:
    """Send one event to one person on one channel (claimed in PostgreSQL first: never twice)."""
    from .notices import notice_delivery_send

    return notice_delivery_send(delivery_id=delivery_id)


@shared_task(name="reminders.deliver_notices", acks_late=True)
def deliver_notices(event_ids: list[int]) -> int:
    """Fan out one `deliver_notice` per unsent delivery of these events (queued once per transaction)."""
    from .notices import notice_deliveries_of

    delivery_ids = notice_deliveries_of(event_ids)
    for delivery_id in delivery_ids:
        enqueue(deliver_notice, delivery_id)
    return len(delivery_ids)

"""Periodic jobs of the ops app."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from celery.signals import before_task_publish
from django.utils import timezone

from .logs import JOBS
from .services import heartbeat_record

logger = logging.getLogger(JOBS)

HEARTBEAT = "ops.jobs.heartbeat"
SCHEDULED_AT_HEADER = "yz_scheduled_at"


@before_task_publish.connect(sender=HEARTBEAT, dispatch_uid="ops.stamp_heartbeat")
def stamp_heartbeat(sender=None, headers=None, **kwargs):
    """Stamp the time the heartbeat was sent (by beat, every minute) into the message."""
    if headers is not None:
        headers.setdefault(SCHEDULED_AT_HEADER, timezone.now().isoformat())


@shared_task(name=HEARTBEAT, bind=True, ignore_result=True, soft_time_limit=30, time_limit=60)  # two writes
def heartbeat(self) -> None:
    """Record "beat" (when it was scheduled) and "worker" (when it ran), for /healthz."""
    ran_at = timezone.now()
    stamped = getattr(self.request, SCHEDULED_AT_HEADER, None) or (self.request.headers or {}).get(
        SCHEDULED_AT_HEADER
    )
    try:
        scheduled_at = datetime.fromisoformat(stamped) if stamped else ran_at
    except (TypeError, ValueError):
        scheduled_at = ran_at
    heartbeat_record(name="beat", seen_at=scheduled_at)
    heartbeat_record(name="worker", seen_at=ran_at)
    logger.info("heartbeat", extra={"job": HEARTBEAT, "delay_ms": round((ran_at - scheduled_at).total_seconds() * 1000)})

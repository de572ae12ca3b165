"""Queue Celery jobs without making a page depend on the broker.

Jobs are queued after the surrounding transaction commits (so the worker sees the rows), with
the short broker timeouts from settings. If Redis is down or hangs, the failure is logged and
swallowed: every job in this project can be found again from the database by its next
scheduled run (reminders scan for what is due, rollups for periods without one), so nothing
is lost — it is only late.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(job, *args: Any, **kwargs: Any) -> bool:
    """Send a job now; False (and a log line) if the broker cannot take it."""
    try:
        job.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # kombu/redis raise many types; none of them may break the caller
        logger.warning("could not queue %s; it will be picked up by the next scheduled run", job.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(job, *args: Any, **kwargs: Any) -> None:
    """Queue a job once the current transaction commits (immediately if there is none)."""
    transaction.on_commit(lambda: enqueue(job, *args, **kwargs))

"""Reads of the ops app: the health of each component, for /healthz."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Heartbeat

# The heartbeat runs every minute; three missed beats mean the component is down.
HEARTBEAT_MAX_AGE_SECONDS = 180


@dataclass
class Health:
    ok: bool
    components: dict[str, dict[str, Any]] = field(default_factory=dict)


def _check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the type name says which
        return {"status": "error", "error": type(exc).__name__}
    return {"status": "ok"}


def _check_redis() -> dict[str, Any]:
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1, retry_on_timeout=False
    )
    try:
        client.ping()
    except Exception as exc:
        return {"status": "error", "error": type(exc).__name__}
    finally:
        client.close()
    return {"status": "ok"}


def _check_heartbeats(database_ok: bool) -> dict[str, dict[str, Any]]:
    names = ("worker", "beat")
    if not database_ok:
        return {name: {"status": "unknown"} for name in names}
    seen = dict(Heartbeat.objects.filter(name__in=names).values_list("name", "last_seen"))
    now = timezone.now()
    result = {}
    for name in names:
        if name not in seen:
            result[name] = {"status": "unknown", "last_seen": None, "age_seconds": None}
            continue
        age = max(0, round((now - seen[name]).total_seconds()))
        result[name] = {
            "status": "ok" if age <= HEARTBEAT_MAX_AGE_SECONDS else "stale",
            "last_seen": seen[name].isoformat(),
            "age_seconds": age,
        }
    return result


def health_check() -> Health:
    """Database (SELECT 1), Redis (PING, 1 s timeout), worker and beat (last heartbeat).

    Only the database decides `ok`: without Redis or Celery pages still work, jobs are late.
    """
    database = _check_database()
    components = {"database": database, "redis": _check_redis()}
    components.update(_check_heartbeats(database["status"] == "ok"))
    return Health(ok=database["status"] == "ok", components=components)

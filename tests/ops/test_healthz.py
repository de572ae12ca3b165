from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ops.services import heartbeat_record

from .faults import dead_port

pytestmark = pytest.mark.django_db


def test_healthz_needs_no_login_and_reports_every_component(client):
    now = timezone.now()
    heartbeat_record(name="worker", seen_at=now - timedelta(seconds=30))
    heartbeat_record(name="beat", seen_at=now - timedelta(minutes=10))
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    components = body["components"]
    assert components["database"]["status"] == "ok"
    assert components["redis"]["status"] == "ok"
    assert components["worker"]["status"] == "ok"
    assert 29 <= components["worker"]["age_seconds"] <= 60
    assert components["beat"]["status"] == "stale"
    assert components["beat"]["age_seconds"] >= 600


def test_healthz_without_heartbeats_says_unknown(client):
    body = client.get(reverse("healthz")).json()
    assert body["components"]["worker"] == {"status": "unknown", "last_seen": None, "age_seconds": None}


def test_healthz_stays_200_with_redis_down_and_says_so(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{dead_port()}/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["components"]["redis"]["status"] == "error"


def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["components"]["database"] == {"status": "error", "error": "OperationalError"}
    assert body["components"]["worker"]["status"] == "unknown"


def test_a_heartbeat_never_moves_backwards(db):
    now = timezone.now()
    heartbeat_record(name="worker", seen_at=now)
    heartbeat_record(name="worker", seen_at=now - timedelta(minutes=5))
    from ops.models import Heartbeat

    assert Heartbeat.objects.get(name="worker").last_seen == now

import time
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ops.jobs import SCHEDULED_AT_HEADER, heartbeat
from ops.models import Heartbeat


def wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_beat_runs_the_heartbeat_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["ops-heartbeat"]
    assert entry["task"] == "ops.jobs.heartbeat"
    assert entry["schedule"] == 60.0


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_records_when_the_beat_was_sent_and_when_it_ran(celery_worker, client):
    sent_at = timezone.now() - timedelta(seconds=40)  # as if beat sent it 40 s ago
    heartbeat.apply_async(headers={SCHEDULED_AT_HEADER: sent_at.isoformat()})
    assert wait_for(lambda: Heartbeat.objects.filter(name__in=["beat", "worker"]).count() == 2)
    seen = dict(Heartbeat.objects.values_list("name", "last_seen"))
    assert seen["beat"] == sent_at
    assert timezone.now() - seen["worker"] < timedelta(seconds=15)
    body = client.get(reverse("healthz")).json()
    assert body["components"]["worker"]["status"] == "ok"
    assert body["components"]["beat"]["age_seconds"] >= 40


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_sent_without_a_stamp_gets_one_when_published(celery_worker):
    before = timezone.now()
    heartbeat.delay()
    assert wait_for(lambda: Heartbeat.objects.filter(name="beat").exists())
    beat = Heartbeat.objects.get(name="beat").last_seen
    assert before <= beat <= Heartbeat.objects.get(name="worker").last_seen
    assert isinstance(beat, datetime)

"""Redis stopped or hanging: pages answer, queueing gives up quickly, nothing depends on the broker."""

import time

import pytest
from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from yinzhou_campaign.queueing import enqueue

from .faults import dead_port, hanging_server

pytestmark = pytest.mark.django_db


@shared_task(name="tests.ops.noop")
def noop():
    return None


def timed(fn, *args, **kwargs):
    started = time.monotonic()
    result = fn(*args, **kwargs)
    return result, time.monotonic() - started


def test_enqueue_returns_false_at_once_when_redis_is_stopped(broker_at):
    broker_at(f"redis://127.0.0.1:{dead_port()}/0")
    queued, seconds = timed(enqueue, noop)
    assert queued is False
    assert seconds < 1.5


def test_enqueue_returns_false_within_3_seconds_when_redis_hangs(broker_at):
    with hanging_server() as (port, accepted):
        broker_at(f"redis://127.0.0.1:{port}/0")
        queued, seconds = timed(enqueue, noop)
        assert accepted, "the client did reach the hanging server"
    assert queued is False
    assert seconds < 3


def test_delay_against_a_hanging_redis_raises_within_3_seconds_instead_of_blocking(broker_at):
    with hanging_server() as (port, _):
        broker_at(f"redis://127.0.0.1:{port}/0")
        started = time.monotonic()
        with pytest.raises(Exception):
            noop.delay()
        assert time.monotonic() - started < 3


def test_enqueue_works_when_redis_answers(broker_at):
    broker_at(settings.CELERY_BROKER_URL)
    assert enqueue(noop) is True


def test_pages_answer_within_3_seconds_while_redis_hangs(client, liaison, broker_at, settings):
    with hanging_server() as (port, _):
        url = f"redis://127.0.0.1:{port}/0"
        settings.CELERY_BROKER_URL = url
        broker_at(url)
        client.force_login(liaison)
        for page in [reverse("reports:task_list"), reverse("healthz")]:
            response, seconds = timed(client.get, page)
            assert response.status_code == 200
            assert seconds < 3
        assert response.json()["components"]["redis"]["status"] == "error"


def test_sessions_live_in_the_database_not_in_redis(client, liaison):
    from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
    from django.utils.module_loading import import_string

    assert issubclass(import_string(settings.SESSION_ENGINE + ".SessionStore"), DatabaseSessionStore)
    client.force_login(liaison)
    assert Session.objects.filter(session_key=client.session.session_key).exists()

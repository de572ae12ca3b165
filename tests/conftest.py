"""Shared fixtures: the seeded annex and a few named users (office, lead liaison, outsider, viewer)."""

from __future__ import annotations

import pytest
from celery.contrib.pytest import (  # noqa: F401 (fixtures)
    celery_class_tasks,
    celery_includes,
    celery_session_worker,
    celery_worker_pool,
)

from departments.models import Role, Unit
from departments.services import account_create
from tasks.seeding import campaign_seed_from_annex

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: it lives in Redis, which outlasts tests and runs."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def campaign(db):
    """The 2024 plan's campaign, seeded from the annex (72 tasks)."""
    return campaign_seed_from_annex().campaign


def make_user(username: str, unit_name: str, role: str):
    return account_create(username=username, unit_name=unit_name, role=role, password=PASSWORD)


@pytest.fixture
def office_user(campaign):
    return make_user("office", "区安委办", Role.OFFICE)


@pytest.fixture
def liaison(campaign):
    """A liaison of 区应急管理局, lead unit of many tasks (e.g. 5.6, 5.7, 7.5)."""
    return make_user("yjj", "区应急管理局", Role.LIAISON)


@pytest.fixture
def other_liaison(campaign):
    """A liaison of 区农业农村局, lead of 8.2 only; not assigned to 7.5."""
    return make_user("nyncj", "区农业农村局", Role.LIAISON)


@pytest.fixture
def viewer(campaign):
    return make_user("leader", "区安委办", Role.VIEWER)


@pytest.fixture
def designate(campaign):
    """designate("5.6", "区农业农村局"): the office names the unit as a relevant member of the task's
    "相关成员单位" group (tasks.duties: until then no member owes it), from now on."""
    from tasks.models import Task
    from tasks.services import group_member_designate

    def go(key: str, unit_name: str, *, reports: bool = False):
        office = Unit.objects.get(name="区安委办").users.filter(role=Role.OFFICE).first() or make_user(
            "designating-office", "区安委办", Role.OFFICE
        )
        task = Task.objects.get(campaign=campaign, key=key)
        group = task.assignments.get(unit__kind="group", unit__member_duty="relevant")
        if reports and not group.reports:
            from tasks.services import assignment_reports_set

            assignment_reports_set(user=office, assignment=group, reports=True, reason="测试:报送配合情况")
        return group_member_designate(
            user=office, task=task, group=group.unit, unit=Unit.objects.get(name=unit_name), reason="测试:按职责明确"
        )

    return go


@pytest.fixture
def unit(db):
    def get(name: str) -> Unit:
        return Unit.objects.get(name=name)

    return get


# --- A real Celery worker on the test Redis db ------------------------------------------------
# One worker for the whole session, shared by every test that needs one: starting and stopping a
# worker per test closes the app's producer pool ("Acquire on closed pool") for later tests.
# Tests that use it need @pytest.mark.django_db(transaction=True) so the worker sees their rows.


@pytest.fixture(scope="session")
def celery_session_app():
    """The project's own Celery app (Redis broker from settings), not a test app."""
    import celery.contrib.testing.tasks  # noqa: F401 (registers celery.ping, which start_worker expects)

    from yinzhou_campaign.celery import app

    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier run on this Redis db
    return app


@pytest.fixture(scope="session")
def celery_worker_parameters():
    # No result backend in this project, so the worker's start-up ping cannot be answered.
    return {"perform_ping_check": False, "shutdown_timeout": 10, "loglevel": "WARNING"}


@pytest.fixture
def celery_worker(celery_session_worker):
    """The session's worker, for one test."""
    return celery_session_worker


@pytest.fixture
def broker_at():
    """Point the Celery producer at another Redis URL for one test, then back (fresh pools each way).

    Never close the app's pool instead: the session's worker and later tests share it.
    """
    from yinzhou_campaign.celery import app

    original = app.conf.broker_url

    def point(url):
        # kombu keeps one pool per broker URL (kombu.pools); drop only the app's references.
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    yield point
    point(original)


# The stand-in OIDC provider (issue 21): one process for the whole run, used by tests/sso and tests/e2e.
from tests.sso.provider import oidc_provider, oidc_settings  # noqa: E402,F401 (fixtures)

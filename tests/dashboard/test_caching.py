"""The all-campaigns overview is built ahead and kept in the shared cache (dashboard.caching):
served as it is while the data is unchanged, served marked "refreshing" while the worker
rebuilds it after a change, computed by the view when there is none (or it is too old)."""

import threading

import pytest
from celery import signals
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from dashboard.caching import data_fingerprint, overview_key, overview_lock_key
from dashboard.jobs import refresh_overview
from dashboard.selectors import dashboard_scope
from reports.models import ProgressStatus, ReportState, ReviewDecision
from reports.periods import period_get
from reports.services import ReportInput, report_review, report_save
from tasks.models import AssignmentRole, Task
from tests.conftest import PASSWORD

from .conftest import TODAY

pytestmark = pytest.mark.django_db

API = "/api/v1/dashboard/"
ALL = {"campaign": "all", "period": "2026Q4"}


def submit_report(liaison, campaign):
    task = Task.objects.get(campaign=campaign, key="5.6")
    assert task.assignments.filter(role=AssignmentRole.LEAD, unit=liaison.unit).exists()
    return report_save(
        user=liaison, task=task, period=period_get(campaign, "2026Q4"), submit=True,
        data=ReportInput(status=ProgressStatus.COMPLETED, percent=100, progress="已全面完成"),
    )


def test_a_repeated_all_campaigns_request_is_served_from_the_cache(client, office_user, campaign, frozen_today):
    client.force_login(office_user)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(API, ALL).json()
    with CaptureQueriesContext(connection) as warm:
        second = client.get(API, ALL).json()
    assert second == first and first["refreshing"] is False
    assert len(warm) < len(cold) - 5  # the figures' queries are not run again
    assert not any("task_fact" in q["sql"] for q in warm.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_after_a_change_the_last_figures_are_shown_while_a_real_worker_rebuilds_them(
    client, office_user, liaison, campaign, frozen_today, celery_worker
):
    rebuilt = threading.Event()

    def finished(sender=None, **kwargs):
        if sender is not None and sender.name == "dashboard.jobs.refresh_overview":
            rebuilt.set()

    client.force_login(office_user)
    before = client.get(API, ALL).json()
    submit_report(liaison, campaign)
    signals.task_postrun.connect(finished, weak=False)
    try:
        with CaptureQueriesContext(connection) as stale_queries:
            stale = client.get(API, ALL).json()
        # The last figures, marked as being rebuilt; the view did not compute them.
        assert stale["refreshing"] is True
        assert stale["reports"] == before["reports"] and stale["generated_at"] == before["generated_at"]
        assert not any("task_fact" in q["sql"] for q in stale_queries.captured_queries)
        page = client.get("/dashboard/", ALL).content.decode()
        assert "最新数据正在后台生成" in page
        assert rebuilt.wait(timeout=60)
    finally:
        signals.task_postrun.disconnect(finished)
    fresh = client.get(API, ALL).json()
    assert fresh["refreshing"] is False
    assert fresh["reports"]["submitted"] == before["reports"]["submitted"] + 1
    assert fresh["reports"]["awaiting"] == before["reports"]["awaiting"] + 1
    assert "最新数据正在后台生成" not in client.get("/dashboard/", ALL).content.decode()


def test_with_no_stale_window_a_change_shows_at_once(client, office_user, liaison, campaign, frozen_today, settings):
    """DASHBOARD_STALE_SECONDS bounds how old the figures shown may be: past it the view computes."""
    settings.DASHBOARD_STALE_SECONDS = 0
    client.force_login(office_user)
    before = client.get(API, ALL).json()
    report = submit_report(liaison, campaign)
    submitted = client.get(API, ALL).json()
    assert submitted["refreshing"] is False
    assert submitted["reports"]["submitted"] == before["reports"]["submitted"] + 1

    report_review(user=office_user, report=report, decision=ReviewDecision.APPROVE)
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    approved = client.get(API, ALL).json()
    assert approved["reports"]["approved"] == before["reports"]["approved"] + 1
    assert approved["tasks"]["completed"] == before["tasks"]["completed"] + 1


def test_the_rebuild_job_builds_only_when_the_data_or_the_date_changed(office_user, liaison, campaign, frozen_today):
    scope = dashboard_scope(campaign_param="all", period_param="2026Q4", today=TODAY.date())
    assert refresh_overview("2026Q4") is True  # nothing stored yet
    assert refresh_overview("2026Q4") is False  # current: nothing to do
    entry = cache.get(overview_key(scope))
    assert entry["fingerprint"] == data_fingerprint() and entry["today"] == "2026-11-29"
    submit_report(liaison, campaign)
    assert refresh_overview("2026Q4") is True
    assert cache.get(overview_key(scope))["data"]["reports"]["awaiting"] == entry["data"]["reports"]["awaiting"] + 1
    frozen_today.shift(24 * 3600)  # a new day: overdue and due-soon states move on their own
    assert refresh_overview("2026Q4") is True
    assert cache.get(overview_key(scope))["today"] == "2026-11-30"


def test_the_beat_rebuilds_the_overview_of_the_default_period(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-refresh-overview"]
    assert entry["task"] == "dashboard.jobs.refresh_overview"
    assert entry["schedule"] == settings.DASHBOARD_REFRESH_SECONDS == 300
    assert refresh_overview() is False  # no active campaign: nothing to build, no error


def test_a_broker_that_is_down_still_shows_the_last_figures(
    client, office_user, liaison, campaign, frozen_today, broker_at
):
    client.force_login(office_user)
    before = client.get(API, ALL).json()
    submit_report(liaison, campaign)
    broker_at("redis://127.0.0.1:1/0")  # nothing listens there
    stale = client.get(API, ALL)
    assert stale.status_code == 200 and stale.json()["refreshing"] is True
    assert stale.json()["reports"] == before["reports"]
    # The lock stays until it expires: the next views don't each wait out the broker's timeout.
    scope = dashboard_scope(campaign_param="all", period_param="2026Q4", today=TODAY.date())
    assert cache.get(overview_lock_key(scope)) == 1
    assert client.get(API, ALL).json()["refreshing"] is True


def test_after_a_quiet_spell_a_change_still_shows_the_last_figures(
    client, office_user, liaison, campaign, frozen_today, settings
):
    """The stale window counts from when the rebuild job last found the figures current, not
    from when they were computed: beat's check keeps an unchanged overview servable."""
    client.force_login(office_user)
    before = client.get(API, ALL).json()
    frozen_today.shift(settings.DASHBOARD_STALE_SECONDS + 60)  # half an hour without changes …
    assert refresh_overview("2026Q4") is False  # … during which beat found it current
    submit_report(liaison, campaign)
    with CaptureQueriesContext(connection) as queries:
        stale = client.get(API, ALL).json()
    assert stale["refreshing"] is True and stale["reports"] == before["reports"]
    assert not any("task_fact" in q["sql"] for q in queries.captured_queries)


def test_a_cache_that_is_down_still_gives_the_figures(client, office_user, campaign, frozen_today, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client.force_login(office_user)
    response = client.get(API, ALL)
    assert response.status_code == 200
    assert response.json()["tasks"]["total"] == 72 and response.json()["refreshing"] is False


def test_the_fingerprint_changes_with_a_row_written_outside_the_services(campaign, office_user):
    before = data_fingerprint()
    Task.objects.filter(campaign=campaign, key="5.6").update(content="改过的内容")  # an UPDATE: not seen
    assert data_fingerprint() == before
    from reports.models import Supervision, SupervisionLevel

    Supervision.objects.create(
        task=Task.objects.get(campaign=campaign, key="7.2"), level=SupervisionLevel.SUPERVISE,
        instruction="加快", respond_by="2026-12-10", opened_by=office_user,
    )
    assert data_fingerprint() != before


def test_signing_in_does_not_change_the_fingerprint(client, office_user, campaign):
    before = data_fingerprint()
    assert client.login(username=office_user.username, password=PASSWORD)
    assert AuditEntry.objects.filter(action="auth.login").exists()
    assert data_fingerprint() == before

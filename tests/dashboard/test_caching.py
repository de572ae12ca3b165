"""The all-campaigns overview is cached, and any change to what it reads gives fresh figures."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from dashboard.caching import data_fingerprint
from reports.models import ProgressStatus, ReportState, ReviewDecision
from reports.periods import period_get
from reports.services import ReportInput, report_review, report_save
from tasks.models import AssignmentRole, Task
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

API = "/api/v1/dashboard/"
ALL = {"campaign": "all", "period": "2026Q4"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_repeated_all_campaigns_request_is_served_from_the_cache(client, office_user, campaign, frozen_today):
    client.force_login(office_user)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(API, ALL).json()
    with CaptureQueriesContext(connection) as warm:
        second = client.get(API, ALL).json()
    assert second == first
    assert len(warm) < len(cold) - 5  # the figures' queries are not run again
    assert not any("task_fact" in q["sql"] for q in warm.captured_queries)


def test_a_report_submitted_and_approved_shows_at_once(client, office_user, liaison, campaign, frozen_today):
    client.force_login(office_user)
    before = client.get(API, ALL).json()
    task = Task.objects.get(campaign=campaign, key="5.6")
    assert task.assignments.filter(role=AssignmentRole.LEAD, unit=liaison.unit).exists()
    period = period_get(campaign, "2026Q4")

    report = report_save(
        user=liaison, task=task, period=period, submit=True,
        data=ReportInput(status=ProgressStatus.COMPLETED, percent=100, progress="已全面完成"),
    )
    submitted = client.get(API, ALL).json()
    assert submitted["reports"]["submitted"] == before["reports"]["submitted"] + 1
    assert submitted["reports"]["awaiting"] == before["reports"]["awaiting"] + 1

    report_review(user=office_user, report=report, decision=ReviewDecision.APPROVE)
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    approved = client.get(API, ALL).json()
    assert approved["reports"]["approved"] == before["reports"]["approved"] + 1
    assert approved["tasks"]["completed"] == before["tasks"]["completed"] + 1


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

"""Periods close on purpose: a rollup never closes its period; before the deadline it is a preview;
the daily job builds the final one after the deadline; the office closes a period on a confirmation
page that shows what would be locked, and can reopen a whole period with a reason (audited)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEntry
from dashboard.jobs import build_due_rollups
from dashboard.models import Rollup
from dashboard.services import rollup_build
from departments.models import Role
from reports.governance import services as governance
from reports.governance.services import GovernanceConflict
from reports.models import PeriodReopening, ProgressReport, ReportingPeriod, ReportState
from reports.periods import period_get
from reports.services import ReportInput, ReportLocked, report_save
from tasks.models import Task

from ..conftest import make_user
from .conftest import SHANGHAI


def report_on(liaison, campaign, key, code):
    return report_save(
        user=liaison, task=Task.objects.get(campaign=campaign, key=key), period=period_get(campaign, code),
        data=ReportInput(status="in_progress", progress="按计划推进", percent=30), submit=True,
    )


@pytest.mark.django_db
def test_the_current_quarters_rollup_is_a_preview_and_leaves_it_open(campaign, liaison, frozen_today):
    rollup, _ = rollup_build(campaign=campaign, period_code="2026Q4")  # due 2027-01-05; today 2026-11-29
    period = period_get(campaign, "2026Q4")
    assert rollup.preview and period.closed_at is None
    assert "预览" in str(rollup) and "季度季度" not in rollup.xlsx.name
    assert not AuditEntry.objects.filter(action="reports.period.closed").exists()
    # Liaisons keep reporting for the quarter (this was a 409 once the rollup closed it).
    assert report_on(liaison, campaign, "5.6", "2026Q4").state == ReportState.SUBMITTED


@pytest.mark.django_db
def test_a_rollup_after_the_deadline_is_final_but_still_leaves_the_period_open(small, office_user):
    rollup, _ = rollup_build(campaign=small["campaign"], period_code="2026Q3", user=office_user)  # due 2026-10-05
    assert not rollup.preview
    assert ReportingPeriod.objects.get(pk=small["q3"].pk).closed_at is None


@pytest.mark.django_db
def test_the_daily_job_builds_the_final_rollup_after_a_preview(small):
    with time_machine.travel(datetime.datetime(2026, 10, 3, 9, tzinfo=SHANGHAI), tick=False):
        preview, _ = rollup_build(campaign=small["campaign"], period_code="2026Q3")
    assert preview.preview
    with time_machine.travel(datetime.datetime(2026, 10, 6, 6, 30, tzinfo=SHANGHAI), tick=False):
        built = build_due_rollups()
        final = Rollup.objects.get(period=small["q3"], preview=False)
        assert final.pk in built and final.version == 2 and final.scheduled
        assert build_due_rollups() == []  # once
    assert ReportingPeriod.objects.get(pk=small["q3"].pk).closed_at is None


@pytest.fixture
def q3_to_close(small, office_user):
    """2026Q3 of the small campaign: 甲局's T4 awaiting review and T1 returned; 乙局 keeps a draft of T7."""
    ProgressReport.objects.filter(task=small["tasks"][0], period=small["q3"]).update(state=ReportState.RETURNED)
    ProgressReport.objects.create(
        task=small["tasks"][6], unit=small["b"], period=small["q3"], role="lead", state=ReportState.DRAFT,
        progress="草稿", created_by=office_user, updated_by=office_user,
    )
    return small["q3"]


@pytest.mark.django_db
def test_the_close_page_shows_what_would_be_locked_and_closing_needs_the_office(
    client, small, office_user, viewer, q3_to_close
):
    url = f"/governance/periods/{q3_to_close.pk}/close/"
    jia = make_user("jia", "测试甲局", Role.LIAISON)
    for user in (jia, viewer):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    assert ReportingPeriod.objects.get(pk=q3_to_close.pk).closed_at is None

    client.force_login(office_user)
    page = client.get(url)
    assert page.status_code == 200
    lines = {line["key"]: line for line in page.context["summary"]}
    assert (lines["returned"]["count"], [u["name"] for u in lines["returned"]["units"]]) == (1, ["测试甲局"])
    assert (lines["draft"]["count"], [u["name"] for u in lines["draft"]["units"]]) == (1, ["测试乙局"])
    assert (lines["submitted"]["count"], [u["name"] for u in lines["submitted"]["units"]]) == (1, ["测试甲局"])
    assert lines["missing"]["count"] == 1 and lines["missing"]["units"][0]["name"] == "测试乙局"
    html = page.content.decode()
    assert "被退回、尚未重新报送" in html and "测试乙局(1份)" in html and "确认关闭2026年第三季度" in html
    assert ReportingPeriod.objects.get(pk=q3_to_close.pk).closed_at is None  # looking closes nothing

    client.post(url)
    period = ReportingPeriod.objects.get(pk=q3_to_close.pk)
    assert period.closed_at is not None and period.closed_by == office_user
    assert AuditEntry.objects.filter(action="reports.period.closed").count() == 1


@pytest.mark.django_db
def test_the_office_reopens_a_whole_period_with_a_reason(client, small, office_user, viewer):
    period = governance.period_close(user=office_user, period=small["q3"])
    closed_at = period.closed_at
    url = f"/governance/periods/{period.pk}/reopen/"
    client.force_login(viewer)
    assert client.post(url, {"reason": "补报"}).status_code == 403
    client.force_login(office_user)
    assert client.post(url, {"reason": " "}).status_code == 400  # a reason is required
    assert ReportingPeriod.objects.get(pk=period.pk).closed_at == closed_at

    client.post(url, {"reason": "乙局补报第7项"})
    period.refresh_from_db()
    assert period.closed_at is None and period.closed_by is None
    reopening = PeriodReopening.objects.get(period=period)
    assert (reopening.reason, reopening.closed_at, reopening.reopened_by) == ("乙局补报第7项", closed_at, office_user)
    entry = AuditEntry.objects.get(action="reports.period.reopened")
    assert entry.data["reason"] == "乙局补报第7项"
    with pytest.raises(GovernanceConflict):
        governance.period_reopen(user=office_user, period=period, reason="再次")
    # Closed again later, as any open period.
    assert governance.period_close(user=office_user, period=period).closed_at > timezone.now() - datetime.timedelta(minutes=1)


@pytest.mark.django_db
def test_a_reopened_period_takes_reports_again(campaign, office_user, liaison):
    period = governance.period_close(user=office_user, period=period_get(campaign, "2026Q4"))
    with pytest.raises(ReportLocked):
        report_on(liaison, campaign, "5.6", "2026Q4")
    governance.period_reopen(user=office_user, period=period, reason="截止前误关闭")
    assert report_on(liaison, campaign, "5.6", "2026Q4").state == ReportState.SUBMITTED


@pytest.mark.django_db
def test_the_periods_page_offers_close_and_reopen_to_the_office_only(client, small, office_user, viewer):
    governance.period_close(user=office_user, period=small["q3"])
    url = f"/governance/periods/?campaign={small['campaign'].pk}"
    client.force_login(office_user)
    html = client.get(url).content.decode()
    assert f"/governance/periods/{small['q4'].pk}/close/" in html  # open: 关闭…
    assert f"/governance/periods/{small['q3'].pk}/reopen/" in html  # closed: 重新开放…
    assert f"/governance/periods/{small['q3'].pk}/close/" not in html
    client.force_login(viewer)
    html = client.get(url).content.decode()
    assert "/close/" not in html and "/reopen/" not in html


@pytest.mark.django_db
def test_the_admin_shows_a_periods_reopenings(client, small, office_user, django_user_model):
    period = governance.period_close(user=office_user, period=small["q3"])
    governance.period_reopen(user=office_user, period=period, reason="补报第7项")
    admin = django_user_model.objects.create_superuser("it-admin", "it@example.cn", "pw-it-admin-2026")
    client.force_login(admin)
    page = client.get(f"/admin/reports/reportingperiod/{period.pk}/change/")
    assert page.status_code == 200 and "补报第7项" in page.content.decode()

"""系统管理 · 行动设置: dates, cadence and due days, guarded so no report is stranded."""

import datetime

import pytest
from django.urls import reverse

from audit.display import present
from audit.models import AuditEntry
from reports.models import ReportingPeriod
from reports.periods import period_get, periods_ensure
from tests.reports.pages_helpers import write_report
from tasks.models import Campaign, Task

pytestmark = pytest.mark.django_db


def _form(campaign, **changes):
    data = {"start_date": campaign.start_date.isoformat(), "end_date": campaign.end_date.isoformat(),
            "report_cadence": campaign.report_cadence, "report_due_days": campaign.report_due_days, "is_active": "on"}
    data.update(changes)
    return data


def test_the_office_lengthens_the_campaign_and_the_new_periods_appear(client, office_user, campaign):
    periods_ensure(campaign)
    client.force_login(office_user)
    url = reverse("reports:campaign_settings", args=[campaign.pk])
    assert client.post(url, _form(campaign, end_date="2027-06-30")).status_code == 302
    campaign.refresh_from_db()
    assert campaign.end_date == datetime.date(2027, 6, 30)
    assert period_get(campaign, "2027Q2") is not None
    row = present(AuditEntry.objects.get(action="tasks.campaign.changed"))
    assert row.action == "修改行动设置" and f"结束日期:2026-12-31 → 2027-06-30" in row.details


def test_new_due_days_apply_to_periods_not_yet_due(client, office_user, campaign):
    periods_ensure(campaign)
    q4, q3 = period_get(campaign, "2026Q4"), period_get(campaign, "2026Q3")
    client.force_login(office_user)
    client.post(reverse("reports:campaign_settings", args=[campaign.pk]), _form(campaign, report_due_days="10"))
    q4.refresh_from_db()
    assert q4.due_date == datetime.date(2027, 1, 10)
    assert ReportingPeriod.objects.get(pk=q3.pk).due_date == q3.due_date  # already past: unchanged


def test_the_cadence_cannot_change_once_there_are_reports(client, office_user, liaison, campaign):
    periods_ensure(campaign)
    write_report(liaison, Task.objects.get(campaign=campaign, key="5.6"))
    client.force_login(office_user)
    before = list(ReportingPeriod.objects.values_list("pk", "code", "due_date"))
    response = client.post(reverse("reports:campaign_settings", args=[campaign.pk]), _form(campaign, report_cadence="monthly"))
    assert response.status_code == 200
    assert "不能再改报送周期" in " ".join(response.context["form"].errors["report_cadence"])
    assert list(ReportingPeriod.objects.values_list("pk", "code", "due_date")) == before
    assert Campaign.objects.get(pk=campaign.pk).report_cadence == "quarterly"


def test_dates_that_would_leave_out_a_period_with_reports_are_refused(client, office_user, liaison, campaign):
    periods_ensure(campaign)
    write_report(liaison, Task.objects.get(campaign=campaign, key="5.6"))
    client.force_login(office_user)
    response = client.post(reverse("reports:campaign_settings", args=[campaign.pk]), _form(campaign, end_date="2026-06-30"))
    assert response.status_code == 200 and "已有进展报送" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).end_date == datetime.date(2026, 12, 31)


@pytest.mark.parametrize("changes, field, message", [
    ({"end_date": "2023-01-01"}, "end_date", "不能早于开始日期"),
    ({"report_due_days": "-1"}, "report_due_days", "不能为负数"),
    ({"report_due_days": "abc"}, "report_due_days", "整数"),
    ({"start_date": "明天"}, "start_date", "日期格式"),
])
def test_bad_settings_are_refused_in_chinese(client, office_user, campaign, changes, field, message):
    client.force_login(office_user)
    response = client.post(reverse("reports:campaign_settings", args=[campaign.pk]), _form(campaign, **changes))
    assert response.status_code == 200 and message in " ".join(response.context["form"].errors[field])
    assert not AuditEntry.objects.filter(action="tasks.campaign.changed").exists()

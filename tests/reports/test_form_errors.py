"""Forms list every error in one submit, keep what was typed, and mark the fields in error."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import ExtensionRequest, ProgressReport
from tests.reports.pages_helpers import form_payload, task_named

from .governance_support import task  # noqa: F401

pytestmark = pytest.mark.django_db


def invalid_fields(html: str) -> list[str]:
    """The names of the inputs Django marked aria-invalid, in page order."""
    return re.findall(r'<(?:input|textarea|select)[^>]*?name="(\w+)"[^>]*?aria-invalid="true"', html) + re.findall(
        r'<(?:input|textarea|select)[^>]*?aria-invalid="true"[^>]*?name="(\w+)"', html
    )


def test_an_empty_submit_lists_progress_and_percent_at_once(client, liaison, campaign):
    client.force_login(liaison)
    url = task_named(campaign, "5.6").report_url
    response = client.post(url, form_payload(progress="", percent="", problems="资金紧张"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写工作进展。" in html and "请填写完成进度(0–100)。" in html
    assert "请修改以下 2 处后再提交" in html
    assert set(invalid_fields(html)) == {"percent", "progress"}
    assert "资金紧张" in html  # what was typed stays
    assert not ProgressReport.objects.exists()


def test_a_status_percent_mismatch_comes_with_the_missing_progress(client, liaison, campaign):
    client.force_login(liaison)
    url = task_named(campaign, "5.6").report_url
    html = client.post(url, form_payload(status="completed", percent="80", progress="")).content.decode()
    assert "完成进度应为 100%" in html and "请填写工作进展。" in html
    assert 'value="80"' in html


def test_a_draft_may_leave_the_percent_empty_but_not_the_progress(client, liaison, campaign):
    client.force_login(liaison)
    url = task_named(campaign, "5.6").report_url
    html = client.post(url, form_payload(progress="", percent="", action="draft")).content.decode()
    assert "请填写工作进展。" in html and "请填写完成进度" not in html


def test_rejecting_an_extension_without_a_reason_comes_with_the_bad_date(office_user, liaison, task):  # noqa: F811
    lead = Client()
    lead.force_login(liaison)
    lead.post(reverse("governance:extension_request", args=[task.campaign_id, task.key]),
              {"requested_date": "2026-12-20", "reason": "资金未到位"})
    extension = ExtensionRequest.objects.get()
    office = Client()
    office.force_login(office_user)
    response = office.post(reverse("governance:extension_decide", args=[extension.pk]),
                           {"decision": "reject", "approved_date": "明年", "comment": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请输入正确的日期" in html and "不予批准时请填写理由。" in html
    assert "请修改以下 2 处后再提交" in html
    extension.refresh_from_db()
    assert extension.state == "pending"


def test_an_extension_past_the_campaigns_end_asks_for_confirmation(office_user, liaison, task):  # noqa: F811
    end = task.campaign.end_date
    lead = Client()
    lead.force_login(liaison)
    url = reverse("governance:extension_request", args=[task.campaign_id, task.key])
    later = f"{end.year + 1}-06-30"
    response = lead.post(url, {"requested_date": later, "reason": "资金未到位"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"晚于本行动方案的结束日期({end:%Y-%m-%d})" in html
    assert 'type="checkbox" name="confirm_past_end"' in html and f'value="{later}"' in html  # kept
    assert not ExtensionRequest.objects.exists()
    assert lead.post(url, {"requested_date": later, "reason": "资金未到位", "confirm_past_end": "on"}).status_code == 302
    extension = ExtensionRequest.objects.get()
    # The office approving it past the end is asked too; a date within the campaign is not.
    office = Client()
    office.force_login(office_user)
    decide = reverse("governance:extension_decide", args=[extension.pk])
    response = office.post(decide, {"decision": "approve", "approved_date": "", "comment": ""})
    assert response.status_code == 400 and "请勾选“确认”" in response.content.decode()
    assert office.post(decide, {"decision": "approve", "approved_date": f"{end:%Y-%m-%d}"}).status_code == 302
    extension.refresh_from_db()
    assert extension.state == "approved" and extension.approved_date == end


def test_a_supervision_lists_a_missing_instruction_and_a_past_date_at_once(office_user, task):  # noqa: F811
    from reports.models import Supervision

    office = Client()
    office.force_login(office_user)
    response = office.post(reverse("governance:supervision_open", args=[task.campaign_id, task.key]),
                           {"level": 2, "instruction": "", "respond_by": "2020-01-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写督办要求。" in html and "答复期限不能早于今天。" in html
    assert "请修改以下 2 处后再提交" in html
    assert not Supervision.objects.exists()

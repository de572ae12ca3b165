"""In a real browser: a liaison hears of a return at once and signs for a 督办 from its notice on a
phone; the office chases units from the 未报送清单 and sees it on 提醒记录."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reminders.models import Chase
from reports.governance import services as governance
from reports.models import SupervisionReceipt
from reports.periods import period_get
from reports.services import ReportInput, report_review, report_save
from tasks.models import Task

from .conftest import login, no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_a_liaison_sees_a_return_at_once_and_signs_for_a_supervision_from_the_notice_on_a_phone(
    phone_page, liaison, office_user, campaign
):
    task = Task.objects.get(campaign=campaign, key="5.6")
    report = report_save(user=liaison, task=task, period=period_get(campaign, "2026Q4"),
                         data=ReportInput(status="in_progress", progress="推进中", percent=40), submit=True)
    report_review(user=office_user, report=report, decision="return", comment="请补充竞赛场次")
    supervision = governance.supervision_open(user=office_user, task=task, level=2, instruction="请说明滞后原因",
                                              respond_by=timezone.localdate() + datetime.timedelta(days=7))
    page = login(phone_page, "yjj")
    page.goto("/notifications/")
    expect(page.get_by_text("5.6 2026年第四季度进展被退回,请修改后重新报送")).to_be_visible()
    expect(page.get_by_text("退回理由:请补充竞赛场次")).to_be_visible()
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width
    page.get_by_role("button", name="签收督办").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    expect(page.locator(".alert-success")).to_contain_text("已签收")
    assert SupervisionReceipt.objects.filter(supervision=supervision, unit=liaison.unit).exists()


def test_the_office_chases_units_from_the_missing_list_and_sees_it_on_the_reminder_log(
    page, office_user, liaison, other_liaison, campaign
):
    page = login(page, "office")
    page.goto("/reports/missing/?period=2026Q3")
    page.get_by_label("选择区应急管理局").check()
    page.get_by_label("选择区农业农村局").check()
    page.get_by_role("button", name="催报所选单位").click()
    expect(page.locator(".alert-success")).to_contain_text("已向 2 个单位发出催报")
    assert set(Chase.objects.values_list("unit__name", flat=True)) == {"区应急管理局", "区农业农村局"}
    page.locator("#unit-" + str(liaison.unit_id)).get_by_role("button", name="催报该单位").click()
    expect(page.locator(".alert-warning")).to_contain_text("今天已催过")
    page.goto("/reminders/")
    expect(page.get_by_role("heading", name=re.compile("当日催报"))).to_be_visible()
    expect(page.get_by_role("cell", name="区农业农村局")).to_be_visible()

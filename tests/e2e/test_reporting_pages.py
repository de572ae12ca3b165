"""A real phone-sized browser: a liaison reports progress from 我的任务, the office returns it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reports.models import ProgressReport

from .conftest import login, no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_a_liaison_reports_from_my_tasks_on_a_phone_and_nothing_scrolls_sideways(phone_page, liaison):
    page = login(phone_page, "yjj")
    expect(page).to_have_url(re.compile(r"/my/$"))
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width
    page.locator(".list-group-item", has=page.get_by_role("link", name="5.6", exact=True)).get_by_role(
        "link", name="填报"
    ).click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+/5\.6/report/$"))
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width
    page.get_by_label("完成进度(%)").fill("40")
    page.get_by_label("工作进展").fill("已在 3 家企业试点岗位技能竞赛")
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+/5\.6/$"))
    expect(page.locator(".alert-success")).to_contain_text("已报送")
    expect(page.get_by_text("已在 3 家企业试点岗位技能竞赛")).to_be_visible()
    assert ProgressReport.objects.get(task__key="5.6").state == "submitted"

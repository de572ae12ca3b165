"""目标指标 in a real Chromium: a liaison reports a rate on a phone, the office approves it, the list turns 达标."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from indicators.models import Indicator, IndicatorValue
from indicators.seeding import indicators_seed

from .conftest import login, no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_a_liaison_reports_on_a_phone_and_the_office_approves(phone_page, page, liaison, office_user, campaign):
    indicators_seed()
    indicator = Indicator.objects.get(campaign=campaign, key="T12.3")

    phone = login(phone_page, "yjj")
    phone.goto("/indicators/")
    row = phone.locator('tr[data-indicator="T12.3"]')
    expect(row.locator("[data-indicator-status]")).to_have_text("未报")
    assert no_horizontal_scroll(phone)[0] <= 390
    phone.goto(f"/indicators/{indicator.pk}/")
    phone.get_by_label("分子(达标数)").fill("1990")
    phone.get_by_label("分母(总数)").fill("2000")
    phone.get_by_role("button", name="报送").click()
    expect(phone.get_by_text("实际值已报送")).to_be_visible()
    assert no_horizontal_scroll(phone)[0] <= 390

    office = login(page, "office")
    office.goto(f"/indicators/{indicator.pk}/")
    office.get_by_role("button", name="通过").click()
    expect(office.get_by_text("已审核通过")).to_be_visible()
    office.goto("/indicators/")
    row = office.locator('tr[data-indicator="T12.3"]')
    expect(row.locator("[data-indicator-status]")).to_have_text("达标")
    expect(row).to_contain_text(re.compile(r"99\.5%"))
    assert IndicatorValue.objects.get().state == "approved"

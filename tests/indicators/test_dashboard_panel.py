"""The dashboard's 目标指标 panel: target against the latest approved actual, by area, constant queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Unit
from indicators.models import IndicatorValue
from indicators.selectors import indicator_panel_for, indicator_panel_rows
from indicators.services import ValueInput, indicator_unit_assign, indicator_value_review, indicator_value_save
from reports.models import ReportingPeriod
from reports.periods import periods_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def periods(campaign):
    periods_ensure(campaign)
    return {p.code: p for p in ReportingPeriod.objects.filter(campaign=campaign)}


def approve(liaison, office_user, indicator, period, **data):
    value = indicator_value_save(user=liaison, indicator=indicator, period=period, submit=True, data=ValueInput(**data))
    return indicator_value_review(user=office_user, value=value, decision="approve")


def status_on_page(html: str, key: str) -> str:
    return re.search(rf'data-indicator="{re.escape(key)}".*?data-indicator-status="(\w+)"', html, re.S).group(1)


def test_an_approved_value_changes_the_dashboard_panel(client, indicators, liaison, office_user, periods):
    client.force_login(office_user)
    url = reverse("dashboard:page") + "?period=2026Q4"
    html = client.get(url).content.decode()
    assert "目标指标" in html and status_on_page(html, "T14.2a") == "missing"
    approve(liaison, office_user, indicators["T14.2a"], periods["2026Q3"], numerator="55", denominator="100")
    assert status_on_page(client.get(url).content.decode(), "T14.2a") == "unmet"  # 55% < 60%
    approve(liaison, office_user, indicators["T14.2a"], periods["2026Q4"], numerator="62", denominator="100")
    html = client.get(url).content.decode()
    assert status_on_page(html, "T14.2a") == "met"
    assert "2026Q3:55 → 2026Q4:62" in html  # the trend per period
    # Asked for an earlier period, the panel shows what was known then.
    assert status_on_page(client.get(reverse("dashboard:page") + "?period=2026Q3").content.decode(), "T14.2a") == "unmet"


def test_several_units_combine_as_one_rate_and_counts_add_up(indicators, liaison, other_liaison, office_user, periods):
    o3, s3 = indicators["O3"], indicators["S3"]
    for indicator in (o3, s3):
        for user in (liaison, other_liaison):
            indicator_unit_assign(user=office_user, indicator=indicator, unit=user.unit, reason="按职责")
    q4 = periods["2026Q4"]
    approve(liaison, office_user, o3, q4, numerator="80", denominator="100")
    approve(other_liaison, office_user, o3, q4, numerator="290", denominator="300")
    approve(liaison, office_user, s3, q4, value="12")
    approve(other_liaison, office_user, s3, q4, value="20")
    rows = {r.indicator.key: r for r in indicator_panel_rows(campaign=o3.campaign, period=q4)}
    assert rows["O3"].actual == Decimal("92.5000") and rows["O3"].status == "met"  # 370/400, not the mean of 80% and 96.7%
    assert rows["S3"].actual == 32 and rows["S3"].status == "met"  # 12 + 20 艘 ≥ 30
    assert rows["O1"].status == "missing"


def test_the_lte_targets_read_the_right_way(indicators, liaison, office_user, periods):
    o8 = indicators["O8"]
    indicator_unit_assign(user=office_user, indicator=o8, unit=liaison.unit, reason="按职责")
    approve(liaison, office_user, o8, periods["2026Q4"], numerator="3", denominator="1500")  # 3 人 / 1500 亿元
    row = next(r for r in indicator_panel_rows(campaign=o8.campaign, period=periods["2026Q4"]) if r.indicator.key == "O8")
    assert row.actual == Decimal("0.0020") and row.status == "met"


def test_the_panel_takes_five_queries_whatever_the_data(indicators, liaison, office_user, periods, campaign):
    with CaptureQueriesContext(connection) as empty:
        indicator_panel_for(campaign=campaign, period_code="2026Q4")
    units = list(Unit.objects.filter(kind="department", is_active=True)[:10])
    for indicator in indicators.values():
        if not indicator.task_id:
            for unit in units:
                indicator_unit_assign(user=office_user, indicator=indicator, unit=unit, reason="测试")
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=indicator, unit=unit, period=period, value=Decimal(1), state="approved",
            numerator=Decimal(1) if indicator.is_rate else None, denominator=Decimal(2) if indicator.is_rate else None,
            submitted_at="2026-01-01T00:00:00+08:00", created_by=liaison, updated_by=liaison,
        )
        for indicator in indicators.values() if not indicator.task_id
        for unit in units
        for period in periods.values()
    )
    with CaptureQueriesContext(connection) as full:
        panel = indicator_panel_for(campaign=campaign, period_code="2026Q4")
    assert len(full) == len(empty) == 5
    assert sum(panel["counts"].values()) == 37 and panel["counts"]["missing"] < 37


def test_the_stages_are_on_the_dashboard(client, office_user, campaign):
    client.force_login(office_user)
    html = client.get(reverse("dashboard:page")).content.decode()
    assert re.search(r'data-stage-state="past".*2024 攻坚整治', html, re.S)
    assert re.search(r'data-stage-state="current".*2026 巩固提升', html, re.S)

"""The plan's numeric targets in a rollup: a 目标指标 sheet in its workbook and a sentence in its
通报, with the values approved by the period's report deadline (a rollup rebuilt later agrees)."""

from __future__ import annotations

import datetime
import io

import docx
import openpyxl
import pytest

from dashboard.services import rollup_build
from indicators.services import ValueInput, indicator_unit_assign, indicator_value_review, indicator_value_save
from reports.models import ReportingPeriod
from reports.periods import periods_ensure
from tests.dashboard.conftest import SHANGHAI
from tests.indicators.conftest import indicators  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def approve(liaison, office_user, indicator, period, **data):
    value = indicator_value_save(user=liaison, indicator=indicator, period=period, submit=True, data=ValueInput(**data))
    return indicator_value_review(user=office_user, value=value, decision="approve")


def test_the_rollup_shows_the_targets_as_approved_by_its_deadline(
    campaign, indicators, liaison, office_user, frozen_today  # noqa: F811
):
    periods_ensure(campaign)
    q3 = ReportingPeriod.objects.get(campaign=campaign, code="2026Q3")
    indicator_unit_assign(user=office_user, indicator=indicators["O3"], unit=liaison.unit, reason="按职责")
    # Approved two days before the report deadline: it counts in the 2026Q3 rollup.
    frozen_today.move_to(datetime.datetime.combine(q3.due_date - datetime.timedelta(days=2), datetime.time(10), SHANGHAI))
    approve(liaison, office_user, indicators["T14.2a"], q3, numerator="55", denominator="100")  # target ≥ 60%
    # Approved on 2026-11-29, after the deadline: not yet known when the quarter's figures were due.
    frozen_today.move_to(datetime.datetime(2026, 11, 29, 10, tzinfo=SHANGHAI))
    approve(liaison, office_user, indicators["O3"], q3, numerator="95", denominator="100")

    rollup, _ = rollup_build(campaign=campaign, period_code="2026Q3")

    by_key = {item["key"]: item for item in rollup.snapshot["indicators"]}
    assert len(by_key) == len(indicators)
    assert by_key["T14.2a"]["status"] == "unmet" and by_key["T14.2a"]["actual_period"] == "2026Q3"
    assert by_key["O3"]["status"] == "missing"

    with rollup.xlsx.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read()))["目标指标"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0] in by_key}
    assert len(rows) == len(indicators)
    assert rows["T14.2a"][5] == "55%" and rows["T14.2a"][7] == "未达标"
    assert rows["O3"][7] == "未报" and rows["O3"][8] == liaison.unit.name

    with rollup.docx.open("rb") as handle:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(handle.read())).paragraphs)
    assert (
        f"方案确定的量化目标指标共{len(indicators)}项,截至报送截止日已报送实际值1项,其中达标0项、未达标1项"
        f"({indicators['T14.2a'].name});尚未报送实际值{len(indicators) - 1}项。"
    ) in text

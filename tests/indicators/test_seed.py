"""The seeded indicators are the plan's own targets: each checked against the plan's text."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from indicators.models import Comparator, Indicator, Measure
from indicators.seeding import load_indicator_fixture
from tasks.annex import PLAN_TEXT_PATH

PLAN = PLAN_TEXT_PATH.read_text(encoding="utf-8")
GOALS = PLAN[PLAN.index("(二)主要目标") : PLAN.index("二、工作体系")]
FIXTURE = load_indicator_fixture()["indicators"]
UNIT_SIGNS = {Measure.PERCENT: "%", Measure.VESSELS: "艘", Measure.ITEMS: "个", Measure.ENTERPRISES: "家"}
ZERO_WORDS = ("清零", "零增长", "零发生")


@pytest.mark.parametrize("entry", FIXTURE, ids=[e["key"] for e in FIXTURE])
def test_each_indicator_is_the_plans_own_words_and_number(entry):
    target = Decimal(entry["target"])
    source, wording = entry["source_text"], entry["target_text"]
    assert source in PLAN, "the source sentence is verbatim from the plan"
    assert wording in source, "the target's wording is part of that sentence"
    if entry["measure"] == Measure.CLEARED:
        assert "清零" in wording and target == 0 and entry["comparator"] == Comparator.LTE
    elif target == 0:
        assert any(word in wording for word in ZERO_WORDS) and entry["comparator"] == Comparator.LTE
    elif entry["measure"] == Measure.DEATHS_PER_GDP:
        assert f"{entry['target']}以内" in wording and "亿元GDP" in wording and entry["comparator"] == Comparator.LTE
    else:
        assert f"{entry['target']}{UNIT_SIGNS[entry['measure']]}" in wording
        assert entry["comparator"] == Comparator.GTE
        assert "以内" not in wording
        if "以上" in wording:
            assert wording.index("以上") > wording.index(entry["target"])
    # The year: stated in the plan next to the target, or the campaign's end ("通过治本攻坚"),
    # or, for an ongoing (常态化) task, none.
    year_text = entry["year_text"]
    if year_text == "通过治本攻坚":
        assert entry["due_year"] == 2026 and year_text in source
    elif year_text == "常态化":
        assert entry["due_year"] is None
    else:
        assert str(entry["due_year"]) in year_text and year_text in PLAN


@pytest.mark.django_db
def test_seeded_indicators_equal_the_fixture_and_their_tasks_state_the_same_target(indicators, campaign):
    assert len(indicators) == len(FIXTURE) == 37
    for entry in FIXTURE:
        indicator = indicators[entry["key"]]
        assert (indicator.source_text, indicator.target_text) == (entry["source_text"], entry["target_text"])
        assert indicator.target == Decimal(entry["target"])
        assert (indicator.comparator, indicator.measure, indicator.due_year) == (
            entry["comparator"], entry["measure"], entry["due_year"]
        )
        if entry["task"]:
            assert indicator.task.key == entry["task"]
            assert entry["task_text"] in indicator.task.content, "the task states the same target"
            if indicator.area == "task":
                assert indicator.source_text == indicator.task.content
            if entry["year_text"] == "常态化":
                assert indicator.task.deadline_text == "常态化"
        else:
            assert indicator.task is None and indicator.area != "task"


def test_every_number_of_the_main_targets_is_an_indicator():
    """Each target figure of 一(二) 主要目标 (95%, 清零, 3艘, 0.0025 …) lies inside some indicator's wording."""
    spans = []
    for entry in FIXTURE:
        start = GOALS.find(entry["target_text"])
        while start >= 0:
            spans.append((start, start + len(entry["target_text"])))
            start = GOALS.find(entry["target_text"], start + 1)
    figures = list(re.finditer(r"\d+(?:\.\d+)?(?:%|艘|个)|清零|零增长|零发生|0\.0025", GOALS))
    assert len(figures) == 24  # counted by hand in the plan: 8 overall, 16 sector figures
    missing = [m.group() for m in figures if not any(a <= m.start() and m.end() <= b for a, b in spans)]
    assert missing == []


@pytest.mark.django_db
def test_seeding_twice_changes_nothing_and_keeps_the_offices_edits(indicators, campaign):
    from indicators.seeding import indicators_seed

    Indicator.objects.filter(key="O1").update(name="纳管率(区安委办改)")
    assert indicators_seed() == 0
    assert Indicator.objects.get(key="O1").name == "纳管率(区安委办改)"
    assert Indicator.objects.count() == 37


@pytest.mark.django_db
def test_seed_campaign_command_loads_the_indicators():
    out = StringIO()
    call_command("seed_campaign", stdout=out)
    assert Indicator.objects.count() == 37
    assert "目标指标:新建 37 项" in out.getvalue()
    call_command("seed_campaign", stdout=out)
    assert Indicator.objects.count() == 37


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"measure": Measure.PERCENT, "target": Decimal("120")},
        {"target": Decimal("-1")},
        {"comparator": "about"},
        {"measure": "litres"},
        {"area": "weather"},
        {"measure": Measure.CLEARED, "target": Decimal("3")},
        {"measure": Measure.CLEARED, "target": Decimal("0"), "comparator": Comparator.GTE},
        {"due_year": 1900},
    ],
)
def test_the_database_refuses_targets_outside_their_domain(indicators, changes):
    fields = {"campaign": indicators["O1"].campaign, "key": "X1", "name": "试", "area": "overall",
              "source_text": "试", "target_text": "试", "comparator": Comparator.GTE,
              "target": Decimal("50"), "measure": Measure.PERCENT, "due_year": 2025}
    fields.update(changes)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(**fields)

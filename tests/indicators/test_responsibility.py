"""Who answers for an indicator: the task's lead duties where it restates a task's target, else the office's choice."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from departments.models import Unit
from indicators.selectors import indicators_awaiting_units, responsible_units
from indicators.services import indicator_unit_assign

pytestmark = pytest.mark.django_db


def names(units):
    return [u.name for u in units]


def test_an_indicator_from_a_task_follows_the_tasks_lead_units(indicators):
    units = responsible_units(indicators.values())
    assert names(units[indicators["T12.3"].pk]) == ["区应急管理局"]
    assert names(units[indicators["T8.2"].pk]) == ["区农业农村局"]
    assert names(units[indicators["S7"].pk]) == ["区消防救援大队"]


def test_the_plans_overall_targets_await_the_office_until_it_assigns_a_unit(indicators, campaign, office_user):
    awaiting = {i.key for i in indicators_awaiting_units(campaign)}
    assert {"O1", "O2", "O3", "O5", "O6", "O7", "O8", "S1", "S17"} <= awaiting
    assert "T12.3" not in awaiting and "O4" not in awaiting  # O4 follows task 3.4's leads
    indicator_unit_assign(
        user=office_user, indicator=indicators["O8"], unit=Unit.objects.get(name="区应急管理局"), reason="按职责"
    )
    assert "O8" not in {i.key for i in indicators_awaiting_units(campaign)}
    assert names(responsible_units([indicators["O8"]])[indicators["O8"].pk]) == ["区应急管理局"]
    assert AuditEntry.objects.filter(action="indicators.unit.assigned", data__unit="区应急管理局").exists()


def test_responsible_units_take_two_queries_whatever_the_number(indicators, django_assert_num_queries, office_user):
    for key in ("O1", "O2", "O3"):
        indicator_unit_assign(
            user=office_user, indicator=indicators[key], unit=Unit.objects.get(name="区应急管理局"), reason="按职责"
        )
    with django_assert_num_queries(2):
        responsible_units(indicators.values())


def test_only_the_office_assigns_and_only_a_real_unit_with_a_reason(indicators, liaison, office_user):
    o1, unit = indicators["O1"], Unit.objects.get(name="区应急管理局")
    with pytest.raises(PermissionDenied):
        indicator_unit_assign(user=liaison, indicator=o1, unit=unit, reason="自己来")
    with pytest.raises(ValidationError) as error:
        indicator_unit_assign(user=office_user, indicator=o1, unit=Unit.objects.get(name="区安委各成员单位"), reason="x")
    assert "单位组" in str(error.value)
    with pytest.raises(ValidationError):
        indicator_unit_assign(user=office_user, indicator=o1, unit=unit, reason=" ")
    with pytest.raises(ValidationError) as error:
        indicator_unit_assign(user=office_user, indicator=indicators["T12.3"], unit=unit, reason="x")
    assert "随任务 12.3" in str(error.value)
    assert not o1.assignments.exists()

"""Reads about indicators that pages, the API and the dashboard share; a fixed number of queries each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from departments.models import Unit
from tasks.models import AssignmentRole, Campaign, TaskDuty

from .models import Indicator, IndicatorAssignment


def indicators_for_campaign(campaign: Campaign):
    return Indicator.objects.filter(campaign=campaign).select_related("task").order_by("sort_order", "id")


def responsible_units(indicators: Iterable[Indicator]) -> dict[int, list[Unit]]:
    """indicator id → the units that answer for it, in two queries whatever the number.

    An indicator that restates an annex task's target follows that task's current lead duties
    (tasks.duties: groups resolved, the office's designations, accepted 不涉及 — the same rules
    as the task); any other follows the units the office assigned (IndicatorAssignment).
    """
    indicators = list(indicators)
    result: dict[int, list[Unit]] = {i.pk: [] for i in indicators}
    by_task: dict[int, list[int]] = defaultdict(list)
    for indicator in indicators:
        if indicator.task_id:
            by_task[indicator.task_id].append(indicator.pk)
    if by_task:
        duties = (
            TaskDuty.objects.current()
            .filter(task_id__in=list(by_task), role=AssignmentRole.LEAD)
            .select_related("unit")
            .order_by("unit__sort_order", "unit_id")
        )
        for duty in duties:
            for indicator_id in by_task[duty.task_id]:
                result[indicator_id].append(duty.unit)
    untasked = [i.pk for i in indicators if not i.task_id]
    if untasked:
        rows = (
            IndicatorAssignment.objects.filter(indicator_id__in=untasked)
            .select_related("unit")
            .order_by("unit__sort_order", "unit_id")
        )
        for row in rows:
            result[row.indicator_id].append(row.unit)
    return result


def unit_is_responsible(indicator: Indicator, unit: Unit | None) -> bool:
    if unit is None:
        return False
    if indicator.task_id:
        return (
            TaskDuty.objects.current()
            .filter(task_id=indicator.task_id, unit=unit, role=AssignmentRole.LEAD)
            .exists()
        )
    return IndicatorAssignment.objects.filter(indicator=indicator, unit=unit).exists()


def indicators_awaiting_units(campaign: Campaign) -> list[Indicator]:
    """The office's to-do: indicators nobody answers for yet (the plan names no unit and the
    office has assigned none, or the task they follow has no lead unit owing it)."""
    indicators = list(indicators_for_campaign(campaign))
    units = responsible_units(indicators)
    return [i for i in indicators if not units[i.pk]]

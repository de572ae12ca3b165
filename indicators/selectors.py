"""Reads about indicators that pages, the API and the dashboard share; a fixed number of queries each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from departments.models import Unit
from reports.models import ReportingPeriod, ReportState
from tasks.models import AssignmentRole, Campaign, TaskDuty

from .models import RATE_MEASURES, Area, Indicator, IndicatorAssignment, IndicatorValue, Measure, format_number


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


# --- The 目标指标 panel: target against the latest approved actual --------------------------------


class PanelStatus:
    MET = "met"
    UNMET = "unmet"
    MISSING = "missing"
    LABELS = {"met": "达标", "unmet": "未达标", "missing": "未报"}


@dataclass
class PanelRow:
    indicator: Indicator
    units: list[Unit]
    actual: Decimal | None = None
    as_of: str = ""  # the period code of the actual (the latest with an approved value)
    trend: list[tuple[str, Decimal]] = field(default_factory=list)  # (period code, actual), oldest first

    @property
    def status(self) -> str:
        met = self.indicator.is_met(self.actual)
        return PanelStatus.MISSING if met is None else (PanelStatus.MET if met else PanelStatus.UNMET)

    @property
    def status_label(self) -> str:
        return PanelStatus.LABELS[self.status]

    @property
    def actual_label(self) -> str:
        if self.actual is None:
            return ""
        unit = self.indicator.get_measure_display()
        if self.indicator.measure == Measure.CLEARED:
            unit = "(剩余数)"
        return f"{format_number(self.actual)}{unit}" if unit == "%" else f"{format_number(self.actual)} {unit}"


def _combined(measure: str, total: Decimal | None, numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """Several units' approved values of one period as one figure: a rate is Σ numerators / Σ
    denominators (× 100 for %), a count is the sum."""
    if measure in RATE_MEASURES:
        if not denominator:
            return None
        scale = Decimal(100) if measure == Measure.PERCENT else Decimal(1)
        return (numerator * scale / denominator).quantize(Decimal("0.0001"))
    return total


def indicator_panel_rows(*, campaign: Campaign, period: ReportingPeriod) -> list[PanelRow]:
    """The 目标指标 panel for a period: every indicator of the campaign with its target, the
    units answering for it, the latest approved actual up to the period's end, its status
    (达标 / 未达标 / 未报) and its trend per period. Four queries, whatever the number of
    indicators, units, periods or values (aggregated in SQL per indicator and period).

    This is the function for the rollup workbook and the 通报 to call.
    """
    indicators = list(indicators_for_campaign(campaign))
    units = responsible_units(indicators)
    rows = {i.pk: PanelRow(indicator=i, units=units[i.pk]) for i in indicators}
    sums = (
        IndicatorValue.objects.filter(
            indicator__campaign=campaign, state=ReportState.APPROVED, period__end__lte=period.end
        )
        .values("indicator_id", "period__code", "period__start")
        .annotate(total=Sum("value"), numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by("indicator_id", "period__start")
    )
    for item in sums:
        row = rows[item["indicator_id"]]
        actual = _combined(row.indicator.measure, item["total"], item["numerator"], item["denominator"])
        if actual is not None:
            row.trend.append((item["period__code"], actual))
    for row in rows.values():
        if row.trend:
            row.as_of, row.actual = row.trend[-1]
    return list(rows.values())


def panel_by_area(rows: list[PanelRow]) -> list[tuple[str, list[PanelRow]]]:
    """Rows grouped by area, in the order of Area (总体 first, 任务 last)."""
    groups: dict[str, list[PanelRow]] = {area: [] for area in Area.values}
    for row in rows:
        groups[row.indicator.area].append(row)
    return [(Area(area).label, items) for area, items in groups.items() if items]


def panel_counts(rows: list[PanelRow]) -> dict[str, int]:
    counts = {PanelStatus.MET: 0, PanelStatus.UNMET: 0, PanelStatus.MISSING: 0}
    for row in rows:
        counts[row.status] += 1
    return counts


def indicator_panel_for(*, campaign: Campaign, period_code: str) -> dict | None:
    """The dashboard's 目标指标 panel for one campaign and period code: rows by area and the
    counts (five queries in all); None when the campaign has no such period or no indicators."""
    period = ReportingPeriod.objects.filter(campaign=campaign, code=period_code).first()
    if period is None:
        return None
    rows = indicator_panel_rows(campaign=campaign, period=period)
    if not rows:
        return None
    return {"period": period, "groups": panel_by_area(rows), "counts": panel_counts(rows)}


def values_visible_to(user, indicator: Indicator):
    """An indicator's values the user may read: the office and leaders all of them; a liaison the
    approved ones (they are on the panel anyway) and its own unit's, whatever their state."""
    from django.db.models import Q

    from reports.access import can_read_everything

    values = (
        IndicatorValue.objects.filter(indicator=indicator)
        .select_related("unit", "period")
        .prefetch_related("evidence")
        .order_by("-period__start", "unit__sort_order", "unit_id")
    )
    if can_read_everything(user):
        return values
    return values.filter(Q(state=ReportState.APPROVED) | Q(unit_id=getattr(user, "unit_id", None)))

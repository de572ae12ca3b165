"""Reads of the rollups (季度汇总): frozen task rows, changes, the final rollups of a year.

Writes (building a rollup) are in `dashboard.services`; the workbook is in `dashboard.workbooks`.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from reports.models import ProgressReport, ProgressStatus
from reports.history import versions_at
from reports.obligations import obligations, reported
from reports.status import REPORTED_STATES, TaskState
from tasks.models import AssignmentRole, TaskDuty

from .models import Rollup, RollupTaskRow
from .selectors import DONE_STATES, Scope

REPORTING_LABELS = {"on_time": "按时报送", "late": "逾期报送", "missing": "未报送", "not_owed": "本期无需报送"}
PROGRESS_LABELS = dict(ProgressStatus.choices)


def _count_subquery(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("task").annotate(n=Count("id")).values("n")[:1]), 0
    )


def rollup_task_rows(scope: Scope) -> list[RollupTaskRow]:
    """One unsaved RollupTaskRow per task of the (single) campaign in scope: three queries.

    States as they stood at `scope.as_of`, reporting and the reports' text at `scope.reports_as_of`
    (each None: now).
    """
    periods = scope.period_rows()
    as_of = scope.reports_as_of
    owed = obligations(periods, role=AssignmentRole.LEAD, as_of=as_of).filter(task_id=OuterRef("pk"))
    late_report = ProgressReport.objects.filter(
        task=OuterRef("task_id"), unit=OuterRef("unit_id"), period=OuterRef("period_id"),
        state__in=REPORTED_STATES, first_submitted_at__date__gt=F("period__due_date"),
    )
    if as_of is not None:
        late_report = late_report.filter(first_submitted_at__lte=as_of)
    tasks = (
        scope.annotated_tasks()
        .with_annex()  # lead_units_text falls back to the assignments where a task has no wording
        .annotate(
            owed_n=_count_subquery(owed),
            reported_n=_count_subquery(owed.filter(reported(as_of=as_of))),
            late_n=_count_subquery(owed.filter(Exists(late_report))),
        )
        .order_by("sort_order", "id")
    )
    texts: dict[int, list[str]] = {}
    if as_of is None:
        reports = ProgressReport.objects.filter(
            task__in=scope.tasks(), role=AssignmentRole.LEAD, period__in=periods, state__in=REPORTED_STATES
        ).values_list("task_id", "unit__name", "progress")
        ordering = ("task", "unit__sort_order", "unit_id")
    else:  # the text each report had then
        reports = versions_at(as_of).filter(
            report__task__in=scope.tasks(), report__role=AssignmentRole.LEAD, report__period__in=periods,
            state__in=REPORTED_STATES,
        ).values_list("report__task_id", "report__unit__name", "progress")
        ordering = ("report__task", "report__unit__sort_order", "report__unit_id")
    for task_id, unit_name, progress in reports.order_by(*ordering):
        texts.setdefault(task_id, []).append(f"【{unit_name}】{progress}")
    rows = []
    for order, task in enumerate(tasks, start=1):
        # Over the task's lead units that owed a report for the period (reports.obligations).
        if task.owed_n == 0:
            reporting = "not_owed"
        elif task.reported_n < task.owed_n:
            reporting = "missing"
        elif task.late_n:
            reporting = "late"
        else:
            reporting = "on_time"
        rows.append(
            RollupTaskRow(
                task_key=task.key,
                category=task.measure.category.name,
                measure=str(task.measure),
                content=task.content,
                deadline_text=task.deadline_text,
                lead_units=task.lead_units_text,
                state=task.state,
                rag=task.rag,
                progress_status=task.progress_status or "",
                percent=task.progress_percent,
                lead_report="\n".join(texts.get(task.pk, [])),
                reporting=reporting,
                under_supervision=task.under_supervision,
                sort_order=order,
            )
        )
    return rows


def task_units(scope: Scope) -> dict[str, list[str]]:
    """Each task's real lead units (groups resolved by the duties) as they stood at `scope.as_of`:
    the 通报 names these, never a group's wording. One query."""
    result: dict[str, list[str]] = {}
    for key, name in (
        TaskDuty.objects.at(scope.as_of)
        .filter(role=AssignmentRole.LEAD, task__in=scope.tasks())
        .order_by("task__sort_order", "task_id", "unit__sort_order", "unit_id")
        .values_list("task__key", "unit__name")
    ):
        result.setdefault(key, []).append(name)
    return result


def rollup_changes(previous_rows: dict[str, str], rows: list[RollupTaskRow]) -> dict:
    """Newly completed / newly overdue tasks since the previous rollup (task key → state maps)."""
    if not previous_rows:
        return {"previous": None, "newly_completed": [], "newly_overdue": []}
    done = {s.value for s in DONE_STATES}
    newly_completed = [
        {"key": r.task_key, "content": r.content, "lead_units": r.lead_units}
        for r in rows
        if r.state in done and previous_rows.get(r.task_key) not in done
    ]
    newly_overdue = [
        {"key": r.task_key, "content": r.content, "lead_units": r.lead_units}
        for r in rows
        if r.state == TaskState.OVERDUE and previous_rows.get(r.task_key) != TaskState.OVERDUE
    ]
    return {"newly_completed": newly_completed, "newly_overdue": newly_overdue}


def rollup_previous(rollup_or_campaign, *, before: Rollup | None = None) -> Rollup | None:
    """The rollup taken just before (same campaign; earlier period, or same period earlier version)."""
    rollups = Rollup.objects.filter(campaign=rollup_or_campaign).select_related("period")
    if before is not None:
        rollups = rollups.filter(
            Q(period__start__lt=before.period.start) | Q(period=before.period, version__lt=before.version)
        )
    return rollups.order_by("-period__start", "-version").first()


def rollup_label(campaign, period, version: int, *, preview: bool = False) -> str:
    """"测试2026年第三季度汇总(第1版)": the period's label names the quarter once (never "季度季度")."""
    name = campaign.short_name or campaign.name
    return f"{name}{period.label}汇总(第{version}版{'·预览' if preview else ''})"


def rollup_filename(rollup: Rollup) -> str:
    return f"{rollup_label(rollup.campaign, rollup.period, rollup.version, preview=rollup.preview)}.xlsx"


def annual_rollups(campaign, year: int) -> list[Rollup]:
    """The final rollup (latest non-preview version) of each of the campaign's periods starting in `year`."""
    latest: dict[int, Rollup] = {}
    for rollup in (
        Rollup.objects.filter(campaign=campaign, period__start__year=year, preview=False)
        .select_related("period")
        .order_by("period__start", "-version")
    ):
        latest.setdefault(rollup.period_id, rollup)
    return list(latest.values())


def rollup_compare(a: Rollup, b: Rollup) -> dict:
    """Two rollups side by side: headline figures and every task whose state changed. Two queries."""
    rows_a = {r.task_key: r for r in a.rows.all()}
    rows_b = {r.task_key: r for r in b.rows.all()}
    labels = dict(TaskState.choices)
    changed = []
    for key, row_b in rows_b.items():
        row_a = rows_a.get(key)
        if row_a is None or row_a.state != row_b.state or row_a.reporting != row_b.reporting:
            changed.append({
                "key": key,
                "content": row_b.content,
                "state_a": labels.get(row_a.state, "") if row_a else "",
                "state_b": labels.get(row_b.state, row_b.state),
                "reporting_a": REPORTING_LABELS.get(row_a.reporting, "") if row_a else "",
                "reporting_b": REPORTING_LABELS.get(row_b.reporting, ""),
            })
    headline = []
    figures_a = {i["key"]: i for i in a.snapshot.get("headline", []) + a.snapshot.get("report_headline", [])}
    for item in b.snapshot.get("headline", []) + b.snapshot.get("report_headline", []):
        before = figures_a.get(item["key"], {}).get("value")
        headline.append({"label": item["label"], "a": before, "b": item["value"],
                         "delta": None if before is None else item["value"] - before})
    return {"headline": headline, "changed": changed}

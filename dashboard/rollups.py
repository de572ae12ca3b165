"""Reads and the workbook of the quarterly rollup (季度汇总): frozen task rows, changes, .xlsx.

Writes (building a rollup) are in `dashboard.services`; this module only reads and formats.
"""

from __future__ import annotations

import io

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from reports.models import ProgressReport, ProgressStatus
from reports.history import versions_at
from reports.obligations import obligations, reported
from reports.status import REPORTED_STATES, Rag, TaskState
from tasks.models import AssignmentRole, TaskDuty
from yinzhou_campaign.text import xml_text

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


# --- workbook ---------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _text(ws, value, *, bold: bool = False, wrap: bool = False) -> WriteOnlyCell:
    """A cell that is always text: never a formula, whatever the user typed (=, +, -, @ …)."""
    cell = WriteOnlyCell(ws, value=xml_text(value))
    cell.data_type = "s"
    if cell.value[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True
    if bold:
        cell.font = HEADER_FONT
    if wrap:
        cell.alignment = WRAP
    return cell


def _num(ws, value) -> WriteOnlyCell:
    return WriteOnlyCell(ws, value=value if isinstance(value, (int, float)) else None)


def _sheet(wb: Workbook, title: str, widths: list[int]):
    ws = wb.create_sheet(title)
    for index, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.print_options.gridLines = True
    return ws


def rollup_workbook(*, title: str, snapshot: dict, rows: list[RollupTaskRow], changes: dict) -> bytes:
    """The rollup as .xlsx (sheets 汇总, 任务明细, 单位报送情况, 变化), openpyxl write-only."""
    wb = Workbook(write_only=True)

    ws = _sheet(wb, "汇总", [28, 12, 12, 12, 12, 12])
    ws.append([_text(ws, title, bold=True)])
    ws.append([_text(ws, f"生成时间:{snapshot.get('generated_at', '')}")])
    ws.append([])
    ws.append([_text(ws, "指标", bold=True), _text(ws, "数量", bold=True)])
    for item in snapshot["headline"] + snapshot["report_headline"]:
        ws.append([_text(ws, item["label"]), _num(ws, item["value"])])
    ws.append([_text(ws, "报送率(%)"), _num(ws, snapshot["reports"]["rate"])])
    for heading, key in (("按举措类别", "by_category"), ("按主要任务", "by_measure")):
        ws.append([])
        ws.append([_text(ws, h, bold=True) for h in (heading, "任务数", "已完成", "已逾期", "完成率(%)")])
        for item in snapshot[key]:
            ws.append([_text(ws, item["name"]), _num(ws, item["total"]), _num(ws, item["done"]),
                       _num(ws, item["overdue"]), _num(ws, item["rate"])])
    ws.append([])
    ws.append([_text(ws, snapshot["assessment"]["formula"])])
    ws.append([_text(ws, h, bold=True) for h in ("考核排名", "单位", "得分", "按时报送率(%)", "按期完成率(%)",
                                                  "未被退回率(%)", "督办按时答复率(%)")])
    for item in snapshot["assessment"]["ranking"]:
        parts = item.get("components") or {}
        ws.append([_num(ws, item["rank"]), _text(ws, item["name"]), _num(ws, item["score"])]
                  + [_num(ws, (parts.get(key) or {}).get("rate")) for key in ("reporting", "completion", "returns", "supervision")])

    ws = _sheet(wb, "任务明细", [8, 10, 24, 50, 14, 24, 10, 6, 10, 8, 60, 10, 8])
    headers = ["编号", "举措类别", "主要任务", "具体任务", "完成时限", "牵头单位", "状态", "红黄绿",
               "推进情况", "进度(%)", "牵头单位报送内容", "报送情况", "督办"]
    ws.append([_text(ws, h, bold=True) for h in headers])
    rag_labels = dict(Rag.choices)
    state_labels = dict(TaskState.choices)
    for row in rows:
        ws.append([
            _text(ws, row.task_key), _text(ws, row.category), _text(ws, row.measure),
            _text(ws, row.content, wrap=True), _text(ws, row.deadline_text), _text(ws, row.lead_units, wrap=True),
            _text(ws, state_labels.get(row.state, row.state)), _text(ws, rag_labels.get(row.rag, row.rag)),
            _text(ws, PROGRESS_LABELS.get(row.progress_status, "")), _num(ws, row.percent),
            _text(ws, row.lead_report, wrap=True), _text(ws, REPORTING_LABELS[row.reporting]),
            _text(ws, "督办中" if row.under_supervision else ""),
        ])

    ws = _sheet(wb, "单位报送情况", [24, 8, 8, 8, 8, 8, 8, 8, 10, 10, 8, 8, 8])
    headers = ["单位", "应报", "已报送", "已通过", "被退回", "未报送", "逾期报送", "按时报送",
               "报送率(%)", "牵头任务", "红", "黄", "绿"]
    ws.append([_text(ws, h, bold=True) for h in headers])
    for unit in snapshot["units"]:
        r, t = unit["reports"], unit["tasks"]
        ws.append([_text(ws, unit["name"])] + [_num(ws, v) for v in (
            r["expected"], r["submitted"], r["approved"], r["returned"], r["missing"], r["late"], r["on_time"],
            unit["reporting_rate"], t["total"], t["red"], t["amber"], t["green"])])

    ws = _sheet(wb, "变化", [12, 8, 60, 30])
    ws.append([_text(ws, h, bold=True) for h in ("变化", "编号", "具体任务", "牵头单位")])
    if changes.get("previous") is None and not changes.get("newly_completed") and not changes.get("newly_overdue"):
        ws.append([_text(ws, "这是第一份汇总,没有可比较的上期数据。")])
    for label, key in (("新完成", "newly_completed"), ("新逾期", "newly_overdue")):
        for item in changes.get(key, []):
            ws.append([_text(ws, label), _text(ws, item["key"]), _text(ws, item["content"], wrap=True),
                       _text(ws, item["lead_units"])])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


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

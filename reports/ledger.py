"""The progress ledger (任务进展台账) as .xlsx: one row per task, one column per reporting period.

Uses the status rules of reports/status.py (annotate_task_status) and a fixed number of queries:
the annotated tasks (+2 prefetches), the periods, and all lead reports of the campaign at once.
Cells are written as text by the same writer as the task-list export (no formula injection).
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict

from django.db.models import OuterRef, Subquery

from tasks.excel.export import SheetWriter, new_workbook, setup_print
from tasks.excel.layout import sheet_title
from tasks.models import AssignmentRole, Campaign
from tasks.selectors import task_list

from .models import ProgressReport, ProgressStatus, ReportState
from .periods import period_last_due, periods_of
from .status import REPORTED_STATES, Rag, TaskState, annotate_task_status

FIXED_HEADERS = ["编号", "落实举措", "具体任务", "牵头单位", "完成时限", "状态", "红黄绿", "推进情况", "完成进度(%)", "最新报送内容"]
FIXED_WIDTHS = [7, 18, 48, 22, 12, 10, 7, 9, 8, 48]
RAG_COLOURS = {Rag.RED: "#F8CBAD", Rag.AMBER: "#FFE699", Rag.GREEN: "#C6EFCE"}


def ledger_rows(*, campaign: Campaign, today: datetime.date, tasks=None):
    """(periods, tasks annotated with state/rag/latest report text, {(task_id, period_id): [(unit, state)]})."""
    periods = [p for p in periods_of(campaign) if p.start <= today]
    latest_lead = ProgressReport.objects.filter(
        task=OuterRef("pk"), role=AssignmentRole.LEAD, state__in=REPORTED_STATES
    ).order_by("-period__start", "-submitted_at", "-id")
    tasks = tasks if tasks is not None else task_list(campaign=campaign)
    tasks = annotate_task_status(tasks, today=today, last_due_period=period_last_due(campaign, today)).annotate(
        latest_progress=Subquery(latest_lead.values("progress")[:1]),
        latest_period=Subquery(latest_lead.values("period__code")[:1]),
    )
    tasks = list(tasks)
    states: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    reports = ProgressReport.objects.filter(task__campaign=campaign, role=AssignmentRole.LEAD).values_list(
        "task_id", "period_id", "unit__name", "state"
    )
    for task_id, period_id, unit_name, state in reports:
        states[(task_id, period_id)].append((unit_name, state))
    return periods, tasks, states


def period_cell(entries: list[tuple[str, str]], lead_count: int) -> str:
    if not entries:
        return "未报送"
    labels = {ReportState(state).label for _, state in entries}
    if len(entries) == 1 and lead_count <= 1:
        return ReportState(entries[0][1]).label
    if len(labels) == 1 and len(entries) >= lead_count:
        return labels.pop()
    return ";".join(f"{unit}:{ReportState(state).label}" for unit, state in entries)


def write_ledger(output, *, campaign: Campaign, today: datetime.date, tasks=None) -> None:
    periods, tasks, states = ledger_rows(campaign=campaign, today=today, tasks=tasks)
    workbook = new_workbook(output)
    writer = SheetWriter(workbook)
    sheet = workbook.add_worksheet("任务进展台账")
    headers = FIXED_HEADERS + [p.code for p in periods]
    last_col = len(headers) - 1
    title = f"{sheet_title(campaign.name).removesuffix('任务清单')}任务进展台账({today.isoformat()})"
    sheet.merge_range(0, 0, 0, last_col, "", writer.fmt(bold=True, font_size=16, align="center", border=0))
    writer.text(sheet, 0, 0, title, bold=True, font_size=16, align="center", border=0)
    sheet.set_row(0, 30)
    for col, header in enumerate(headers):
        writer.text(sheet, 1, col, header, bold=True, align="center", bg_color="#D9E1F2")
    for col, width in enumerate(FIXED_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.set_column(len(FIXED_WIDTHS), last_col, 10)
    for offset, task in enumerate(tasks):
        row = 2 + offset
        writer.text(sheet, row, 0, task.key, align="center")
        writer.text(sheet, row, 1, task.measure.label)
        writer.text(sheet, row, 2, task.content)
        writer.text(sheet, row, 3, task.lead_units_text)
        writer.text(sheet, row, 4, task.deadline_text, align="center")
        writer.text(sheet, row, 5, TaskState(task.state).label, align="center")
        writer.text(sheet, row, 6, Rag(task.rag).label, align="center", bg_color=RAG_COLOURS[Rag(task.rag)])
        writer.text(sheet, row, 7, ProgressStatus(task.progress_status).label if task.progress_status else "", align="center")
        if task.progress_percent is not None:
            sheet.write_number(row, 8, task.progress_percent, writer.fmt(align="center"))
        else:
            writer.text(sheet, row, 8, "")
        latest = f"【{task.latest_period}】{task.latest_progress}" if task.latest_progress else ""
        writer.text(sheet, row, 9, latest)
        lead_count = len(task.lead_assignments)
        for index, period in enumerate(periods):
            writer.text(sheet, row, len(FIXED_HEADERS) + index, period_cell(states.get((task.pk, period.pk), []), lead_count), align="center")
    setup_print(sheet, header_row=1, columns=len(headers))
    sheet.freeze_panes(2, 3)
    workbook.close()


def ledger_xlsx(*, campaign: Campaign, today: datetime.date, tasks=None) -> bytes:
    buffer = io.BytesIO()
    write_ledger(buffer, campaign=campaign, today=today, tasks=tasks)
    return buffer.getvalue()

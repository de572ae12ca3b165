"""Write a campaign's task list as an .xlsx in the annex's layout (see layout.py).

Written with xlsxwriter: it supports merged cells, print titles and page setup while
streaming fast (openpyxl's fast write-only mode cannot merge cells, and its normal mode is
several times slower at 10,000 rows; see bench/excel_bench.py). Every text goes through
`write_string`, never `write`, so nothing is ever turned into a formula; a text that Excel
would read as one when retyped (= + - @ tab CR) additionally gets the quote prefix.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import IO, Iterable

from django.db.models import QuerySet

import xlsxwriter
from django.utils.http import content_disposition_header

from ..models import AssignmentRole, Campaign, Category, Measure, Task, TaskAssignment
from .layout import COLUMN_WIDTHS, HEADERS, INFO_FIELDS, INFO_SHEET, NOTE_PREFIX, TASK_SHEET, is_formula_like, sheet_title

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetWriter:
    """Format cache and the two ways to write text (plain or quote-prefixed) on an xlsxwriter workbook."""

    BASE = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "text_wrap": True, "border": 1}

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self._formats: dict[tuple, object] = {}

    def fmt(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.workbook.add_format({**self.BASE, **props})
        return self._formats[key]

    def text(self, sheet, row: int, col: int, value: str, **props) -> None:
        value = value or ""
        if is_formula_like(value):
            props["quote_prefix"] = True
        sheet.write_string(row, col, value, self.fmt(**props))

    def formats(self, **props) -> tuple:
        """(plain, quote-prefixed) formats for `text_in`, looked up once for a whole column."""
        return self.fmt(**props), self.fmt(**props, quote_prefix=True)

    def text_in(self, sheet, row: int, col: int, value: str, formats: tuple) -> None:
        """`text` with formats from `formats()`: the same cell, without a format lookup per cell."""
        value = value or ""
        sheet.write_string(row, col, value, formats[1] if is_formula_like(value) else formats[0])

    def merged_text(self, sheet, first_row: int, last_row: int, col: int, value: str, **props) -> None:
        if first_row == last_row:
            self.text(sheet, first_row, col, value, **props)
            return
        if is_formula_like(value):
            props["quote_prefix"] = True
        sheet.merge_range(first_row, col, last_row, col, "", self.fmt(**props))
        sheet.write_string(first_row, col, value, self.fmt(**props))


def new_workbook(output: IO[bytes]) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(
        output,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )


def setup_print(sheet, *, header_row: int, columns: int) -> None:
    """A4 landscape, fit to one page wide, the header repeated on every printed page, frozen below it."""
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.repeat_rows(header_row)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.set_footer("&C第 &P 页,共 &N 页")


def _runs(values: list) -> list[tuple[int, int]]:
    """Index ranges (first, last) of consecutive equal values."""
    runs, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            runs.append((start, i - 1))
            start = i
    return runs


@dataclass(frozen=True)
class TaskLine:
    """One task as the annex prints it: plain values, no model objects."""

    key: str
    number: int
    content: str
    deadline_text: str
    lead_units_text: str
    support_units_text: str
    measure_id: int
    measure_label: str
    category_id: int
    category_title: str


def task_lines(tasks: Iterable[Task]) -> list[TaskLine]:
    """The rows of the export, in the order of `tasks`.

    For a queryset (what `task_list(...)` returns, with its filters and order) this reads plain
    values in two queries — the tasks joined with their measure and category, and all their
    assignments joined with the unit names — instead of building ~9 model objects per task,
    which was most of the export's time at 10,000 tasks (see docs/benchmarks.md).
    """
    if not isinstance(tasks, QuerySet):
        return [
            TaskLine(
                key=t.key, number=t.number, content=t.content, deadline_text=t.deadline_text,
                lead_units_text=t.lead_units_text, support_units_text=t.support_units_text,
                measure_id=t.measure_id, measure_label=t.measure.label,
                category_id=t.measure.category_id, category_title=t.measure.category.title,
            )
            for t in tasks
        ]
    plain = tasks.select_related(None).prefetch_related(None)
    rows = list(
        plain.values_list(
            "pk", "key", "number", "content", "deadline_text", "lead_note", "support_note", "lead_text", "support_text",
            "measure_id", "measure__number", "measure__title", "measure__category_id", "measure__category__name",
        )
    )
    names: dict[tuple[int, str], list[str]] = {}
    assignments = (
        TaskAssignment.objects.filter(task__in=plain.order_by().values("pk"))
        .order_by("task_id", "role", "order", "id")
        .values_list("task_id", "role", "unit__name")
    )
    for task_id, role, unit_name in assignments:
        names.setdefault((task_id, role), []).append(unit_name)
    lines = []
    for pk, key, number, content, deadline_text, lead_note, support_note, lead_text, support_text, measure_id, \
            measure_number, measure_title, category_id, category_name in rows:
        # The plan's own words where we have them (Task.lead_text); else built from the units.
        support_names = names.get((pk, AssignmentRole.SUPPORT), ())
        lines.append(
            TaskLine(
                key=key,
                number=number,
                content=content,
                deadline_text=deadline_text,
                lead_units_text=lead_text or "、".join(names.get((pk, AssignmentRole.LEAD), ())) + lead_note,
                support_units_text=support_text
                or ("、".join(support_names) + support_note if support_names else ""),
                measure_id=measure_id,
                measure_label=Measure(number=measure_number, title=measure_title).label,
                category_id=category_id,
                category_title=Category(name=category_name).title,
            )
        )
    return lines


def write_task_list(output: IO[bytes], *, campaign: Campaign, tasks: Iterable[Task]) -> None:
    """Write the task list workbook to `output`. `tasks`: a queryset from `task_list(...)`, or Task objects."""
    lines = task_lines(tasks)
    workbook = new_workbook(output)
    writer = SheetWriter(workbook)
    sheet = workbook.add_worksheet(TASK_SHEET)
    last_col = len(HEADERS) - 1

    row = 0
    sheet.merge_range(row, 0, row, last_col, "", writer.fmt(bold=True, font_size=16, align="center", border=0))
    writer.text(sheet, row, 0, sheet_title(campaign.name), bold=True, font_size=16, align="center", border=0)
    sheet.set_row(row, 32)
    row += 1
    if campaign.standing_support_rule:
        note = f"{NOTE_PREFIX}{campaign.standing_support_rule}。"
        sheet.merge_range(row, 0, row, last_col, "", writer.fmt(border=0, align="left"))
        writer.text(sheet, row, 0, note, border=0, align="left")
        row += 1
    header_row = row
    for col, header in enumerate(HEADERS):
        writer.text(sheet, header_row, col, header, bold=True, align="center", bg_color="#D9E1F2")
    sheet.set_row(header_row, 24)
    for col, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(col, col, width)
    first = header_row + 1

    centred, plain = writer.formats(align="center"), writer.formats()
    for offset, line in enumerate(lines):
        r = first + offset
        writer.text_in(sheet, r, 0, line.key, centred)
        writer.text_in(sheet, r, 3, f"{line.number}.{line.content}", plain)
        writer.text_in(sheet, r, 4, line.deadline_text, centred)
        writer.text_in(sheet, r, 5, line.lead_units_text, plain)
        writer.text_in(sheet, r, 6, line.support_units_text, plain)
    categories = [line.category_id for line in lines]
    for start, end in _runs(categories):
        writer.merged_text(sheet, first + start, first + end, 1, lines[start].category_title, align="center")
    measures = [line.measure_id for line in lines]
    for start, end in _runs(measures):
        writer.merged_text(sheet, first + start, first + end, 2, lines[start].measure_label, align="center")

    setup_print(sheet, header_row=header_row, columns=len(HEADERS))
    if lines:
        sheet.autofilter(header_row, 0, first + len(lines) - 1, last_col)
    _write_info_sheet(workbook, writer, campaign)
    workbook.close()


def _write_info_sheet(workbook, writer: SheetWriter, campaign: Campaign) -> None:
    info = workbook.add_worksheet(INFO_SHEET)
    info.set_column(0, 0, 26)
    info.set_column(1, 1, 50)
    writer.text(info, 0, 0, "项目", bold=True)
    writer.text(info, 0, 1, "内容", bold=True)
    for row, (field, label) in enumerate(INFO_FIELDS, start=1):
        value = getattr(campaign, field)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        writer.text(info, row, 0, label)
        writer.text(info, row, 1, "" if value is None else str(value))


def task_list_xlsx(*, campaign: Campaign, tasks: Iterable[Task]) -> bytes:
    buffer = io.BytesIO()
    write_task_list(buffer, campaign=campaign, tasks=tasks)
    return buffer.getvalue()


def export_filename(campaign: Campaign, today: datetime.date, *, suffix: str = "任务清单") -> str:
    """鄞州区安全生产治本攻坚行动任务清单-2026-11-29.xlsx"""
    base = sheet_title(campaign.name).removesuffix("任务清单")
    return f"{base}{suffix}-{today.isoformat()}.xlsx"


def attachment_header(filename: str) -> str:
    """Content-Disposition with an RFC 6266 filename* so Chinese names arrive intact."""
    return content_disposition_header(as_attachment=True, filename=filename)

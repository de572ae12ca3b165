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
from typing import IO, Iterable

import xlsxwriter
from django.utils.http import content_disposition_header

from ..models import Campaign, Task
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


def write_task_list(output: IO[bytes], *, campaign: Campaign, tasks: Iterable[Task]) -> None:
    """Write the task list workbook to `output`. `tasks` should come from `task_list(...)` (with_annex)."""
    tasks = list(tasks)
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

    for offset, task in enumerate(tasks):
        r = first + offset
        writer.text(sheet, r, 0, task.key, align="center")
        writer.text(sheet, r, 3, f"{task.number}.{task.content}")
        writer.text(sheet, r, 4, task.deadline_text, align="center")
        writer.text(sheet, r, 5, task.lead_units_text)
        writer.text(sheet, r, 6, task.support_units_text)
    categories = [task.measure.category_id for task in tasks]
    for start, end in _runs(categories):
        writer.merged_text(sheet, first + start, first + end, 1, tasks[start].measure.category.title, align="center")
    measures = [task.measure_id for task in tasks]
    for start, end in _runs(measures):
        writer.merged_text(sheet, first + start, first + end, 2, tasks[start].measure.label, align="center")

    setup_print(sheet, header_row=header_row, columns=len(HEADERS))
    if tasks:
        sheet.autofilter(header_row, 0, first + len(tasks) - 1, last_col)
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

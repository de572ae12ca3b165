"""Workbooks of the dashboard in the print quality of the task-list export (tasks.excel.export):
a merged title, a frozen header repeated on every printed page, A4 landscape fitted to the width,
column widths, page numbers in the footer; numbers are written as numbers, text never as a formula.
"""

from __future__ import annotations

import io

from tasks.excel.export import SheetWriter, new_workbook, setup_print

from .assessment import COMPONENTS

HEADER = {"bold": True, "align": "center", "bg_color": "#D9E1F2"}


def title_rows(writer: SheetWriter, sheet, *, title: str, note: str, last_col: int) -> int:
    """Row 0: the title merged over all columns; row 1: a note merged likewise. Returns the next row."""
    sheet.merge_range(0, 0, 0, last_col, "", writer.fmt(bold=True, font_size=16, align="center", border=0))
    writer.text(sheet, 0, 0, title, bold=True, font_size=16, align="center", border=0)
    sheet.set_row(0, 32)
    if not note:
        return 1
    sheet.merge_range(1, 0, 1, last_col, "", writer.fmt(border=0, align="left", valign="top"))
    writer.text(sheet, 1, 0, note, border=0, align="left", valign="top")
    sheet.set_row(1, 15 * max(2, len(note) // 90 + 1))
    return 2


def header_row(writer: SheetWriter, sheet, row: int, headers: list[str], widths: list[float]) -> None:
    for col, (header, width) in enumerate(zip(headers, widths)):
        writer.text(sheet, row, col, header, **HEADER)
        sheet.set_column(col, col, width)
    sheet.set_row(row, 30)
    setup_print(sheet, header_row=row, columns=len(headers))


def number(writer: SheetWriter, sheet, row: int, col: int, value, *, decimals: bool = False) -> None:
    """A number cell (blank when there is no value: never the text "None" or "—")."""
    fmt = writer.fmt(align="right", num_format="0.0" if decimals else "0")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_blank(row, col, None, fmt)


ASSESSMENT_HEADERS = ["名次", "单位", "得分"] + [
    h for _, label, _ in COMPONENTS for h in (f"{label}(%)", "分子", "分母")
]
ASSESSMENT_WIDTHS = [6, 24, 8] + [11, 7, 7] * len(COMPONENTS)


def assessment_workbook(*, title: str, assessment: dict) -> bytes:
    """The ranking (考核排名) as .xlsx: one row per ranked unit, then the units 不参与."""
    output = io.BytesIO()
    workbook = new_workbook(output)
    writer = SheetWriter(workbook)
    sheet = workbook.add_worksheet("考核排名")
    last_col = len(ASSESSMENT_HEADERS) - 1
    row = title_rows(writer, sheet, title=title, note=assessment.get("formula", ""), last_col=last_col)
    header_row(writer, sheet, row, ASSESSMENT_HEADERS, ASSESSMENT_WIDTHS)
    row += 1
    for item in assessment.get("ranking", []):
        number(writer, sheet, row, 0, item["rank"])
        writer.text(sheet, row, 1, item["name"])
        number(writer, sheet, row, 2, item["score"], decimals=True)
        for index, (key, _, _) in enumerate(COMPONENTS):
            part = (item.get("components") or {}).get(key) or {}
            col = 3 + 3 * index
            number(writer, sheet, row, col, part.get("rate"), decimals=True)
            number(writer, sheet, row, col + 1, part.get("num") if part.get("den") else None)
            number(writer, sheet, row, col + 2, part.get("den") if part.get("den") else None)
        row += 1
    for item in assessment.get("not_taking_part", []):
        writer.text(sheet, row, 0, "不参与", align="center")
        writer.text(sheet, row, 1, item["name"])
        for col in range(2, last_col + 1):
            sheet.write_blank(row, col, None, writer.fmt())
        row += 1
    workbook.close()
    return output.getvalue()

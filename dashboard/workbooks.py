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
    _write_assessment(writer, workbook.add_worksheet("考核排名"), title=title, assessment=assessment)
    workbook.close()
    return output.getvalue()


def _write_assessment(writer: SheetWriter, sheet, *, title: str, assessment: dict) -> None:
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


# --- the rollup workbook ----------------------------------------------------------------------

def _sheet(workbook, writer: SheetWriter, name: str, *, title: str, note: str, headers: list[str],
           widths: list[float]):
    """A sheet with the merged title, a note, the header (frozen, repeated on every printed page)."""
    sheet = workbook.add_worksheet(name)
    row = title_rows(writer, sheet, title=f"{title} · {name}", note=note, last_col=len(headers) - 1)
    header_row(writer, sheet, row, headers, widths)
    return sheet, row + 1


def rollup_workbook(*, title: str, snapshot: dict, rows: list, changes: dict) -> bytes:
    """The rollup as .xlsx (sheets 汇总, 任务明细, 单位报送情况, 变化) in print quality; xlsxwriter."""
    from reports.status import Rag, TaskState

    from .rollups import PROGRESS_LABELS, REPORTING_LABELS

    output = io.BytesIO()
    workbook = new_workbook(output)
    writer = SheetWriter(workbook)
    as_of = snapshot.get("as_of")
    note = f"生成时间:{snapshot.get('generated_at', '')}" + (
        f";任务状态截至{as_of},报送情况截至{snapshot.get('reports_as_of')}" if as_of else ""
    )
    wrap = writer.formats(align="left", valign="top")
    centred = writer.formats(align="center")

    sheet, row = _sheet(workbook, writer, "汇总", title=title, note=note, headers=["指标", "数量"], widths=[30, 12])
    for item in snapshot["headline"] + snapshot["report_headline"]:
        writer.text(sheet, row, 0, item["label"])
        number(writer, sheet, row, 1, item["value"])
        row += 1
    writer.text(sheet, row, 0, "报送率(%)")
    number(writer, sheet, row, 1, snapshot["reports"]["rate"], decimals=True)
    row += 2
    for heading, key in (("按举措类别", "by_category"), ("按主要任务", "by_measure")):
        for col, header in enumerate((heading, "任务数", "已完成", "已逾期", "完成率(%)")):
            writer.text(sheet, row, col, header, **HEADER)
        row += 1
        for item in snapshot[key]:
            writer.text(sheet, row, 0, item["name"])
            for col, field_name in enumerate(("total", "done", "overdue"), start=1):
                number(writer, sheet, row, col, item[field_name])
            number(writer, sheet, row, 4, item["rate"], decimals=True)
            row += 1
        row += 1
    for col in range(2, 5):
        sheet.set_column(col, col, 12)

    headers = ["编号", "举措类别", "主要任务", "具体任务", "完成时限", "牵头单位", "状态", "红黄绿",
               "推进情况", "进度(%)", "牵头单位报送内容", "报送情况", "督办"]
    widths = [7, 10, 22, 46, 12, 22, 9, 6, 9, 7, 50, 10, 7]
    sheet, row = _sheet(workbook, writer, "任务明细", title=title, note=note, headers=headers, widths=widths)
    rag_labels, state_labels = dict(Rag.choices), dict(TaskState.choices)
    for line in rows:
        writer.text_in(sheet, row, 0, line.task_key, centred)
        writer.text_in(sheet, row, 1, line.category, wrap)
        writer.text_in(sheet, row, 2, line.measure, wrap)
        writer.text_in(sheet, row, 3, line.content, wrap)
        writer.text_in(sheet, row, 4, line.deadline_text, centred)
        writer.text_in(sheet, row, 5, line.lead_units, wrap)
        writer.text_in(sheet, row, 6, state_labels.get(line.state, line.state), centred)
        writer.text_in(sheet, row, 7, rag_labels.get(line.rag, line.rag), centred)
        writer.text_in(sheet, row, 8, PROGRESS_LABELS.get(line.progress_status, ""), centred)
        number(writer, sheet, row, 9, line.percent)
        writer.text_in(sheet, row, 10, line.lead_report, wrap)
        writer.text_in(sheet, row, 11, REPORTING_LABELS[line.reporting], centred)
        writer.text_in(sheet, row, 12, "督办中" if line.under_supervision else "", centred)
        row += 1

    headers = ["单位", "应报", "已报送", "已通过", "被退回", "未报送", "逾期报送", "按时报送",
               "报送率(%)", "牵头任务", "红", "黄", "绿"]
    widths = [24, 7, 7, 7, 7, 7, 8, 8, 9, 8, 6, 6, 6]
    sheet, row = _sheet(workbook, writer, "单位报送情况", title=title, note=note, headers=headers, widths=widths)
    for unit in snapshot["units"]:
        r, t = unit["reports"], unit["tasks"]
        writer.text(sheet, row, 0, unit["name"])
        values = (r["expected"], r["submitted"], r["approved"], r["returned"], r["missing"], r["late"], r["on_time"])
        for col, value in enumerate(values, start=1):
            number(writer, sheet, row, col, value)
        number(writer, sheet, row, 8, unit["reporting_rate"], decimals=True)
        for col, value in enumerate((t["total"], t["red"], t["amber"], t["green"]), start=9):
            number(writer, sheet, row, col, value)
        row += 1

    sheet, row = _sheet(workbook, writer, "变化", title=title, note=note,
                        headers=["变化", "编号", "具体任务", "牵头单位"], widths=[10, 8, 60, 30])
    if changes.get("previous") is None and not changes.get("newly_completed") and not changes.get("newly_overdue"):
        writer.text(sheet, row, 0, "这是第一份汇总,没有可比较的上期数据。", border=0)
    for label, key in (("新完成", "newly_completed"), ("新逾期", "newly_overdue")):
        for item in changes.get(key, []):
            writer.text(sheet, row, 0, label, align="center")
            writer.text(sheet, row, 1, item["key"], align="center")
            writer.text_in(sheet, row, 2, item["content"], wrap)
            writer.text_in(sheet, row, 3, item["lead_units"], wrap)
            row += 1

    _assessment_sheet(workbook, writer, title=title, assessment=snapshot.get("assessment") or {})
    workbook.close()
    return output.getvalue()


def _assessment_sheet(workbook, writer: SheetWriter, *, title: str, assessment: dict) -> None:
    sheet = workbook.add_worksheet("考核排名")
    _write_assessment(writer, sheet, title=f"{title} · 考核排名", assessment=assessment)

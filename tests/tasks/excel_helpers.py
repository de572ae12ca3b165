"""Helpers for the Excel tests: export bytes, edit a workbook, snapshot a task list."""

from __future__ import annotations

import io

import openpyxl

from tasks.excel.export import task_list_xlsx
from tasks.models import Task
from tasks.selectors import task_list


def export_bytes(campaign) -> bytes:
    return task_list_xlsx(campaign=campaign, tasks=task_list(campaign=campaign))


def edited(data: bytes, edits: dict[str, object] | None = None, *, insert_rows=None) -> bytes:
    """The workbook with some cells of the task sheet changed (openpyxl, normal mode)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    for ref, value in (edits or {}).items():
        sheet[ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot(campaign) -> list[tuple]:
    """Everything the annex says about each task, by unit name, independent of database ids."""
    rows = []
    for task in Task.objects.filter(campaign=campaign).with_annex().order_by("sort_order", "id"):
        rows.append(
            (
                task.key,
                task.measure.category.number,
                task.measure.category.name,
                task.measure.number,
                task.measure.title,
                task.number,
                task.content,
                task.deadline_kind,
                task.deadline_date,
                task.deadline_text,
                tuple((a.unit.name, a.per_duty) for a in task.lead_assignments),
                task.lead_note,
                tuple((a.unit.name, a.per_duty) for a in task.support_assignments),
                task.support_note,
                task.sort_order,
            )
        )
    return rows


def task_row(data: bytes, key: str) -> int:
    """The 1-based sheet row of a task key (column A)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for row in workbook.worksheets[0].iter_rows(min_col=1, max_col=1):
        if row[0].value == key:
            return row[0].row
    raise KeyError(key)

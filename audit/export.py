"""The audit log as an .xlsx file (openpyxl write-only; every text cell stored as text).

The same columns and the same words as the page (audit.display), so what the office prints
matches what it saw.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from yinzhou_campaign.text import xml_text

from .display import present
from .models import AuditEntry

EXPORT_MAX_ROWS = 200_000
HEADERS = ["时间", "操作人", "操作", "对象", "内容", "来源地址"]
WIDTHS = [20, 26, 22, 40, 60, 16]


def _text(ws, value) -> WriteOnlyCell:
    """A cell that Excel/WPS show as typed: "=cmd|..." stays text, never a formula."""
    cell = WriteOnlyCell(ws, value=xml_text(value))
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def audit_workbook(entries: Iterable[AuditEntry]):
    """A temporary file holding the workbook (the caller streams and closes it)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("操作日志")
    for index, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.append(HEADERS)
    tz = timezone.get_current_timezone()
    for entry in entries:
        row = present(entry)
        created = timezone.localtime(entry.created_at, tz).replace(tzinfo=None)
        time_cell = WriteOnlyCell(ws, value=created)
        time_cell.number_format = "yyyy-mm-dd hh:mm:ss"
        ws.append(
            [
                time_cell,
                _text(ws, row.actor),
                _text(ws, row.action),
                _text(ws, row.object),
                _text(ws, "\n".join(row.details)),
                _text(ws, entry.ip_address or ""),
            ]
        )
    out = tempfile.TemporaryFile(suffix=".xlsx")
    wb.save(out)
    out.seek(0)
    return out

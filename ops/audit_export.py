"""The audit log as an .xlsx file (openpyxl write-only; every text cell stored as text)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from audit.models import AuditEntry
from yinzhou_campaign.text import xml_text

EXPORT_MAX_ROWS = 200_000
HEADERS = ["时间", "账号", "操作", "对象类型", "对象编号", "对象", "来源地址", "内容"]
WIDTHS = [20, 14, 28, 22, 10, 40, 16, 60]


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
        created = timezone.localtime(entry.created_at, tz).replace(tzinfo=None)
        time_cell = WriteOnlyCell(ws, value=created)
        time_cell.number_format = "yyyy-mm-dd hh:mm:ss"
        data = entry.data or {}
        ws.append(
            [
                time_cell,
                _text(ws, entry.username or data.get("username", "")),
                _text(ws, entry.action),
                _text(ws, entry.object_type),
                _text(ws, entry.object_id),
                _text(ws, entry.object_repr),
                _text(ws, entry.ip_address or ""),
                _text(ws, data if data else ""),
            ]
        )
    out = tempfile.TemporaryFile(suffix=".xlsx")
    wb.save(out)
    out.seek(0)
    return out

"""Any on-screen list as an .xlsx: the same column names as the page, a title row saying what and
when, text never read as a formula (SheetWriter), printable (A4 landscape, header repeated).

Pages call `list_response(what=…, detail=…, headers=…, rows=…)`; the file is named for what is
inside and the day, e.g. 督办清单(区应急管理局)-2026-12-03.xlsx, sent with an RFC 6266 filename*.
Lists on screen are bounded (a campaign's tasks, its open supervisions, one period's missing
reports), so they are written inside the request; the audit log, which is not, streams
(audit/export.py).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

from .export import XLSX_CONTENT_TYPE, SheetWriter, attachment_header, new_workbook, setup_print


def list_filename(what: str, day: datetime.date, detail: str = "") -> str:
    """督办清单-2026-12-03.xlsx, or 任务清单(逾期、区应急管理局)-2026-12-03.xlsx with filters."""
    detail = detail.replace("/", "-").replace("\\", "-")[:60]
    return f"{what}{f'({detail})' if detail else ''}-{day.isoformat()}.xlsx"


def list_xlsx(*, title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] | None = None,
              sheet_name: str = "清单") -> bytes:
    """Row 1: the title; row 2: the headers; then one row per item. Numbers stay numbers."""
    output = io.BytesIO()
    workbook = new_workbook(output)
    writer = SheetWriter(workbook)
    sheet = workbook.add_worksheet(sheet_name[:31])
    for col, width in enumerate(widths or [16] * len(headers)):
        sheet.set_column(col, col, width)
    sheet.merge_range(0, 0, 0, len(headers) - 1, "", writer.fmt(bold=True, font_size=14, border=0, align="center"))
    sheet.write_string(0, 0, title, writer.fmt(bold=True, font_size=14, border=0, align="center"))
    for col, header in enumerate(headers):
        writer.text(sheet, 1, col, header, bold=True, align="center", bg_color="#D9E1F2")
    number = writer.fmt(align="center")
    texts = writer.formats()
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                sheet.write_number(count + 1, col, float(value), number)
            else:
                writer.text_in(sheet, count + 1, col, "" if value is None else str(value), texts)
    if count == 0:
        writer.text(sheet, 2, 0, "(无)")
    setup_print(sheet, header_row=1, columns=len(headers))
    workbook.close()
    return output.getvalue()


def list_response(*, what: str, day: datetime.date, headers: Sequence[str], rows: Iterable[Sequence],
                  detail: str = "", title: str = "", widths: Sequence[int] | None = None) -> HttpResponse:
    data = list_xlsx(title=title or f"{what}{f'({detail})' if detail else ''}({day:%Y年%m月%d日})",
                     headers=headers, rows=rows, widths=widths, sheet_name=what)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(list_filename(what, day, detail))
    return response


def xlsx_file_response(data: bytes, *, what: str, day: datetime.date, detail: str = "") -> HttpResponse:
    """A workbook built elsewhere (the ledger) under the same kind of name."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(list_filename(what, day, detail))
    return response

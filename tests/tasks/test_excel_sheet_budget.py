"""The row/column/cell budget of an imported workbook: counted while the sheet XML streams past,
never taken from the sheet's <dimension>, and refused before any reader loads the sheet."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.excel.importing import read_workbook
from tasks.excel.safety import BadWorkbook, check_workbook_bytes
from tasks.jobs import read_task_import
from tasks.models import Task, TaskImport

from .excel_helpers import export_bytes, snapshot
from .test_excel_bad_files import rezip

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
BUDGET = "每个工作表最多 20000 行、50 列、200000 个有内容的单元格"


def with_cells(data: bytes, cells_xml: str) -> bytes:
    """The workbook with `cells_xml` (whole <row> elements) appended to the task sheet's data."""
    return rezip(data, replace={SHEET: lambda xml: xml.replace(b"</sheetData>", cells_xml.encode() + b"</sheetData>")})


def with_dimension(data: bytes, ref: str) -> bytes:
    return rezip(data, replace={SHEET: lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), xml)})


def text_row(number: int, column: str = "H", text: str = "备注") -> str:
    return f'<row r="{number}"><c r="{column}{number}" t="inlineStr"><is><t>{text}</t></is></c></row>'


def a_million_rows(data: bytes) -> bytes:
    """The incident's file: every row of the sheet filled (1,048,576), a few MB once zipped."""
    rows = "".join(f'<row r="{n}"><c r="H{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(200, 1_048_577))
    return with_cells(data, rows)


def test_a_sheet_with_a_million_rows_is_refused_before_it_is_read_with_the_budget_in_the_message(campaign):
    data = a_million_rows(export_bytes(campaign))
    assert len(data) < 10 * 1024 * 1024  # under the upload limit: only the budget stops it
    with pytest.raises(BadWorkbook) as caught:
        check_workbook_bytes(data)  # the byte checks alone, no spreadsheet reader involved
    assert str(caught.value) == f"工作表过大(超过 20000 行),超出导入上限:{BUDGET}。请删去多余的行、列或工作表后再上传。"


def test_one_value_far_down_is_enough_to_be_refused(campaign):
    with pytest.raises(BadWorkbook, match="超过 20000 行"):
        read_workbook(with_cells(export_bytes(campaign), text_row(20_001)))


def test_a_value_past_the_last_column_is_refused(campaign):
    with pytest.raises(BadWorkbook, match="超过 50 列"):
        read_workbook(with_cells(export_bytes(campaign), text_row(80, column="AY")))  # AY is column 51
    assert len(read_workbook(with_cells(export_bytes(campaign), text_row(80, column="AX"))).rows[0]) == 50


def test_the_cell_budget_counts_cells_that_hold_something(campaign, settings):
    data = export_bytes(campaign)  # 72 tasks × 7 columns, title, note and header: about 500 cells
    settings.TASK_IMPORT_MAX_CELLS = 300
    with pytest.raises(BadWorkbook, match="超过 300 个有内容的单元格"):
        read_workbook(data)
    settings.TASK_IMPORT_MAX_CELLS = 1000
    assert read_workbook(data)


def test_a_stale_dimension_is_not_trusted_either_way(campaign, settings):
    settings.TASK_IMPORT_MAX_ROWS = 100
    small_claim = with_dimension(with_cells(export_bytes(campaign), text_row(150)), "A1:G10")
    with pytest.raises(BadWorkbook, match="超过 100 行"):
        read_workbook(small_claim)
    huge_claim = with_dimension(export_bytes(campaign), "A1:XFD1048576")
    assert len(read_workbook(huge_claim).rows) == 75


def test_empty_formatted_cells_and_rows_do_not_count(campaign):
    # What formatting whole rows leaves behind: styled cells and rows without any value.
    padding = '<row r="500" s="1" customFormat="1"/><row r="1048576"><c r="XFD1048576" s="1"/></row>'
    data = with_cells(export_bytes(campaign), padding)
    assert len(read_workbook(data).rows) == 75


def test_a_sheet_stored_under_another_part_name_is_measured_too(campaign):
    """The reader finds sheets through the workbook's relationships, whatever the part is called."""
    renamed = rezip(
        with_cells(export_bytes(campaign), text_row(30_000)),
        replace={"xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"worksheets/sheet1.xml", b"worksheets/sheet1.bin")},
    )
    source = zipfile.ZipFile(io.BytesIO(renamed))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            name = "xl/worksheets/sheet1.bin" if item.filename == SHEET else item.filename
            target.writestr(name, source.read(item.filename))
    with pytest.raises(BadWorkbook, match="超过 20000 行"):
        read_workbook(buffer.getvalue())


def test_a_dtd_in_a_part_of_any_name_is_refused(campaign):
    bomb = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaa">]><worksheet/>'
    with pytest.raises(BadWorkbook, match="不安全的 XML"):
        read_workbook(rezip(export_bytes(campaign), add={"xl/media/image1.bin": bomb}))


def test_the_budget_follows_the_settings(campaign, settings):
    settings.TASK_IMPORT_MAX_ROWS, settings.TASK_IMPORT_MAX_COLUMNS, settings.TASK_IMPORT_MAX_CELLS = 40_000, 20, 9
    with pytest.raises(BadWorkbook, match="每个工作表最多 40000 行、20 列、9 个有内容的单元格"):
        read_workbook(export_bytes(campaign))


def test_the_upload_page_refuses_a_million_rows_with_the_budget_and_changes_nothing(client, office_user, campaign):
    data = a_million_rows(export_bytes(campaign))
    before = snapshot(campaign)
    client.force_login(office_user)
    response = client.post(reverse("tasks:import_upload"), {"file": SimpleUploadedFile("清单.xlsx", data)})
    assert response.status_code == 302  # stored; a file this size is read by the worker
    task_import = TaskImport.objects.get()
    read_task_import(task_import.pk)  # what the worker runs
    page = client.get(reverse("tasks:import_detail", args=[task_import.pk]))
    assert page.status_code == 200 and BUDGET in page.content.decode()
    assert TaskImport.objects.get().state == "failed"
    assert snapshot(campaign) == before
    assert not TaskImport.objects.filter(state__in=["ready", "applied"]).exists()
    assert Task.objects.filter(campaign=campaign).count() == 72

import io
from collections import OrderedDict

import openpyxl
import pytest
from django.urls import reverse

from tasks.excel.export import export_filename, task_list_xlsx
from tasks.excel.layout import HEADERS
from tasks.models import Task
from tasks.selectors import task_list

from .excel_helpers import export_bytes

pytestmark = pytest.mark.django_db


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def test_the_exported_annex_matches_the_seeded_tasks_cell_by_cell_with_merged_ranges(campaign):
    sheet = load(export_bytes(campaign))
    assert sheet.title == "任务清单"
    assert sheet["A1"].value == "鄞州区安全生产治本攻坚行动任务清单"
    assert sheet["A2"].value == "说明:以下均需要镇(街道、园区)配合,不再列出。"
    assert [c.value for c in sheet[3]] == HEADERS
    tasks = list(Task.objects.filter(campaign=campaign).with_annex().order_by("sort_order", "id"))
    assert len(tasks) == 72
    categories, measures = OrderedDict(), OrderedDict()
    for offset, task in enumerate(tasks):
        row = 4 + offset
        cells = [sheet.cell(row=row, column=col).value for col in range(1, 8)]
        assert cells[0] == task.key
        assert cells[3] == f"{task.number}.{task.content}"
        assert cells[4] == task.deadline_text
        assert cells[5] == task.lead_units_text
        assert (cells[6] or "") == task.support_units_text
        categories.setdefault(task.measure.category.title, []).append(row)
        measures.setdefault(task.measure.label, []).append(row)
    merged = {str(r) for r in sheet.merged_cells.ranges}
    for column, groups in (("B", categories), ("C", measures)):
        for text, rows in groups.items():
            assert sheet[f"{column}{rows[0]}"].value == text
            if len(rows) > 1:
                assert f"{column}{rows[0]}:{column}{rows[-1]}" in merged
    assert "B4:B13" in merged  # 落实“源头防”举措 over measures (一)–(三), tasks 1.1–3.4
    assert sheet["B4"].value == "落实“源头防”举措"
    assert sheet["C4"].value == "(一)强化项目源头管控"
    assert sheet.cell(row=4 + [t.key for t in tasks].index("10.4"), column=6).value == (
        "区住建局、区水利局、区消防救援大队等按职责分工负责"
    )


def test_the_export_is_set_up_for_printing_on_a4_landscape_with_the_header_on_every_page(campaign):
    sheet = load(export_bytes(campaign))
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["D"].width > 60
    assert sheet["D4"].alignment.wrap_text


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_text_that_looks_like_a_formula_is_written_as_quoted_text(campaign, text):
    from python_calamine import CalamineWorkbook

    from tasks.models import Task

    # 7.5's lead-unit wording (printed as it is) starts with the trigger.
    Task.objects.filter(campaign=campaign, key="7.5").update(lead_text=text + "局")
    data = export_bytes(campaign)
    sheet = load(data)
    row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "7.5")
    cell = row[5]
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    assert cell.value.replace("_x000D_", "\r") == text + "局"
    # No formula anywhere in the sheet's XML, and a second reader sees the same text.
    import zipfile

    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert [r[5] for r in rows if r[0] == "7.5"] == [text + "局"]
    # An ordinary cell is not quote-prefixed.
    assert row[4].quotePrefix is False


def test_the_filename_is_chinese_with_the_date(campaign):
    import datetime

    assert export_filename(campaign, datetime.date(2026, 11, 29)) == "鄞州区安全生产治本攻坚行动任务清单-2026-11-29.xlsx"


def test_the_export_view_sends_the_filtered_list_with_an_rfc6266_chinese_filename(client, liaison, django_assert_max_num_queries):
    import time_machine

    client.force_login(liaison)
    with time_machine.travel("2026-11-29 10:00 +0800", tick=False):
        with django_assert_max_num_queries(12):
            response = client.get(reverse("tasks:export"), {"measure": 7})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "filename*=utf-8''%E9%84%9E%E5%B7%9E%E5%8C%BA%E5%AE%89%E5%85%A8%E7%94%9F%E4%BA%A7%E6%B2%BB%E6%9C%AC"
        "%E6%94%BB%E5%9D%9A%E8%A1%8C%E5%8A%A8%E4%BB%BB%E5%8A%A1%E6%B8%85%E5%8D%95-2026-11-29.xlsx"
    ) in disposition
    sheet = load(response.content)
    keys = [r[0].value for r in sheet.iter_rows(min_row=4) if r[0].value]
    assert keys == ["7.1", "7.2", "7.4", "7.5"]


def test_the_export_view_costs_the_same_queries_for_few_or_all_tasks(client, liaison, django_assert_num_queries):
    client.force_login(liaison)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Warm up: a process builds its active campaigns' objects on its first page (tasks.campaign_choice).
    client.get(reverse("tasks:export"), {"measure": 7})
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("tasks:export"), {"measure": 7})
    with CaptureQueriesContext(connection) as all_:
        client.get(reverse("tasks:export"))
    assert len(few) == len(all_)


def test_the_export_view_needs_a_login(client, campaign):
    response = client.get(reverse("tasks:export"))
    assert response.status_code == 302


def test_the_task_list_page_links_to_the_export_with_its_filters(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("reports:task_list"), {"measure": 7, "q": "安全"})
    content = response.content.decode()
    # The status list's own export (reports/exports.py): also the state and RAG filters.
    assert reverse("reports:task_list_export") + "?measure=7&amp;q=" in content
    assert "导出Excel" in content


def test_the_export_command_writes_the_task_list_and_the_ledger(campaign, tmp_path):
    from django.core.management import call_command

    call_command("export_tasks", str(tmp_path / "list.xlsx"))
    assert load((tmp_path / "list.xlsx").read_bytes())["A4"].value == "1.1"
    call_command("export_tasks", str(tmp_path / "ledger.xlsx"), "--ledger", "--campaign", str(campaign.pk))
    ledger = load((tmp_path / "ledger.xlsx").read_bytes())
    assert ledger.title == "任务进展台账"
    assert ledger["A3"].value == "1.1"


def test_an_empty_filter_result_still_exports_a_valid_workbook(campaign):
    sheet = load(task_list_xlsx(campaign=campaign, tasks=task_list(campaign=campaign, q="不存在的内容")))
    assert [c.value for c in sheet[3]] == HEADERS
    assert sheet.max_row == 3

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from tasks.excel.importing import plan_import, read_workbook
from tasks.excel.services import ImportRejected, task_list_import_apply, task_list_import_from_bytes
from tasks.models import Campaign, Category, Measure, Task, TaskAssignment

from .excel_helpers import edited, export_bytes, snapshot, task_row

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "excel"


def plan_of(data: bytes, **kwargs):
    return plan_import(read_workbook(data), **kwargs)


def test_reimporting_an_unchanged_export_changes_nothing(campaign):
    data = export_bytes(campaign)
    before, audit_before = snapshot(campaign), AuditEntry.objects.count()
    plan, counts = task_list_import_from_bytes(data=data)
    assert plan.is_valid and not plan.has_changes
    assert counts["added"] == counts["changed"] == 0 and counts["unchanged"] == 72
    assert snapshot(campaign) == before
    # Only the summary entry of the import itself, no per-task change.
    assert not AuditEntry.objects.filter(action__in=["tasks.task.changed_by_import", "tasks.task.imported"]).exists()
    assert AuditEntry.objects.count() == audit_before + 1


def test_an_export_imported_into_an_empty_database_recreates_the_same_task_list(campaign):
    data = export_bytes(campaign)
    before = snapshot(campaign)
    fields = Campaign.objects.values("name", "short_name", "issuer", "issued_on", "start_date", "end_date",
                                     "report_cadence", "report_due_days", "standing_support_rule",
                                     "standing_support_unit__name").get(pk=campaign.pk)
    TaskAssignment.objects.all().delete()
    Task.objects.all().delete()
    Measure.objects.all().delete()
    Category.objects.all().delete()
    Campaign.objects.all().delete()

    plan, counts = task_list_import_from_bytes(data=data)
    assert plan.is_valid, plan.errors
    assert counts["added"] == 72
    new = Campaign.objects.get()
    assert snapshot(new) == before
    assert Campaign.objects.values("name", "short_name", "issuer", "issued_on", "start_date", "end_date",
                                   "report_cadence", "report_due_days", "standing_support_rule",
                                   "standing_support_unit__name").get(pk=new.pk) == fields
    assert AuditEntry.objects.filter(action="tasks.task.imported").count() == 72
    # And the recreated list re-exports to the same file contents.
    assert plan_of(export_bytes(new)).has_changes is False


def test_a_changed_cell_is_previewed_old_to_new_and_applied_with_an_audit_entry(campaign, office_user):
    data = export_bytes(campaign)
    row = task_row(data, "7.5")
    data = edited(data, {f"E{row}": "2026年6月底", f"F{row}": "区应急管理局、区交通局"})
    plan = plan_of(data)
    assert plan.is_valid
    [changed] = plan.of("change")
    assert changed.parsed.key == "7.5"
    assert [(c.label, c.old, c.new) for c in changed.changes] == [
        ("完成时限", "常态化", "2026年6月底"),
        ("牵头单位", "区应急管理局", "区应急管理局、区交通局"),
    ]
    task_list_import_apply(plan=plan, user=office_user, source="test")
    task = Task.objects.get(campaign=campaign, key="7.5")
    assert task.deadline_kind == "fixed" and str(task.deadline_date) == "2026-06-30"
    assert [u.name for u in task.lead_units] == ["区应急管理局", "区交通局"]
    entry = AuditEntry.objects.get(action="tasks.task.changed_by_import")
    assert entry.user == office_user and entry.object_id == str(task.pk)


def test_an_unknown_unit_is_an_error_with_suggestions_and_nothing_is_written(campaign):
    data = export_bytes(campaign)
    good, bad = task_row(data, "7.5"), task_row(data, "8.2")
    data = edited(data, {f"D{good}": "5.改过的任务内容", f"F{bad}": "区农业农村局、区不存在局、区应急管理"})
    before = snapshot(campaign)
    plan = plan_of(data)
    assert not plan.is_valid
    messages = [(e.row, e.message) for e in plan.errors]
    assert any(row == bad and "区不存在局" in m for row, m in messages)
    assert any(row == bad and "区应急管理" in m and "是否为:区应急管理局" in m for row, m in messages)
    with pytest.raises(ImportRejected):
        task_list_import_apply(plan=plan)
    assert snapshot(campaign) == before


def test_an_unreadable_deadline_and_a_missing_measure_are_row_errors_with_the_excel_row(campaign):
    data = export_bytes(campaign)
    row = task_row(data, "7.5")
    data = edited(data, {f"E{row}": "明年春天", "C4": None, "B4": None})
    errors = {e.row: e.message for e in plan_of(data).errors}
    assert "无法识别的完成时限“明年春天”" in errors[row]
    assert "缺少落实举措" in errors[4]


def test_a_workbook_saved_by_libreoffice_imports_without_changes(campaign):
    data = (FIXTURES / "annex-saved-by-libreoffice.xlsx").read_bytes()
    assert b"LibreOffice" in zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml")
    plan = plan_of(data)
    assert plan.is_valid, plan.errors
    # This file came from an earlier export, which printed 1.1's supporting units rebuilt from the
    # units ("区各相关部门、镇(街道、园区)按职责分工负责") instead of the annex's own words: the only
    # difference is that wording; the units are the same.
    assert len(plan.of("same")) == 71
    (changed,) = plan.of("change")
    assert changed.parsed.key == "1.1" and [c.field for c in changed.changes] == ["support"]
    assert changed.existing.support_unit_ids == [u.pk for u in changed.support_units]
    assert changed.changes[0].old == "区各相关部门按职责分工负责,镇(街道、园区)政府(办事处、管委会、办公室)负责"


def messy_workbook() -> bytes:
    """The annex as a person might retype it: no merges, headings only on their first row,
    a cell broken over two rows, full-width/half-width punctuation, stray spaces and line breaks."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(["宁波市鄞州区安全生产治本攻坚行动任务清单"])
    sheet.append([])
    sheet.append(["序号", "主要任务", "落实举措", "具体任务", "完成时限", " 牵头单位 ", "责任(配合)\n单位"])
    sheet.append([None, "落实“源头防”举措", "(一) 强化项目源头管控。", "1.有效衔接国土空间规划,保障大型危险品存储用地。",
                  "常态化", "区自然资源规划分局", "区各相关部门, 镇(街道、园区)按职责分工负责"])
    sheet.append([None, None, None, "2.建立完善各类发展规划安全风险评估会商机制,制定并严格落实开发区、工业园区等重点区域产业“禁限控”目录。",
                  " 常态化 ", "区发改局,区商务局、\n区经信局", None])
    sheet.append([None, None, None, None, None, "区应急管理局 按职责分工负责", None])  # continuation row
    sheet.append([None, "落实“源头防”举措", "(十)全力推进消防基础设施治本", "4.推进一项新任务。", "2025年3月底", "区住建局、区水利局", None])
    sheet.append([None, None, None, None, None, "、区消防救援大队等按职责分工负责", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_messy_hand_made_sheet_is_read_like_the_annex(campaign):
    plan = plan_of(messy_workbook())
    assert plan.is_valid, plan.errors
    rows = {r.parsed.key: r for r in plan.rows}
    assert set(rows) == {"1.1", "1.2", "10.4"}
    # 1.1: the same units, retyped in other words than the annex's: a change of wording only.
    assert [c.field for c in rows["1.1"].changes] == ["support"]
    assert rows["1.1"].existing.support_unit_ids == [u.pk for u in rows["1.1"].support_units]
    assert rows["1.2"].action == "same"  # "区发改局,区商务局、\n区经信局" + continuation row
    assert rows["10.4"].action == "change"
    assert [(c.label, c.new) for c in rows["10.4"].changes] == [
        ("具体任务", "推进一项新任务。"),
        ("完成时限", "2025年3月底"),
    ]
    assert rows["10.4"].lead_text == "区住建局、区水利局、区消防救援大队等按职责分工负责"
    assert plan.standing_change is None


def test_a_stale_sheet_dimension_still_imports_every_row(campaign):
    data = export_bytes(campaign)
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:G75"/>' in content
                content = content.replace(b'<dimension ref="A1:G75"/>', b'<dimension ref="A1:G3"/>')
            target.writestr(item, content)
    stale = buffer.getvalue()
    # openpyxl's read-only mode trusts the stale dimension and sees only the header.
    ro = openpyxl.load_workbook(io.BytesIO(stale), read_only=True).worksheets[0]
    assert len(list(ro.iter_rows())) == 3
    plan = plan_of(stale)
    assert len(plan.rows) == 72 and not plan.has_changes


def test_the_import_command_previews_with_dry_run_and_applies_otherwise(campaign, tmp_path):
    data = export_bytes(campaign)
    row = task_row(data, "7.5")
    path = tmp_path / "list.xlsx"
    path.write_bytes(edited(data, {f"E{row}": "2025年底"}))
    out = io.StringIO()
    call_command("import_tasks", str(path), "--dry-run", stdout=out)
    assert "修改 1" in out.getvalue() and "完成时限:常态化 → 2025年底" in out.getvalue()
    assert Task.objects.get(campaign=campaign, key="7.5").deadline_text == "常态化"
    call_command("import_tasks", str(path), stdout=io.StringIO())
    assert Task.objects.get(campaign=campaign, key="7.5").deadline_text == "2025年底"


def test_the_import_command_refuses_a_file_with_errors(campaign, tmp_path):
    data = export_bytes(campaign)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(edited(data, {f"F{task_row(data, '7.5')}": "区不存在局"}))
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_tasks", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Task.objects.get(campaign=campaign, key="7.5").lead_units_text == "区应急管理局"


def test_a_new_task_and_a_changed_measure_title_are_added(campaign):
    data = export_bytes(campaign)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    sheet[f"C{task_row(data, '16.1')}"] = "(十六)新的举措名称"
    sheet.append(["", "", "", "9.新增的任务。", "2026年底", "区应急管理局", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = plan_of(buffer.getvalue())
    assert plan.is_valid, plan.errors
    [added] = plan.of("add")
    assert added.parsed.key == "16.9"
    assert [(c.old, c.new) for c in plan.measures[16].changes] == [(Measure.objects.get(number=16).title, "新的举措名称")]
    counts = task_list_import_apply(plan=plan)
    assert counts["added"] == 1 and counts["measures"] == 1
    assert Measure.objects.get(number=16).title == "新的举措名称"
    assert Task.objects.get(campaign=campaign, key="16.9").content == "新增的任务。"


def test_rows_with_errors_are_counted_as_errors_not_as_unchanged(campaign):
    data = export_bytes(campaign)
    bad = task_row(data, "8.2")
    preview = plan_of(edited(data, {f"F{bad}": "区不存在局"})).preview()
    assert preview["counts"]["error_rows"] == 1 and preview["counts"]["errors"] >= 1
    assert preview["counts"]["unchanged"] == 71 and "8.2" not in preview["unchanged"]


def test_the_preview_warns_of_a_change_that_makes_a_task_overdue_at_once(campaign):
    import datetime

    past = Task.objects.filter(campaign=campaign, deadline_date__lt=datetime.date(2025, 1, 1)).exclude(key="7.5")
    past_key = past.order_by("sort_order").first().key
    data = export_bytes(campaign)
    ongoing, later, already = task_row(data, "7.5"), task_row(data, "8.2"), task_row(data, past_key)
    data = edited(data, {f"E{ongoing}": "2026年6月底", f"E{later}": "2027年6月底", f"E{already}": "2024年6月底"})
    preview = plan_of(data).preview(today=datetime.date(2026, 12, 3))
    # 7.5 (常态化 → a date past): warned; 8.2 (a date to come): not; a task already past before: not.
    assert [(o["key"], o["old"], o["deadline"]) for o in preview["overdue"]] == [("7.5", "常态化", "2026年6月底")]
    assert preview["counts"]["overdue"] == 1

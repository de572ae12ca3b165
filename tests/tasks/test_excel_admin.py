"""The Task admin's import/export (django-import-export with tasks.excel.admin_io)."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats.base_formats import XLSX

from audit.models import AuditEntry
from departments.models import Unit, User
from tasks.excel.admin_io import AnnexXLSX, TaskResource
from tasks.models import Task, TaskImport

from .excel_helpers import edited, export_bytes, snapshot, task_row

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:tasks_task_import"
PROCESS_URL = "admin:tasks_task_process_import"
EXPORT_URL = "admin:tasks_task_export"


@pytest.fixture
def admin_client(client, campaign):
    user = User.objects.create_superuser(username="it-admin", password="x-very-long-password-1", email="")
    client.force_login(user)
    return client


def admin_upload(client, data: bytes, name="任务清单.xlsx"):
    return client.post(reverse(IMPORT_URL), {"import_file": SimpleUploadedFile(name, data), "format": "0"})


def test_an_admin_import_with_one_unknown_unit_imports_nothing_and_suggests_the_closest_names(admin_client, campaign):
    data = export_bytes(campaign)
    good, bad = task_row(data, "7.5"), task_row(data, "8.2")
    data = edited(data, {f"E{good}": "2026年底", f"F{bad}": "区农业农村局、区应急管理"})
    before = snapshot(campaign)
    response = admin_upload(admin_client, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "牵头单位“区应急管理”不在单位名录中,是否为:区应急管理局" in page
    assert 'name="import_file_name"' not in page  # no confirm form
    assert snapshot(campaign) == before
    # And at the resource level, outside the preview: the valid row is rolled back with the bad one.
    dataset = AnnexXLSX().create_dataset(data)
    result = TaskResource().import_data(dataset, dry_run=False, raise_errors=False)
    assert result.has_validation_errors()
    assert snapshot(campaign) == before
    assert not AuditEntry.objects.filter(action__in=["tasks.task.imported", "tasks.task.changed_by_import"]).exists()


def test_the_stock_many_to_many_widget_would_have_dropped_the_unknown_unit():
    # Why UnitListWidget exists: the trap it avoids, measured (pitfalls.md).
    from import_export.widgets import ManyToManyWidget

    Unit.objects.create(name="区委办", kind="department")
    cleaned = ManyToManyWidget(Unit, separator="、", field="name").clean("区委办、区不存在局")
    assert [u.name for u in cleaned] == ["区委办"]


def test_a_valid_admin_import_previews_then_creates_and_updates_tasks(admin_client, campaign):
    data = export_bytes(campaign)
    row = task_row(data, "7.5")
    workbook = openpyxl.load_workbook(io.BytesIO(edited(data, {f"E{row}": "2026年底", f"G{row}": "区交通局"})))
    workbook.worksheets[0].append(["", "", "", "9.新增的任务。", "2026年底", "区应急管理局、区住建局等按职责分工负责", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = admin_upload(admin_client, buffer.getvalue())
    assert response.status_code == 200
    form = response.context["confirm_form"]
    assert form is not None
    assert Task.objects.get(campaign=campaign, key="7.5").deadline_text == "常态化"  # the preview wrote nothing
    assert not Task.objects.filter(campaign=campaign, key="16.9").exists()

    response = admin_client.post(reverse(PROCESS_URL), {**form.initial})
    assert response.status_code == 302
    task = Task.objects.with_annex().get(campaign=campaign, key="7.5")
    assert task.deadline_text == "2026年底" and task.deadline_kind == "fixed"
    assert [u.name for u in task.support_units] == ["区交通局"]
    assert [u.name for u in task.lead_units] == ["区应急管理局"]
    new = Task.objects.with_annex().get(campaign=campaign, key="16.9")
    assert new.content == "新增的任务。" and new.measure.number == 16 and new.number == 9
    assert new.lead_units_text == "区应急管理局、区住建局等按职责分工负责"
    assert all(a.per_duty for a in new.lead_assignments)
    assert Task.objects.filter(campaign=campaign).count() == 73
    assert AuditEntry.objects.filter(action="tasks.task.imported", object_id=str(new.pk)).exists()
    # Only the two rows changed anything: the other 71 were skipped as unchanged.
    assert AuditEntry.objects.filter(action="tasks.task.changed_by_import").count() == 1


def test_a_file_the_admin_refuses_says_why_in_chinese(admin_client, campaign):
    response = admin_upload(admin_client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, name="旧.xls")
    assert response.status_code == 200
    assert "Excel 97-2003" in response.content.decode()


def test_admin_export_downloads_a_workbook_of_the_annex_columns_with_formulas_as_text(admin_client, campaign):
    Task.objects.filter(campaign=campaign, key="7.5").update(content="=HYPERLINK(\"http://x\",\"y\")")
    fields = {f"taskresource_{name}": "on" for name in TaskResource.Meta.fields}
    response = admin_client.post(reverse(EXPORT_URL), {"format": "0", **fields})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX.CONTENT_TYPE
    assert "filename*=utf-8''%E5%85%B7%E4%BD%93%E4%BB%BB%E5%8A%A1-" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["方案", "序号", "主要任务", "落实举措", "具体任务", "完成时限", "牵头单位", "责任(配合)单位"]
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=2)}
    assert len(rows) == 72
    assert rows["7.5"][4].value == '5.=HYPERLINK("http://x","y")'
    assert rows["1.1"][2].value == "落实“源头防”举措" and rows["1.1"][3].value == "(一)强化项目源头管控"
    assert rows["10.4"][6].value == "区住建局、区水利局、区消防救援大队等按职责分工负责"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_an_admin_export_imports_back_without_changes(admin_client, campaign):
    fields = {f"taskresource_{name}": "on" for name in TaskResource.Meta.fields}
    data = admin_client.post(reverse(EXPORT_URL), {"format": "0", **fields}).content
    result = TaskResource().import_data(AnnexXLSX().create_dataset(data), dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 72


@pytest.mark.parametrize("who", ["liaison", "office_user"])
def test_non_staff_cannot_reach_the_admin_import_or_export(client, request, campaign, who):
    user = request.getfixturevalue(who)
    assert not user.is_staff
    client.force_login(user)
    for url in (IMPORT_URL, EXPORT_URL):
        response = client.get(reverse(url))
        assert response.status_code == 302 and "/login/" in response["Location"]
    before = snapshot(campaign)
    response = client.post(reverse(IMPORT_URL), {"import_file": SimpleUploadedFile("a.xlsx", export_bytes(campaign)), "format": "0"})
    assert response.status_code == 302
    assert snapshot(campaign) == before


def test_the_task_imports_are_listed_read_only_in_the_admin(admin_client, campaign):
    response = admin_client.get(reverse("admin:tasks_taskimport_changelist"))
    assert response.status_code == 200
    assert admin_client.get(reverse("admin:tasks_taskimport_add")).status_code == 403
    page = admin_client.get(reverse("admin:tasks_task_changelist")).content.decode()
    assert re.search(r"""href=['"][^'"]*/task/import/['"]""", page) and re.search(r"""href=['"][^'"]*/task/export/""", page)

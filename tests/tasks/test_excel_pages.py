import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from tasks.models import Task, TaskImport, TaskImportState

from .excel_helpers import edited, export_bytes, task_row

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name="任务清单.xlsx"):
    return client.post(reverse("tasks:import_upload"), {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize("who", ["liaison", "viewer"])
def test_only_the_office_may_use_the_import_pages(client, request, campaign, office_user, who):
    client.force_login(office_user)
    upload(client, export_bytes(campaign))
    item = TaskImport.objects.get()
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("tasks:import_upload")).status_code == 403
    assert upload(client, export_bytes(campaign)).status_code == 403
    assert client.get(reverse("tasks:import_detail", args=[item.pk])).status_code == 403
    assert client.post(reverse("tasks:import_confirm", args=[item.pk])).status_code == 403
    assert client.post(reverse("tasks:import_cancel", args=[item.pk])).status_code == 403
    assert TaskImport.objects.count() == 1
    item.refresh_from_db()
    assert item.state == TaskImportState.READY


def test_the_import_pages_need_a_login(client, campaign):
    assert client.get(reverse("tasks:import_upload")).status_code == 302


def test_the_office_uploads_previews_and_confirms_a_change(client, campaign, office_user):
    data = export_bytes(campaign)
    row = task_row(data, "7.5")
    client.force_login(office_user)
    response = upload(client, edited(data, {f"E{row}": "2026年底"}))
    item = TaskImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tasks:import_detail", args=[item.pk])
    page = client.get(response["Location"]).content.decode()
    assert "修改的任务(1)" in page and "常态化" in page and "2026年底" in page and "确认导入" in page
    assert Task.objects.get(campaign=campaign, key="7.5").deadline_text == "常态化"  # nothing written yet

    response = client.post(reverse("tasks:import_confirm", args=[item.pk]), follow=True)
    assert "导入完成:新增 0 项,修改 1 项" in response.content.decode()
    assert Task.objects.get(campaign=campaign, key="7.5").deadline_text == "2026年底"
    item.refresh_from_db()
    assert item.state == TaskImportState.APPLIED
    assert AuditEntry.objects.filter(action="tasks.import.applied", user=office_user).exists()
    # Confirming twice does nothing more.
    client.post(reverse("tasks:import_confirm", args=[item.pk]))
    assert AuditEntry.objects.filter(action="tasks.task.changed_by_import").count() == 1


def test_a_file_with_errors_cannot_be_confirmed(client, campaign, office_user):
    data = export_bytes(campaign)
    client.force_login(office_user)
    upload(client, edited(data, {f"F{task_row(data, '8.2')}": "区不存在局"}))
    item = TaskImport.objects.get()
    page = client.get(reverse("tasks:import_detail", args=[item.pk])).content.decode()
    assert "区不存在局" in page and "确认导入" not in page
    assert "错误(1 行任务)" in page and "未变</div>" in page
    assert item.preview["counts"]["unchanged"] == 71
    client.post(reverse("tasks:import_confirm", args=[item.pk]))
    assert Task.objects.get(campaign=campaign, key="8.2").lead_units_text == "区农业农村局"


def test_the_preview_page_warns_before_an_import_makes_a_task_overdue(client, campaign, office_user):
    data = export_bytes(campaign)
    client.force_login(office_user)
    upload(client, edited(data, {f"E{task_row(data, '7.5')}": "2026年6月底"}))  # today is later than that
    page = client.get(reverse("tasks:import_detail", args=[TaskImport.objects.get().pk])).content.decode()
    assert "导入后以下 1 项任务的完成时限已过" in page and "任务 7.5:常态化 → 2026年6月底" in page
    assert "确认导入" in page  # a warning, not an error


def test_a_large_file_is_read_after_commit_and_even_a_broker_outage_loses_nothing(
    client, campaign, office_user, settings, django_capture_on_commit_callbacks, broker_at
):
    settings.TASK_IMPORT_INLINE_MAX_BYTES = 0  # every file counts as large
    broker_at("redis://127.0.0.1:1/0")  # nothing listens there: the broker is down
    client.force_login(office_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(client, export_bytes(campaign))
    item = TaskImport.objects.get()
    assert item.state == TaskImportState.QUEUED
    page = client.get(reverse("tasks:import_detail", args=[item.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="1">' in page
    for callback in callbacks:
        callback()  # the broker refuses: the read runs right here instead
    item.refresh_from_db()
    assert item.state == TaskImportState.READY and item.progress == 100
    assert item.preview["counts"]["unchanged"] == 72

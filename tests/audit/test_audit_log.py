import io
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry
from audit.services import log_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(office_user, liaison):
    for i in range(60):
        log_action("tasks.task.changed", user=liaison, obj=liaison.unit, data={"n": i}, ip_address="10.0.0.9")
    log_action("reports.report.submitted", user=office_user, data={"note": "=HYPERLINK(\"http://evil\")"})
    return AuditEntry.objects.count()


def test_office_staff_see_the_log_paginated_in_a_fixed_number_of_queries(client, office_user, entries, django_assert_max_num_queries):
    client.force_login(office_user)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("audit:log"))
    assert response.status_code == 200
    assert len(response.context["page"]) == 50
    total = AuditEntry.objects.count()  # the entries, the seeding's and the login's
    assert total >= 61 and response.context["page"].paginator.count == total
    with django_assert_max_num_queries(9):
        response = client.get(reverse("audit:log"), {"page": 2})
    assert len(response.context["page"]) == min(50, total - 50)
    last = response.context["page"].paginator.num_pages
    assert len(client.get(reverse("audit:log"), {"page": last}).context["page"]) == total - 50 * (last - 1)


def test_the_log_filters_by_user_action_type_and_dates(client, office_user, entries):
    client.force_login(office_user)
    page = client.get(reverse("audit:log"), {"username": "office"}).context["page"]
    assert {e.username for e in page} == {"office"}
    page = client.get(reverse("audit:log"), {"action": "tasks.task.changed"}).context["page"]
    assert page.paginator.count == 60
    page = client.get(reverse("audit:log"), {"object_type": "departments.unit"}).context["page"]
    assert page.paginator.count == AuditEntry.objects.filter(object_type="departments.unit").count() >= 60
    assert {e.object_type for e in page} == {"departments.unit"}
    today = timezone.localdate()
    page = client.get(reverse("audit:log"), {"date_from": today + timedelta(days=1)}).context["page"]
    assert page.paginator.count == 0
    page = client.get(reverse("audit:log"), {"date_from": today, "date_to": today}).context["page"]
    assert page.paginator.count == AuditEntry.objects.count()


def test_bad_filter_values_do_not_break_the_log(client, office_user, entries):
    client.force_login(office_user)
    response = client.get(reverse("audit:log"), {"date_from": "不是日期", "action": "x.y", "page": "abc"})
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["liaison", "viewer"])
def test_liaisons_and_viewers_may_not_read_the_log(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403


def test_the_log_needs_a_login(client):
    assert client.get(reverse("audit:log")).status_code == 302


def test_the_export_is_an_xlsx_with_a_chinese_name_and_text_that_is_never_a_formula(client, office_user, entries):
    client.force_login(office_user)
    response = client.get(reverse("audit:export"), {"action": "reports.report.submitted"})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''%E6%93%8D%E4%BD%9C%E6%97%A5%E5%BF%97" in disposition
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "操作", "对象", "内容", "来源地址")
    assert len(rows) == 2
    data_cell = wb.active.cell(row=2, column=5)
    assert data_cell.data_type == "s"
    assert "HYPERLINK" in data_cell.value


def test_the_database_refuses_to_update_or_delete_audit_entries(office_user):
    assert connection.vendor == "postgresql"
    entry = log_action("tasks.task.changed", user=office_user, data={"x": 1})
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.action == "tasks.task.changed"


def test_deleting_an_account_keeps_its_entries_with_the_username(liaison):
    entry = log_action("tasks.task.changed", user=liaison)
    liaison.delete()
    entry.refresh_from_db()
    assert entry.user_id is None and entry.username == "yjj"


def test_account_changes_in_the_admin_are_audited_without_values(client, admin_user, liaison):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_password_change", args=[liaison.pk])
    response = client.post(url, {"password1": "A-new-long-passphrase-77", "password2": "A-new-long-passphrase-77", "usable_password": "true"})
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="departments.user.changed_in_admin").get()
    assert entry.user == admin_user and entry.object_id == str(liaison.pk)
    assert "A-new-long-passphrase-77" not in str(entry.data)
    assert entry.ip_address == "127.0.0.1"


def test_text_pasted_from_word_still_exports(client, office_user, campaign):
    """Word's manual line break is \\x0b, which XML (hence .xlsx) cannot hold: dropped, not a 500."""
    from tasks.models import Task

    task = Task.objects.get(campaign=campaign, key="5.6")
    task.content = "组织技能竞赛\x0b每年一次"
    log_action("tasks.task.changed", user=office_user, obj=task, data={"text": task.content})
    client.force_login(office_user)
    response = client.get(reverse("audit:export"), {"action": "tasks.task.changed"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "组织技能竞赛每年一次" in wb.active.cell(row=2, column=5).value

"""The permission matrix of the reporting pages: every role × every action.

Roles: liaison of the lead unit, of a supporting unit, of an unassigned unit, office, viewer,
anonymous. Forbidden answers 403 (anonymous: a redirect to the login page) and changes nothing.
"""

import pytest
from django.urls import reverse

from reports.models import Attachment, ProgressReport, ReportState, ReportVersion
from tests.reports.pages_helpers import form_payload, pdf_upload, task_named, write_report

pytestmark = pytest.mark.django_db

ROLES = ["lead", "support", "unassigned", "office", "viewer", "anonymous"]
LIAISONS = {"lead", "support", "unassigned"}
READERS = {"lead", "support", "office", "viewer"}
WRITERS = {"lead", "support"}


@pytest.fixture
def world(campaign, liaison, other_liaison, office_user, viewer, designate):
    """5.6: lead 区应急管理局 (liaison), support 区农业农村局, named by the office among the group
    区安委会相关成员单位 (other_liaison). 7.5: lead 区应急管理局 only — 区农业农村局 is not
    assigned (other_liaison as outsider)."""
    designate("5.6", "区农业农村局")
    t56, t75 = task_named(campaign, "5.6"), task_named(campaign, "7.5")
    reports = {
        "5.6": write_report(liaison, t56, progress="五点六的机密进展", files=[pdf_upload()]),
        "7.5": write_report(liaison, t75, progress="七点五的机密进展", files=[pdf_upload()]),
    }
    cast = {
        "lead": (liaison, t56),
        "support": (other_liaison, t56),
        "unassigned": (other_liaison, t75),
        "office": (office_user, t56),
        "viewer": (viewer, t56),
        "anonymous": (None, t56),
    }
    return cast, reports


def act_as(client, world, role):
    cast, reports = world
    user, task = cast[role]
    if user is not None:
        client.force_login(user)
    return task, reports[task.key]


def snapshot():
    return (
        list(ProgressReport.objects.order_by("pk").values_list("pk", "state", "version", "progress")),
        ReportVersion.objects.count(),
        Attachment.objects.count(),
    )


def assert_refused(response, role):
    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_my_tasks_is_for_liaisons(client, world, role):
    act_as(client, world, role)
    response = client.get(reverse("reports:my_tasks"))
    if role in LIAISONS:
        assert response.status_code == 200
    else:
        assert_refused(response, role)


@pytest.mark.parametrize("role", ROLES)
def test_the_task_page_shows_the_annex_to_everyone_signed_in(client, world, role):
    task, _ = act_as(client, world, role)
    response = client.get(reverse("reports:task_detail", args=[task.campaign_id, task.key]))
    if role == "anonymous":
        assert_refused(response, role)
    else:
        assert response.status_code == 200
        assert task.content[:20] in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_report_contents_are_shown_only_to_assigned_units_office_and_viewers(client, world, role):
    task, report = act_as(client, world, role)
    response = client.get(reverse("reports:task_detail", args=[task.campaign_id, task.key]))
    if role == "anonymous":
        return assert_refused(response, role)
    content = response.content.decode()
    if role in READERS:
        assert report.progress in content
        assert reverse("reports:attachment_download", args=[report.attachments.get().pk]) in content
        assert report.audit_name in content  # the report's history entry
    else:
        assert report.progress not in content
        assert "不能查看报送内容" in content
        assert report.audit_name not in content  # nor its history


@pytest.mark.parametrize("role", ROLES)
def test_the_report_form_opens_only_for_liaisons_of_assigned_units(client, world, role):
    task, _ = act_as(client, world, role)
    response = client.get(reverse("reports:report_form", args=[task.campaign_id, task.key]))
    if role in WRITERS:
        assert response.status_code == 200
    else:
        assert_refused(response, role)


@pytest.mark.parametrize("role", ROLES)
def test_posting_a_report_is_refused_unless_assigned_and_changes_nothing(client, world, role):
    task, report = act_as(client, world, role)
    before = snapshot()
    version = str(report.version) if role == "lead" else ""
    response = client.post(
        reverse("reports:report_form", args=[task.campaign_id, task.key]), form_payload(progress="越权写入", version=version)
    )
    if role in WRITERS:
        assert response.status_code == 302
        own = ProgressReport.objects.get(task=task, unit=world[0][role][0].unit, period__code="2026Q4")
        assert own.progress == "越权写入"
        assert own.role == ("lead" if role == "lead" else "support")
    else:
        assert_refused(response, role)
        assert snapshot() == before
        assert not ProgressReport.objects.filter(progress="越权写入").exists()


@pytest.mark.parametrize("role", ROLES)
def test_attachments_download_only_for_readers_of_the_task(client, world, role):
    _, report = act_as(client, world, role)
    attachment = report.attachments.get()
    response = client.get(reverse("reports:attachment_download", args=[attachment.pk]))
    if role in READERS:
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E4%BD%90%E8%AF%81.pdf"
        assert response["Content-Type"] == "application/pdf"
    elif role == "unassigned":  # another unit's task: outside its scope, as if it did not exist
        assert response.status_code == 404
    else:
        assert_refused(response, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("decision", ["approve", "return"])
def test_only_the_office_reviews(client, world, role, decision):
    _, report = act_as(client, world, role)
    before = snapshot()
    page = client.get(reverse("reports:review_detail", args=[report.pk]))
    queue = client.get(reverse("reports:review_queue"))
    response = client.post(
        reverse("reports:review_detail", args=[report.pk]),
        {"decision": decision, "comment": "请补充现场照片", "version": report.version},
    )
    report.refresh_from_db()
    if role == "office":
        assert page.status_code == 200 and queue.status_code == 200
        assert response.status_code == 302
        assert report.state == (ReportState.APPROVED if decision == "approve" else ReportState.RETURNED)
    else:
        for answer in (page, queue, response):
            assert_refused(answer, role)
        assert report.state == ReportState.SUBMITTED
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_missing_reports_list_is_for_office_and_viewers(client, world, role):
    act_as(client, world, role)
    response = client.get(reverse("reports:missing_reports"), {"period": "2026Q4"})
    if role in {"office", "viewer"}:
        assert response.status_code == 200
    else:
        assert_refused(response, role)


def test_unknown_ids_and_keys_answer_404_not_500(client, world):
    act_as(client, world, "office")
    assert client.get(reverse("reports:review_detail", args=[999999])).status_code == 404
    assert client.get(reverse("reports:attachment_download", args=[999999])).status_code == 404
    campaign_id = world[0]["lead"][1].campaign_id
    assert client.get(reverse("reports:task_detail", args=[campaign_id, "99.9"])).status_code == 404
    assert client.get(reverse("reports:task_detail", args=[999999, "5.6"])).status_code == 404
    assert client.get("/tasks/99.9/").status_code == 404
    act_as(client, world, "lead")
    assert client.get(reverse("reports:report_form_period", args=[campaign_id, "5.6", "2031Q9"])).status_code == 404

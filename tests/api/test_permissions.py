"""The API's permission matrix: role × own/other unit × every endpoint and action.

Forbidden calls answer 401/403 and change nothing (reports, versions, reviews, audit log).
"""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from reports.models import ProgressReport, ReportReview, ReportVersion
from reports.services import ReportInput, report_save
from tests.api.helpers import task_api_url

pytestmark = pytest.mark.django_db

ROLES = ["office_user", "liaison", "other_liaison", "viewer", "anonymous"]
REPORT = {"period": "2026Q4", "status": "in_progress", "progress": "接入在线监测", "submit": True}


@pytest.fixture
def as_role(request, client_for):
    def make(role):
        user = None if role == "anonymous" else request.getfixturevalue(role)
        return client_for(user)

    return make


def snapshot():
    """Everything a write could change."""
    return (
        list(ProgressReport.objects.order_by("pk").values_list("pk", "state", "version", "progress", "review_comment")),
        ReportVersion.objects.count(),
        ReportReview.objects.count(),
        AuditEntry.objects.count(),
    )


def expect(status, before):
    """On a refusal, nothing changed."""
    if status in (401, 403, 404):
        assert snapshot() == before


@pytest.mark.parametrize("role, status", [
    ("office_user", 200), ("liaison", 200), ("other_liaison", 200), ("viewer", 200), ("anonymous", 401),
])
def test_everyone_signed_in_reads_the_task_list_and_a_task(as_role, campaign, role, status):
    client = as_role(role)
    assert client.get(reverse("api:task-list")).status_code == status
    assert client.get(task_api_url("api:task-detail", "7.5")).status_code == status


@pytest.mark.parametrize("role, status", [
    ("office_user", 403), ("liaison", 201), ("other_liaison", 403), ("viewer", 403), ("anonymous", 401),
])
def test_only_a_liaison_of_an_assigned_unit_creates_a_report(as_role, campaign, liaison, role, status):
    client = as_role(role)  # (creating the user is itself audited: before the snapshot)
    before = snapshot()
    response = client.post(task_api_url("api:task-reports", "7.5"), REPORT, format="json")
    assert response.status_code == status
    expect(status, before)
    if status == 403:
        assert response.json()["detail"] in {"只有联络员可以填报进展。", "本单位不承担这项任务,不能填报。"}


def test_a_forbidden_writer_gets_403_even_with_bad_input(as_role, campaign):
    client = as_role("other_liaison")
    before = snapshot()
    response = client.post(task_api_url("api:task-reports", "7.5"), {"percent": 500}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_a_supporting_unit_writes_its_own_contribution(as_role, campaign, task_56):
    response = as_role("other_liaison").post(task_api_url("api:task-reports", "5.6"), {**REPORT, "percent": 20},
                                             format="json")
    assert response.status_code == 201
    assert (response.json()["unit"], response.json()["role"]) == ("区农业农村局", "support")


@pytest.mark.parametrize("role, status", [
    ("office_user", 403), ("liaison", 200), ("other_liaison", 403), ("viewer", 403), ("anonymous", 401),
])
def test_only_the_reports_own_unit_patches_it(as_role, submitted_report, role, status):
    client = as_role(role)
    before = snapshot()
    response = client.patch(reverse("api:report-detail", args=[submitted_report.pk]),
                                   {"version": 1, "progress": "改写"}, format="json")
    assert response.status_code == status
    expect(status, before)


def test_a_liaison_of_another_unit_on_the_same_task_cannot_patch_or_repost_its_report(
    as_role, liaison, task_56, period
):
    """区农业农村局 supports 5.6, but 区应急管理局's report on it is not theirs."""
    report = report_save(user=liaison, task=task_56, period=period, submit=True,
                         data=ReportInput(status="in_progress", percent=40, progress="牵头单位的内容"))
    client = as_role("other_liaison")
    before = snapshot()
    response = client.patch(reverse("api:report-detail", args=[report.pk]), {"version": 1, "progress": "篡改"},
                             format="json")
    assert response.status_code == 403 and response.json()["detail"] == "只能修改本单位的报送。"
    assert snapshot() == before
    # Their own POST on the task makes their own report; the lead's is untouched.
    client.post(task_api_url("api:task-reports", "5.6"), {**REPORT, "percent": 10}, format="json")
    report.refresh_from_db()
    assert report.progress == "牵头单位的内容" and report.version == 1


@pytest.mark.parametrize("role, status, sees_it", [
    ("office_user", 200, True), ("liaison", 200, True), ("other_liaison", 200, False), ("viewer", 200, True),
    ("anonymous", 401, False),
])
def test_the_report_list_shows_only_reports_of_the_users_tasks(as_role, submitted_report, role, status, sees_it):
    response = as_role(role).get(reverse("api:report-list"))
    assert response.status_code == status
    if status == 200:
        assert (submitted_report.pk in [r["id"] for r in response.json()["results"]]) is sees_it
        # Filtering by the task does not reveal it either.
        filtered = as_role(role).get(reverse("api:report-list"), {"task": "7.5"}).json()["results"]
        assert bool(filtered) is sees_it


def test_a_liaison_sees_reports_of_tasks_it_supports_through_a_group(as_role, liaison, task_56, period):
    report = report_save(user=liaison, task=task_56, period=period, submit=True,
                         data=ReportInput(status="in_progress", percent=40, progress="牵头单位的内容"))
    ids = [r["id"] for r in as_role("other_liaison").get(reverse("api:report-list")).json()["results"]]
    assert ids == [report.pk]
    assert as_role("other_liaison").get(reverse("api:report-detail", args=[report.pk])).status_code == 200


@pytest.mark.parametrize("role, status", [
    ("office_user", 200), ("liaison", 200), ("other_liaison", 404), ("viewer", 200), ("anonymous", 401),
])
def test_a_report_is_read_by_the_office_viewers_and_units_on_its_task(as_role, submitted_report, role, status):
    """Another unit's task's report is outside the liaison's scope: 404, as if it did not exist."""
    response = as_role(role).get(reverse("api:report-detail", args=[submitted_report.pk]))
    assert response.status_code == status
    if status == 404:
        assert "progress" not in response.json()


@pytest.mark.parametrize("role, status", [
    ("office_user", 200), ("liaison", 403), ("other_liaison", 403), ("viewer", 403), ("anonymous", 401),
])
def test_only_the_office_reviews(as_role, submitted_report, role, status):
    client = as_role(role)
    before = snapshot()
    response = client.post(reverse("api:report-review", args=[submitted_report.pk]),
                                  {"decision": "return", "comment": "请补充"}, format="json")
    assert response.status_code == status
    expect(status, before)
    submitted_report.refresh_from_db()
    assert submitted_report.state == ("returned" if status == 200 else "submitted")


@pytest.mark.parametrize("method, name, data", [
    ("get", "api:report-detail", None),
    ("patch", "api:report-detail", {"version": 1, "progress": "x"}),
    ("post", "api:report-review", {"decision": "approve"}),
])
def test_an_unknown_report_is_404(as_role, campaign, method, name, data):
    client = as_role("office_user") if name == "api:report-review" or method == "get" else as_role("liaison")
    response = getattr(client, method)(reverse(name, args=[987654]), data, format="json")
    assert response.status_code == 404
    assert response.json()["detail"] == "没有这份报送"

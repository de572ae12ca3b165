"""The governance API under /api/v1/governance/: each action, its permissions, errors and the schema."""

import datetime

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from reports.governance import services
from reports.models import ExtensionRequest, ProgressReport, SignOff, Supervision, SupervisionStep
from reports.services import ReportInput, report_save

from .governance_support import approved_report, pdf
from .governance_support import authority_task, ongoing_task, period, support_liaison, task  # noqa: F401

pytestmark = pytest.mark.django_db

SOON = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
API = "/api/v1/governance"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_supervision_cycle_through_the_api(office_user, liaison, task):
    office, lead = api(office_user), api(liaison)
    response = office.post(f"{API}/supervisions/", {"task": "5.6", "level": 2, "instruction": "请推进",
                                                     "respond_by": SOON}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["steps"][0]["kind"] == "opened"

    response = lead.post(f"{API}/supervisions/{pk}/answer/", {"text": "已整改", "attachments": [pdf()]},
                         format="multipart")
    assert response.status_code == 201 and response.json()["attachments"][0]["original_name"] == "佐证.pdf"
    response = office.post(f"{API}/supervisions/{pk}/raise/", {"level": 3, "respond_by": SOON}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "open"
    response = office.post(f"{API}/supervisions/{pk}/close/", {"comment": "办结"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    detail = lead.get(f"{API}/supervisions/{pk}/").json()
    assert [s["kind"] for s in detail["steps"]] == ["opened", "answered", "raised", "closed"]
    listed = office.get(f"{API}/supervisions/", {"state": "closed", "task": "5.6"}).json()
    assert listed["count"] == 1


def test_api_errors_have_the_right_status_and_chinese_messages(office_user, liaison, task):
    office = api(office_user)
    response = office.post(f"{API}/supervisions/", {"task": "5.6", "level": 7, "instruction": "",
                                                     "respond_by": "下周"}, format="json")
    assert response.status_code == 400
    body = response.json()["fields"]
    assert set(body) >= {"level", "instruction", "respond_by"} and "督办等级" in body["level"][0]
    assert office.post(f"{API}/supervisions/", {"task": "99.9", "level": 1, "instruction": "x",
                                                "respond_by": SOON}, format="json").status_code == 404
    ok = {"task": "5.6", "level": 1, "instruction": "请推进", "respond_by": SOON}
    assert office.post(f"{API}/supervisions/", ok, format="json").status_code == 201
    response = office.post(f"{API}/supervisions/", ok, format="json")
    assert response.status_code == 409 and "已有未办结的督办" in response.json()["detail"]
    response = office.post(f"{API}/supervisions/{Supervision.objects.get().pk}/raise/",
                           {"level": 1, "respond_by": SOON}, format="json")
    assert response.status_code == 400 and "高于" in response.json()["fields"]["level"][0]
    assert office.post(f"{API}/supervisions/999999/close/", {"comment": "x"}, format="json").status_code == 404


@pytest.mark.parametrize("who", ["liaison", "support_liaison", "viewer"])
def test_office_endpoints_are_403_for_others_and_change_nothing(request, who, office_user, liaison, task,
                                                                authority_task, period):
    supervision = services.supervision_open(user=office_user, task=task, level=1, instruction="请推进",
                                            respond_by=timezone.localdate() + datetime.timedelta(days=5))
    extension = services.extension_request(user=liaison, task=task, requested_date=datetime.date(2027, 6, 30),
                                           reason="理由")
    report = report_save(user=liaison, task=task, period=period,
                         data=ReportInput(status="in_progress", progress="推进", percent=50), submit=True)
    client = api(request.getfixturevalue(who))
    calls = [
        ("supervisions/", {"task": "5.6", "level": 1, "instruction": "x", "respond_by": SOON}),
        (f"supervisions/{supervision.pk}/raise/", {"level": 3, "respond_by": SOON}),
        (f"supervisions/{supervision.pk}/close/", {"comment": "办结"}),
        (f"tasks/{task.campaign_id}/5.6/sign-off/", {"comment": "销号"}),
        (f"tasks/{task.campaign_id}/5.6/reopen/", {"reason": "原因"}),
        ("tasks/5.6/sign-off/", {"comment": "销号"}),  # the old key-only path (deprecated)
        (f"extensions/{extension.pk}/decide/", {"decision": "approve"}),
        (f"tasks/{task.campaign_id}/7.4/authority-date/", {"date": "2027-01-01"}),
        (f"periods/{period.pk}/close/", {}),
        (f"reports/{report.pk}/reopen/", {"reason": "原因"}),
    ]
    for path, data in calls:
        response = client.post(f"{API}/{path}", data, format="json")
        assert response.status_code == 403, (path, response.content)
        assert "区安委办" in response.json()["detail"]
    supervision.refresh_from_db()
    period.refresh_from_db()
    assert (supervision.level, supervision.state, Supervision.objects.count()) == (1, "open", 1)
    assert ExtensionRequest.objects.get().state == "pending" and ExtensionRequest.objects.count() == 1
    assert period.closed_at is None and ProgressReport.objects.get().reopened_at is None
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("who", ["office_user", "support_liaison", "viewer"])
def test_lead_endpoints_are_403_for_others(request, who, office_user, task):
    supervision = services.supervision_open(user=office_user, task=task, level=1, instruction="请推进",
                                            respond_by=timezone.localdate() + datetime.timedelta(days=5))
    client = api(request.getfixturevalue(who))
    assert client.post(f"{API}/supervisions/{supervision.pk}/answer/", {"text": "答复"}).status_code == 403
    assert client.post(f"{API}/extensions/", {"task": "5.6", "requested_date": "2027-06-30", "reason": "理由"},
                       format="json").status_code == 403
    assert SupervisionStep.objects.count() == 1 and not ExtensionRequest.objects.exists()


def test_an_unassigned_liaison_neither_answers_nor_lists(office_user, other_liaison, ongoing_task):
    supervision = services.supervision_open(user=office_user, task=ongoing_task, level=1, instruction="请推进",
                                            respond_by=timezone.localdate() + datetime.timedelta(days=5))
    client = api(other_liaison)
    # Another unit's task: outside its scope, as if it did not exist.
    assert client.post(f"{API}/supervisions/{supervision.pk}/answer/", {"text": "答复"}).status_code == 404
    assert client.get(f"{API}/supervisions/{supervision.pk}/").status_code == 404
    assert client.get(f"{API}/supervisions/").json()["count"] == 0


def test_extensions_sign_off_and_periods_through_the_api(office_user, liaison, task, authority_task, period):
    office, lead = api(office_user), api(liaison)
    response = lead.post(f"{API}/extensions/", {"task": "5.6", "requested_date": "2027-06-30", "reason": "资金"},
                         format="json")
    assert response.status_code == 201 and response.json()["original_date"] == "2024-12-31"
    pk = response.json()["id"]
    assert office.get(f"{API}/extensions/", {"state": "pending"}).json()["count"] == 1
    response = office.post(f"{API}/extensions/{pk}/decide/", {"decision": "reject"}, format="json")
    assert response.status_code == 400 and "comment" in response.json()["fields"]
    response = office.post(f"{API}/extensions/{pk}/decide/", {"decision": "approve", "approved_date": "2027-03-31"},
                           format="json")
    assert response.status_code == 200 and response.json()["approved_date"] == "2027-03-31"
    assert response.json()["printed_deadline"] == "2024-12-31"
    assert office.post(f"{API}/extensions/{pk}/decide/", {"decision": "approve"}, format="json").status_code == 409

    response = office.post(f"{API}/tasks/{task.campaign_id}/7.4/authority-date/", {"date": "2027-01-31", "reason": "省厅通知"},
                           format="json")
    assert response.status_code == 201 and response.json()["kind"] == "authority_date"
    assert office.post(f"{API}/tasks/{task.campaign_id}/5.6/authority-date/", {"date": "2027-01-31"}, format="json").status_code == 409

    assert office.post(f"{API}/tasks/{task.campaign_id}/5.6/sign-off/", {"comment": "销号"}).status_code == 409
    approved_report(liaison, office_user, task, period, files=[pdf()])
    response = office.post(f"{API}/tasks/{task.campaign_id}/5.6/sign-off/", {"comment": "销号"}, format="multipart")
    assert response.status_code == 201, response.content
    assert office.post(f"{API}/tasks/{task.campaign_id}/5.6/reopen/", {"reason": ""}, format="json").status_code == 400
    response = office.post(f"{API}/tasks/{task.campaign_id}/5.6/reopen/", {"reason": "复查"}, format="json")
    assert response.status_code == 200 and response.json()["reopen_reason"] == "复查"
    assert office.get(f"{API}/sign-offs/", {"task": "5.6"}).json()["count"] == 1

    report = ProgressReport.objects.get()
    assert office.post(f"{API}/reports/{report.pk}/reopen/", {"reason": "更正"}, format="json").status_code == 409
    response = office.post(f"{API}/periods/{period.pk}/close/", format="json")
    assert response.status_code == 200 and response.json()["is_closed"] is True
    assert office.post(f"{API}/periods/{period.pk}/close/", format="json").status_code == 409
    response = office.post(f"{API}/reports/{report.pk}/reopen/", {"reason": "更正"}, format="json")
    assert response.status_code == 200 and response.json()["reopened_at"] and response.json()["state"] == "submitted"
    codes = [p["code"] for p in lead.get(f"{API}/periods/").json()["results"]]
    assert "2026Q4" in codes


def test_every_governance_endpoint_is_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = {p for p in schema["paths"] if p.startswith("/api/v1/governance/")}
    assert paths >= {
        "/api/v1/governance/supervisions/",
        "/api/v1/governance/supervisions/{id}/",
        "/api/v1/governance/supervisions/{id}/answer/",
        "/api/v1/governance/supervisions/{id}/raise/",
        "/api/v1/governance/supervisions/{id}/close/",
        "/api/v1/governance/sign-offs/",
        "/api/v1/governance/tasks/{campaign_id}/{key}/sign-off/",
        "/api/v1/governance/tasks/{campaign_id}/{key}/reopen/",
        "/api/v1/governance/tasks/{campaign_id}/{key}/authority-date/",
        "/api/v1/governance/extensions/",
        "/api/v1/governance/extensions/{id}/decide/",
        "/api/v1/governance/periods/",
        "/api/v1/governance/periods/{id}/close/",
        "/api/v1/governance/reports/{id}/reopen/",
    }
    assert "409" in schema["paths"]["/api/v1/governance/supervisions/"]["post"]["responses"]


def test_a_standing_support_liaison_lists_what_it_may_open(office_user, task, campaign):
    """A town supports every task by the campaign's standing rule: it may read a supervision of
    any task, and the list shows it too (the list once checked direct assignments only)."""
    from departments.models import Role, Unit, UnitKind
    from tests.conftest import make_user

    town = Unit.objects.get(name="下应街道", kind=UnitKind.TOWN)  # in the catalogue, a member of 镇(街道、园区)
    assert campaign.standing_support_unit.members.filter(pk=town.pk).exists()
    town_liaison = api(make_user("town", town.name, Role.LIAISON))
    pk = api(office_user).post(f"{API}/supervisions/", {"task": task.key, "level": 2, "instruction": "请推进",
                                                       "respond_by": SOON}, format="json").json()["id"]
    assert town_liaison.get(f"{API}/supervisions/{pk}/").status_code == 200
    listed = town_liaison.get(f"{API}/supervisions/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [pk]

"""One HTTP edge for JSON (issue 18): the same authentication, error shape and input checks on
every endpoint under /api/v1/, governance and dashboard included — and the malformed requests
that used to answer 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from api.services import api_token_create
from reports.models import ExtensionRequest, Supervision
from reports.periods import periods_ensure

GOVERNANCE = "/api/v1/governance"
LISTS = [
    "/api/v1/tasks/", "/api/v1/reports/", f"{GOVERNANCE}/supervisions/", f"{GOVERNANCE}/extensions/",
    f"{GOVERNANCE}/sign-offs/", f"{GOVERNANCE}/periods/",
]


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
    return client


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code and body["detail"], body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    return body


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/dashboard/", f"{GOVERNANCE}/supervisions/1/"])
def test_anonymous_calls_answer_401_in_the_one_shape_everywhere(db, url):
    response = APIClient().get(url)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert_error(APIClient(HTTP_AUTHORIZATION="Token wrong").get(url), 401, "authentication_failed")


def test_a_token_reaches_governance_and_the_dashboard(office_user):
    client = token_client(office_user)
    assert client.get(f"{GOVERNANCE}/supervisions/").status_code == 200
    assert client.get("/api/v1/dashboard/").status_code == 200


def test_forbidden_and_missing_have_the_same_shape_in_every_part(liaison, office_user, campaign):
    lead = token_client(liaison)
    assert_error(lead.get("/api/v1/dashboard/"), 403, "permission_denied")
    periods_ensure(campaign)
    period = campaign.periods.order_by("start").first()
    assert_error(lead.post(f"{GOVERNANCE}/periods/{period.pk}/close/"), 403, "permission_denied")
    office = token_client(office_user)
    assert_error(office.get(f"{GOVERNANCE}/supervisions/999999/"), 404, "not_found")
    assert_error(office.get("/api/v1/reports/999999/"), 404, "not_found")
    # A path no endpoint matches is a JSON 404 too, not the HTML page.
    assert_error(office.get("/api/v1/reports/null,null/"), 404, "not_found")
    assert_error(office.get("/api/v1/nothing-here/"), 404, "not_found")


def test_a_governance_conflict_is_409_with_a_code(office_user, campaign):
    office = token_client(office_user)
    ok = {"task": "5.6", "level": 1, "instruction": "请推进", "respond_by": "2026-12-20"}
    assert office.post(f"{GOVERNANCE}/supervisions/", ok, format="json").status_code == 201
    body = assert_error(office.post(f"{GOVERNANCE}/supervisions/", ok, format="json"), 409, "state")
    assert "已有未办结的督办" in body["detail"]
    assert Supervision.objects.count() == 1


@pytest.mark.parametrize(
    "url, params, field",
    [
        (f"{GOVERNANCE}/extensions/", {"task": "5.6\x00"}, "task"),
        (f"{GOVERNANCE}/supervisions/", {"task": "\x00"}, "task"),
        (f"{GOVERNANCE}/supervisions/", {"state": "open\x00"}, "state"),
        (f"{GOVERNANCE}/extensions/", {"state": "x" * 5000}, "state"),
        (f"{GOVERNANCE}/periods/", {"limit": "4987438529933417308990996480"}, "limit"),
        (f"{GOVERNANCE}/periods/", {"offset": "4987438529933417308990996480"}, "offset"),
        (f"{GOVERNANCE}/sign-offs/", {"active": "null"}, "active"),
        (f"{GOVERNANCE}/sign-offs/", {"campaign": "²"}, "campaign"),
        ("/api/v1/tasks/", {"category": "x" * 101}, "category"),
        ("/api/v1/reports/", {"period": "2026Q4\x00"}, "period"),
    ],
)
def test_malformed_query_parameters_are_400_naming_the_parameter(office_user, url, params, field):
    body = assert_error(token_client(office_user).get(url, params), 400, "invalid")
    assert field in body["fields"]


@pytest.mark.parametrize("body", [[None, None], "text", 42, None])
def test_a_body_that_is_not_an_object_is_400(liaison, office_user, body):
    assert_error(token_client(liaison).post(f"{GOVERNANCE}/extensions/", body, format="json"), 400, "invalid")
    assert_error(token_client(office_user).post(f"{GOVERNANCE}/supervisions/", body, format="json"), 400, "invalid")
    assert not ExtensionRequest.objects.exists() and not Supervision.objects.exists()


def test_a_body_that_is_not_json_is_400(liaison):
    response = token_client(liaison).post(
        f"{GOVERNANCE}/extensions/", data="{not json", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_the_category_filter_takes_ascii_numbers_only(liaison):
    response = token_client(liaison).get("/api/v1/tasks/", {"category": "٣"})  # Arabic-Indic 3: a name, not 3
    assert response.status_code == 200 and response.json()["count"] == 0


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_attachment_links_download_with_a_token(liaison, other_liaison, submitted_report):
    lead = token_client(liaison)
    response = lead.post(
        f"/api/v1/reports/{submitted_report.pk}/attachments/",
        {"files": [SimpleUploadedFile("台账.pdf", PDF)]}, format="multipart",
    )
    url = response.json()["attachments"][0]["url"]
    assert url.startswith("/api/v1/attachments/")
    download = lead.get(url, HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert_error(token_client(other_liaison).get(url), 404, "not_found")  # 区农业农村局: not on 7.5, out of scope
    assert_error(APIClient().get(url), 401, "not_authenticated")
    assert_error(lead.get("/api/v1/attachments/999999/"), 404, "not_found")

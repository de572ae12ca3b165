"""Token and session authentication; the OpenAPI schema and its offline docs page."""

import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from reports.models import ProgressReport
from tests.api.helpers import task_api_url

pytestmark = pytest.mark.django_db

REPORT = {"period": "2026Q4", "status": "in_progress", "progress": "接入在线监测", "submit": True}


def create_token(username: str) -> str:
    out = io.StringIO()
    call_command("drf_create_token", username, stdout=out)
    match = re.search(r"Generated token (\w+) for user", out.getvalue())
    assert match, out.getvalue()
    return match.group(1)


def test_a_token_from_drf_create_token_reads_and_writes(liaison):
    client = APIClient()  # no session: the token alone, and no CSRF token needed
    client.credentials(HTTP_AUTHORIZATION=f"Token {create_token('yjj')}")
    assert client.get(reverse("api:task-list")).status_code == 200
    response = client.post(task_api_url("api:task-reports", "7.5"), REPORT, format="json")
    assert response.status_code == 201
    assert ProgressReport.objects.get().created_by == liaison


@pytest.mark.parametrize("header", ["Token 0123456789abcdef0123456789abcdef01234567", "Token", "Token a b"])
def test_a_bad_token_is_401_and_changes_nothing(liaison, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(reverse("api:task-list")).status_code == 401
    response = client.post(task_api_url("api:task-reports", "7.5"), REPORT, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not ProgressReport.objects.exists()


def test_without_credentials_it_is_401(campaign):
    response = APIClient().get(reverse("api:task-list"))
    assert response.status_code == 401
    assert response.json()["detail"] == "身份认证信息未提供。"


def test_an_inactive_users_token_is_refused(liaison):
    token = create_token("yjj")
    liaison.is_active = False
    liaison.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(reverse("api:task-list")).status_code == 401


def test_the_browser_session_works_and_its_writes_need_the_csrf_token(client, liaison):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    browser.force_login(liaison)
    assert browser.get(reverse("api:task-list")).status_code == 200
    url = task_api_url("api:task-reports", "7.5")
    refused = browser.post(url, REPORT, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not ProgressReport.objects.exists()
    accepted = browser.post(url, REPORT, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201


def test_the_schema_and_docs_are_for_signed_in_users_only(client, liaison):
    for name in ("api:schema", "api:docs"):
        response = client.get(reverse(name))
        assert response.status_code in (401, 403), name
        assert "paths" not in response.content.decode()
    client.force_login(liaison)
    assert client.get(reverse("api:schema"), {"format": "json"}).status_code == 200


def test_the_schema_documents_every_endpoint(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert set(paths["/api/v1/tasks/"]) == {"get"}
    assert set(paths["/api/v1/tasks/{campaign_id}/{key}/"]) == {"get"}
    assert set(paths["/api/v1/tasks/{campaign_id}/{key}/reports/"]) == {"post"}
    # The old key-only paths still answer, marked deprecated.
    assert paths["/api/v1/tasks/{key}/"]["get"]["deprecated"] is True
    assert paths["/api/v1/tasks/{key}/reports/"]["post"]["deprecated"] is True
    assert set(paths["/api/v1/reports/"]) == {"get"}
    assert set(paths["/api/v1/reports/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/reports/{id}/review/"]) == {"post"}
    upload = paths["/api/v1/reports/{id}/attachments/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    create = paths["/api/v1/tasks/{campaign_id}/{key}/reports/"]["post"]
    assert [p["name"] for p in create["parameters"]] == ["campaign_id", "key"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(create["responses"])
    body = schema["components"]["schemas"][create["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]]
    assert {"period", "status", "percent", "progress", "problems", "next_steps", "submit"} <= set(body["properties"])
    filters = {p["name"] for p in paths["/api/v1/tasks/"]["get"]["parameters"]}
    assert {"campaign", "unit", "measure", "category", "deadline_kind", "q"} <= filters
    filters = {p["name"] for p in paths["/api/v1/reports/"]["get"]["parameters"]}
    assert {"campaign", "task", "unit", "period", "state"} <= filters
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn raises (SystemExit / SchemaGenerationError) on any warning or error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/reports/{id}/review/" in (tmp_path / "schema.yml").read_text(encoding="utf-8")


def test_the_docs_page_needs_no_internet_and_no_inline_script(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and " style=" not in html
    assert "http://" not in html and "https://" not in html and "cdn" not in html.lower()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    for source in sources:
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), source
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    init = client.get(next(s for s in sources if "script" in s))
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in init.content.decode()

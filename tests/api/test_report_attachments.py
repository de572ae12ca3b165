"""Evidence files through the API: POST /api/v1/reports/<id>/attachments/ (multipart)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from reports.models import Attachment, ReportState
from reports.services import report_review

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def url(report):
    return reverse("api:report-attachments", args=[report.pk])


def test_a_liaison_adds_evidence_to_its_report_and_sees_it_listed(client_for, liaison, submitted_report):
    client = client_for(liaison)
    response = client.post(
        url(submitted_report),
        {"files": [upload("排查台账.pdf", PDF), upload("现场照片.png", PNG)]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == submitted_report.version == 1  # the text and its version are unchanged
    assert [(a["name"], a["content_type"]) for a in body["attachments"]] == [
        ("排查台账.pdf", "application/pdf"), ("现场照片.png", "image/png"),
    ]
    assert AuditEntry.objects.filter(action="reports.report.attached", object_id=str(submitted_report.pk)).exists()
    detail = client.get(reverse("api:report-detail", args=[submitted_report.pk])).json()
    assert [a["name"] for a in detail["attachments"]] == ["排查台账.pdf", "现场照片.png"]
    download = client.get(detail["attachments"][0]["url"])  # an API link: the same credentials
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_file_whose_content_is_not_allowed_is_refused_and_nothing_is_stored(client_for, liaison, submitted_report):
    response = client_for(liaison).post(
        url(submitted_report),
        {"files": [upload("台账.pdf", PDF), upload("伪装成PDF.pdf", b"MZ\x90\x00 this is a program")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "伪装成PDF.pdf" in response.json()["fields"]["files"][0]
    assert not Attachment.objects.exists()


def test_no_file_is_a_clear_400(client_for, liaison, submitted_report):
    response = client_for(liaison).post(url(submitted_report), {}, format="multipart")
    assert response.status_code == 400 and response.json() == {
        "detail": "请选择要上传的附件。", "code": "invalid", "fields": {"files": ["请选择要上传的附件。"]}
    }


@pytest.mark.parametrize("who, status", [("other_liaison", 403), ("office_user", 403), ("viewer", 403), (None, 401)])
def test_only_the_report_s_own_unit_may_add_files(request, client_for, submitted_report, who, status):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).post(url(submitted_report), {"files": [upload("台账.pdf", PDF)]}, format="multipart")
    assert response.status_code == status
    assert not Attachment.objects.exists()


def test_an_approved_report_takes_no_more_files(client_for, liaison, office_user, submitted_report):
    report_review(user=office_user, report=submitted_report, decision="approve")
    submitted_report.refresh_from_db()
    assert submitted_report.state == ReportState.APPROVED
    response = client_for(liaison).post(url(submitted_report), {"files": [upload("台账.pdf", PDF)]}, format="multipart")
    assert response.status_code == 409 and response.json()["code"] == "locked"
    assert not Attachment.objects.exists()

"""Evidence: thumbnails of pictures, PDFs in the browser's viewer, each file once per report."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from PIL import Image

from reports.models import Attachment
from tests.reports.pages_helpers import PDF, form_payload, pdf_upload, task_named, write_report

pytestmark = pytest.mark.django_db


def png(width=800, height=600, mode="RGB", color="red") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, "PNG")
    return out.getvalue()


def login(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def report(liaison, campaign):
    """区应急管理局's submitted report on 7.5 with a PDF, a photo and an Excel sheet."""
    xlsx = io.BytesIO()
    import openpyxl

    openpyxl.Workbook().save(xlsx)
    return write_report(liaison, task_named(campaign, "7.5"), files=[
        pdf_upload("台账.pdf"),
        SimpleUploadedFile("现场.png", png()),
        SimpleUploadedFile("清单.xlsx", xlsx.getvalue()),
    ])


def attachment(report, name) -> Attachment:
    return report.attachments.get(original_name=name)


def test_a_pdf_opens_inline_with_headers_the_browsers_viewer_accepts(liaison, report):
    response = login(liaison).get(reverse("reports:attachment_view", args=[attachment(report, "台账.pdf").pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%E5%8F%B0%E8%B4%A6.pdf"
    csp = response["Content-Security-Policy"]
    # Chromium's PDF viewer is a plugin frame: object-src 'none' (the site's policy) would blank it.
    assert "object-src 'self'" in csp and "default-src 'none'" in csp and "script-src" not in csp
    assert "frame-ancestors 'self'" in csp and response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_the_download_link_still_downloads(liaison, report):
    response = login(liaison).get(reverse("reports:attachment_download", args=[attachment(report, "台账.pdf").pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "object-src 'none'" in response["Content-Security-Policy"]


def test_other_types_are_not_shown_inline(liaison, report):
    response = login(liaison).get(reverse("reports:attachment_view", args=[attachment(report, "清单.xlsx").pk]))
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_picture_has_a_small_jpeg_thumbnail(liaison, office_user, report):
    url = reverse("reports:attachment_thumbnail", args=[attachment(report, "现场.png").pk])
    for user in (liaison, office_user):
        response = login(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        thumb = Image.open(io.BytesIO(response.content))
        assert thumb.format == "JPEG" and thumb.size == (320, 240)
    assert login(liaison).get(reverse("reports:attachment_thumbnail", args=[attachment(report, "台账.pdf").pk])).status_code == 404


def test_a_picture_with_too_many_pixels_gets_no_thumbnail_and_no_500(liaison, campaign):
    bomb = png(10_000, 8_000, mode="1", color=0)  # 80 megapixels, a few KB
    report = write_report(liaison, task_named(campaign, "5.6"), files=[SimpleUploadedFile("大图.png", bomb)])
    response = login(liaison).get(reverse("reports:attachment_thumbnail", args=[report.attachments.get().pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("who, allowed", [("liaison", True), ("office_user", True), ("viewer", True),
                                          ("other_liaison", False), (None, False)])
def test_previews_keep_the_access_checks(request, who, allowed, report):
    client = login(request.getfixturevalue(who) if who else None)
    for name, route in (("台账.pdf", "reports:attachment_view"), ("现场.png", "reports:attachment_thumbnail")):
        response = client.get(reverse(route, args=[attachment(report, name).pk]))
        if allowed:
            assert response.status_code == 200
        elif who is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404  # a unit with no duty on the task: not in its scope


def test_the_report_page_shows_the_thumbnail_and_a_preview_link(liaison, report):
    html = login(liaison).get(report.task.get_absolute_url()).content.decode()
    assert reverse("reports:attachment_thumbnail", args=[attachment(report, "现场.png").pk]) in html
    assert reverse("reports:attachment_view", args=[attachment(report, "台账.pdf").pk]) in html
    assert reverse("reports:attachment_thumbnail", args=[attachment(report, "台账.pdf").pk]) not in html


def test_the_same_file_twice_on_one_report_is_refused_with_a_message(liaison, report):
    client = login(liaison)
    payload = {**form_payload(version=str(report.version)), "attachments": [pdf_upload("台账(再传).pdf")]}
    response = client.post(report.task.report_url, payload)
    assert response.status_code == 200
    assert "附件“台账(再传).pdf”与已上传的“台账.pdf”内容完全相同" in response.content.decode()
    report.refresh_from_db()
    assert report.version == 1 and report.attachments.count() == 3


def test_the_same_file_twice_in_one_upload_is_refused(liaison, campaign):
    client = login(liaison)
    url = task_named(campaign, "5.6").report_url
    response = client.post(url, {**form_payload(), "attachments": [pdf_upload("一.pdf"), pdf_upload("二.pdf")]})
    assert "附件“二.pdf”与已上传的“一.pdf”内容完全相同" in response.content.decode()
    assert not Attachment.objects.exists()


def test_another_report_may_hold_the_same_file(liaison, campaign, report):
    other = write_report(liaison, task_named(campaign, "5.6"), files=[pdf_upload("台账.pdf")])
    assert other.attachments.get().sha256 == attachment(report, "台账.pdf").sha256


def test_the_database_refuses_a_file_twice_on_one_report(report):
    first = attachment(report, "台账.pdf")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.create(
            report=report, file=first.file.name, original_name="副本.pdf", content_type=first.content_type,
            size=first.size, sha256=first.sha256, uploaded_by=first.uploaded_by, uploaded_at=first.uploaded_at,
        )


def test_the_api_refuses_a_file_twice_with_a_400(liaison, report):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(liaison)
    response = client.post(reverse("api:report-attachments", args=[report.pk]),
                           {"files": [SimpleUploadedFile("again.pdf", PDF)]}, format="multipart")
    assert response.status_code == 400
    assert "内容完全相同" in response.json()["fields"]["files"][0]
    assert report.attachments.count() == 3

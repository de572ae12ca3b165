"""Evidence files (reports/attachments.py): a zip's unpacked size is counted while inflating, and
the stored file's extension comes from the detected type, never from the uploader's name."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from reports.attachments import attachment_validate
from reports.models import Attachment
from reports.periods import period_get
from reports.services import ReportInput, report_save
from tasks.models import Task

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MB = 1024 * 1024


def docx_with(member_size: int) -> bytes:
    """A minimal .docx whose document part is `member_size` bytes (zeros deflate to almost nothing)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/big.bin", "w") as stream:
            for _ in range(member_size // MB):
                stream.write(bytes(MB))
    return buffer.getvalue()


def lying_about(data: bytes, member: str) -> bytes:
    """The same zip with `member`'s uncompressed size declared as 1 byte in both headers."""
    real = zipfile.ZipFile(io.BytesIO(data)).getinfo(member).file_size.to_bytes(4, "little")
    assert data.count(real) == 2  # the local header and the central directory
    return data.replace(real, (1).to_bytes(4, "little"))


def xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.fixture
def save(liaison, campaign):
    """Save a draft report of task 5.6 with some files; returns the report."""

    def run(*files):
        return report_save(
            user=liaison, task=Task.objects.get(campaign=campaign, key="5.6"), period=period_get(campaign, "2026Q4"),
            data=ReportInput(status="in_progress", progress="已组织竞赛两场", percent=60), submit=False, files=list(files),
        )

    return run


def test_a_docx_that_unpacks_past_the_limit_is_refused_while_inflating(settings):
    settings.ATTACHMENT_MAX_UNPACKED_BYTES = 5 * MB
    bomb = docx_with(30 * MB)
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as caught:
        attachment_validate(SimpleUploadedFile("方案.docx", bomb))
    assert caught.value.messages == ["附件“方案.docx”解压后超过 5 MB,疑似“压缩炸弹”,已拒绝。"]
    assert attachment_validate(SimpleUploadedFile("方案.docx", docx_with(4 * MB))).endswith("wordprocessingml.document")


def test_a_docx_whose_headers_understate_its_size_is_refused():
    """300 MB of content declared as 1 byte passed when only the headers' sizes were summed."""
    bomb = lying_about(docx_with(300 * MB), "word/media/big.bin")
    assert len(bomb) < 1 * MB
    with pytest.raises(ValidationError) as caught:
        attachment_validate(SimpleUploadedFile("方案.docx", bomb))
    assert caught.value.messages == ["附件“方案.docx”已损坏,无法作为 Word/Excel 文件读取,请重新保存后再上传。"]


def test_the_stored_extension_comes_from_the_content_and_downloads_keep_the_original_name(client, liaison, save):
    report = save(SimpleUploadedFile("x.html", PDF, content_type="text/html"),
                  SimpleUploadedFile("台账.pdf", xlsx(), content_type="application/pdf"))
    pdf, workbook = report.attachments.order_by("id")
    assert pdf.file.name.endswith(".pdf") and pdf.original_name == "x.html" and pdf.content_type == "application/pdf"
    assert workbook.file.name.endswith(".xlsx") and workbook.original_name == "台账.pdf"
    client.force_login(liaison)
    response = client.get(reverse("reports:attachment_download", args=[pdf.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="x.html"'


def test_a_name_without_an_extension_still_gets_the_detected_one(save):
    report = save(SimpleUploadedFile("扫描件", PDF))
    assert report.attachments.get().file.name.endswith(".pdf")


def test_a_bomb_sent_to_the_report_form_is_a_chinese_message_and_nothing_is_stored(save, settings):
    settings.ATTACHMENT_MAX_UNPACKED_BYTES = 5 * MB
    with pytest.raises(ValidationError) as caught:
        save(SimpleUploadedFile("方案.docx", docx_with(30 * MB)))
    assert caught.value.message_dict["attachments"] == ["附件“方案.docx”解压后超过 5 MB,疑似“压缩炸弹”,已拒绝。"]
    assert not Attachment.objects.exists()

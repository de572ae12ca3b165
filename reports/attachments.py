"""Evidence attachments: accepted by what the bytes are, not by what the file is called.

Allowed: PDF, PNG, JPEG, GIF, WebP, Word (.docx) and Excel (.xlsx); macro-enabled Office files
are refused. The size limit is settings.UPLOAD_MAX_BYTES; a .docx/.xlsx (a zip) must also unpack
to at most settings.ATTACHMENT_MAX_UNPACKED_BYTES, counted while inflating every member: the
zip headers' sizes are the uploader's word and can lie (a few-hundred-KB file claiming small
members that inflate to 1 GB). The file is stored with the extension of the detected type
(reports.models.ATTACHMENT_EXTENSIONS); its own name is kept only to name downloads.
"""

from __future__ import annotations

import hashlib
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.http import content_disposition_header

from .models import DOCX, XLSX, Attachment

ALLOWED_DESCRIPTION = "PDF、图片(JPG/PNG/GIF/WebP)、Word(.docx)、Excel(.xlsx)"
MAX_FILES_PER_UPLOAD = 10
CHUNK = 1024 * 1024


def max_unpacked_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)


def _office_type(uploaded: UploadedFile) -> str | None:
    """Word or Excel by the members the zip lists (no macro project), else None."""
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        uploaded.seek(0)
    if "[Content_Types].xml" not in names or any(name.endswith("vbaProject.bin") for name in names):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _office_unpack_problem(uploaded: UploadedFile) -> str | None:
    """Inflate every member in chunks, stopping as soon as the running total passes the limit;
    return what is wrong (for the user's message), or None.

    Python's zipfile stops each member at the size its header declares and then checks the
    CRC, so a member that really holds more than it claims is refused as damaged; one that
    honestly claims a lot is refused by the running total. Only one chunk is in memory at a time."""
    limit = max_unpacked_bytes()
    total = 0
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            for member in archive.infolist():
                with archive.open(member) as stream:
                    while chunk := stream.read(CHUNK):
                        total += len(chunk)
                        if total > limit:
                            return f"解压后超过 {limit / 1048576:.0f} MB,疑似“压缩炸弹”,已拒绝"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        # RuntimeError: a member encrypted with a zip password; NotImplementedError: unknown compression.
        return "已损坏,无法作为 Word/Excel 文件读取,请重新保存后再上传"
    finally:
        uploaded.seek(0)
    return None


def sniff_content_type(uploaded: UploadedFile) -> str | None:
    """The file's real type from its first bytes (and, for Office files, its zip members)."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        return _office_type(uploaded)
    return None


def attachment_validate(uploaded: UploadedFile) -> str:
    """Return the file's content type, or raise ValidationError with a message for the user."""
    limit = settings.UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            f"附件“{uploaded.name}”大小为 {uploaded.size / 1048576:.1f} MB,超过 {limit / 1048576:.0f} MB 的上限。"
        )
    if uploaded.size == 0:
        raise ValidationError(f"附件“{uploaded.name}”是空文件。")
    content_type = sniff_content_type(uploaded)
    if content_type is None:
        raise ValidationError(f"附件“{uploaded.name}”的文件类型不被接受,只能上传{ALLOWED_DESCRIPTION}。")
    problem = _office_unpack_problem(uploaded) if content_type in (DOCX, XLSX) else None
    if problem:
        raise ValidationError(f"附件“{uploaded.name}”{problem}。")
    return content_type


def attachments_check(files, *, field: str = "attachments") -> list[tuple[UploadedFile, str]]:
    """Validate a batch of uploads for a service: at most MAX_FILES_PER_UPLOAD, each by content and
    size. Returns (file, content type) pairs; raises ValidationError with the messages under `field`."""
    files = [f for f in (files or ()) if f]
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ValidationError({field: [f"一次最多上传 {MAX_FILES_PER_UPLOAD} 个附件。"]})
    checked = []
    for uploaded in files:
        try:
            checked.append((uploaded, attachment_validate(uploaded)))
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from error
    return checked


def file_sha256(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def duplicate_message(name: str, earlier: str) -> str:
    if name == earlier:
        return f"附件“{name}”已上传过,同一份报送不能重复上传同一文件。"
    return f"附件“{name}”与已上传的“{earlier}”内容完全相同,同一份报送不能重复上传同一文件。"


def duplicates_find(files, *, existing: dict[str, str]) -> list[str]:
    """Messages for the files (uploads) whose bytes are already on the report (`existing`:
    SHA-256 → file name) or earlier in the same upload; empty when there is none."""
    seen = dict(existing)
    problems = []
    for uploaded in files:
        digest = file_sha256(uploaded)
        if digest in seen:
            problems.append(duplicate_message(uploaded.name, seen[digest]))
        else:
            seen[digest] = uploaded.name
    return problems


def report_files(report) -> dict[str, str]:
    """SHA-256 → name of the files already on a report (none for a report not yet saved)."""
    if report is None or report.pk is None:
        return {}
    return dict(Attachment.objects.filter(report=report).values_list("sha256", "original_name"))


def attachment_store(*, uploaded: UploadedFile, content_type: str, user, **owner) -> Attachment:
    """Save a validated upload for its owner (report=…, supervision_step=… or sign_off=…).

    A report holds each file once (a unique constraint on report × SHA-256): callers check first
    (duplicates_find) for a clear message; a concurrent upload of the same file that slips past
    that check is refused here by the constraint, with the same message, and its file removed.
    """
    attachment = Attachment(
        original_name=uploaded.name[:200],
        content_type=content_type,
        size=uploaded.size,
        sha256=file_sha256(uploaded),
        uploaded_by=user,
        uploaded_at=timezone.now(),
        **owner,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)  # stored name: models.attachment_path
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError:
        attachment.file.delete(save=False)
        raise ValidationError(duplicate_message(uploaded.name, uploaded.name)) from None
    return attachment


def attachment_file_response(attachment, *, inline: bool = False) -> FileResponse:
    """The stored file under its original name, as a download or (`inline`) for the browser's own
    viewer — pages and the API alike; a file missing from storage is a 404 with a reason, never a 500."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("附件文件已丢失,请联系管理员。") from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, attachment.original_name)
    response["Content-Length"] = str(attachment.size)
    return response

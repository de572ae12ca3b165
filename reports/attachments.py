"""Evidence attachments: accepted by what the bytes are, not by what the file is called.

Allowed: PDF, PNG, JPEG, GIF, WebP, Word (.docx) and Excel (.xlsx); macro-enabled Office files
are refused. The size limit is settings.UPLOAD_MAX_BYTES.
"""

from __future__ import annotations

import hashlib
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from .models import Attachment

ALLOWED_DESCRIPTION = "PDF、图片(JPG/PNG/GIF/WebP)、Word(.docx)、Excel(.xlsx)"
MAX_FILES_PER_UPLOAD = 10
# An Office file is a zip; refuse archives that would unpack to something absurd (zip bombs).
MAX_OFFICE_UNCOMPRESSED = 200 * 1024 * 1024


def _office_type(uploaded: UploadedFile) -> str | None:
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if sum(info.file_size for info in infos) > MAX_OFFICE_UNCOMPRESSED:
                return None
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        uploaded.seek(0)
    if "[Content_Types].xml" not in names or any(name.endswith("vbaProject.bin") for name in names):
        return None
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def attachment_store(*, uploaded: UploadedFile, content_type: str, user, **owner) -> Attachment:
    """Save a validated upload for its owner (report=…, supervision_step=… or sign_off=…)."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    attachment = Attachment(
        original_name=uploaded.name[:200],
        content_type=content_type,
        size=uploaded.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
        uploaded_at=timezone.now(),
        **owner,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    attachment.save()
    return attachment

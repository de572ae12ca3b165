"""Previews of evidence: small thumbnails of images, and which files the browser may show inline.

A thumbnail is made on first request from the stored image (Pillow) and kept in the cache under
the file's SHA-256, so the same picture is scaled once whoever asks; access is checked before,
by the view (reports.access.get_attachment). Uploaded pictures are the uploader's bytes: a
picture above THUMBNAIL_MAX_PIXELS (read from its header) is not decoded (a "pixel bomb"), and
one Pillow cannot read simply has no thumbnail (the page keeps the name and the download link).
"""

from __future__ import annotations

import io
import logging
import warnings

from django.core.cache import cache

from .models import Attachment

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_MAX_PIXELS = 60_000_000  # a 100-megapixel phone photo is ~100 M; 60 M covers ordinary ones
THUMBNAIL_CACHE_SECONDS = 30 * 24 * 3600
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# What the browser shows itself when opened inline (its PDF viewer, its image viewer).
INLINE_TYPES = IMAGE_TYPES | {"application/pdf"}


def is_image(attachment: Attachment) -> bool:
    return attachment.content_type in IMAGE_TYPES


def shows_inline(attachment: Attachment) -> bool:
    return attachment.content_type in INLINE_TYPES


def _cache_key(attachment: Attachment) -> str:
    return f"attachment-thumb:{attachment.sha256}:{THUMBNAIL_SIZE[0]}"


def _render(handle) -> bytes | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(handle) as image:  # reads the header only
                if image.width * image.height > THUMBNAIL_MAX_PIXELS:
                    logger.warning("no thumbnail: %s×%s pixels", image.width, image.height)
                    return None
                image.draft("RGB", THUMBNAIL_SIZE)  # JPEG: decode at a reduced scale, much faster
                image.seek(0)  # the first frame of a GIF/WebP animation
                image = ImageOps.exif_transpose(image)  # phone photos carry their rotation in EXIF
                image.thumbnail(THUMBNAIL_SIZE)
                if image.mode not in ("RGB", "L"):
                    background = Image.new("RGB", image.size, "white")
                    background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
                    image = background
                out = io.BytesIO()
                image.save(out, "JPEG", quality=80, optimize=True)
                return out.getvalue()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError, UnidentifiedImageError,
                OSError, ValueError, SyntaxError) as error:
            logger.warning("no thumbnail for attachment %s: %s", getattr(handle, "name", "?"), error)
            return None


def attachment_thumbnail(attachment: Attachment) -> bytes | None:
    """A JPEG at most THUMBNAIL_SIZE of an image attachment, or None (not an image, unreadable,
    too many pixels, file lost)."""
    if not is_image(attachment):
        return None
    key = _cache_key(attachment)
    try:
        cached = cache.get(key)
    except Exception:  # a cache that is down only costs the scaling again
        cached = None
    if cached is not None:
        return cached or None
    try:
        with attachment.file.open("rb") as handle:
            data = _render(handle)
    except (FileNotFoundError, OSError):
        return None
    try:
        cache.set(key, data or b"", THUMBNAIL_CACHE_SECONDS)
    except Exception:
        pass
    return data

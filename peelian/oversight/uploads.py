"""Checks on files the public attaches to a complaint.

* **Type by content, never by name.** The first bytes of the file (its "magic number")
  must be one of the allowed formats: JPEG, PNG, GIF, WebP images; PDF documents; MP3,
  M4A/MP4, WAV, Ogg audio; MP4, QuickTime (MOV) and WebM video. Anything else (HTML, SVG,
  scripts, executables, archives, HEIC photos that cannot be cleaned) is refused with a
  message saying which formats are accepted.
* **Size.** At most ``PEELIAN_MAX_UPLOAD_MB`` megabytes per file (default 20) and at most
  ``PEELIAN_MAX_UPLOAD_FILES`` files at once (default 5).
* **Images are re-encoded** with Pillow: the orientation recorded in EXIF is applied to the
  pixels, then the picture is saved afresh without any metadata (EXIF, GPS position,
  camera serial numbers, XMP, comments, ICC profiles). Decompression bombs are refused.
* The SHA-256 is computed over the bytes that are stored.

Audio, video and PDF files are stored as received (only their type and size are checked).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from peelian.core.errors import ApplicationError

DEFAULT_MAX_MB = 20
DEFAULT_MAX_FILES = 5
# Largest picture accepted, in pixels (a 50-megapixel photo is about 8660 x 5770).
MAX_IMAGE_PIXELS = 60_000_000
HEAD_BYTES = 64

ACCEPTED_FORMATS = _(
    "photos (JPEG, PNG, GIF, WebP), PDF documents, audio (MP3, M4A, WAV, Ogg) and video "
    "(MP4, MOV, WebM)"
)


class UploadError(ApplicationError):
    code = "upload_refused"

    def __init__(self, message: Any) -> None:
        super().__init__(message, fields={"attachments": [message]})


@dataclass(frozen=True)
class CleanUpload:
    content: bytes
    content_type: str
    original_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def max_bytes() -> int:
    return int(getattr(settings, "PEELIAN_MAX_UPLOAD_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def max_files() -> int:
    return int(getattr(settings, "PEELIAN_MAX_UPLOAD_FILES", DEFAULT_MAX_FILES))


# ISO base media file brands (bytes 8-12, after "ftyp").
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
_AUDIO_MP4_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P "})
_QUICKTIME_BRANDS = frozenset({b"qt  "})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


def sniff(head: bytes) -> str | None:
    """The MIME type of a file judged from its first bytes, among the accepted formats;
    None for anything else. ``"image/heic"`` is recognised so it can be refused with its
    own message."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    # An MPEG audio frame header: 11 set sync bits, a valid version and layer.
    if (
        len(head) >= 2
        and head[0] == 0xFF
        and head[1] & 0xE0 == 0xE0
        and (head[1] >> 3) & 0x3 != 0x1
        and (head[1] >> 1) & 0x3 != 0x0
    ):
        return "audio/mpeg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS or brand in _AVIF_BRANDS:
            return "image/heic"
        if brand in _AUDIO_MP4_BRANDS:
            return "audio/mp4"
        if brand in _QUICKTIME_BRANDS:
            return "video/quicktime"
        return "video/mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip") and head[:4] != b"RIFF":
        return "video/quicktime"  # QuickTime files from before the "ftyp" box
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return "video/webm"
    return None


_PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


def _reencode(content: bytes, content_type: str) -> bytes:
    """The picture re-encoded in its own format with no metadata, EXIF orientation
    applied. Raises UploadError when it cannot be read as that format."""
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    fmt = _PILLOW_FORMATS[content_type]
    unreadable = UploadError(
        _("This picture could not be read: the file is damaged or not really a %(format)s.")
        % {"format": fmt}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[fmt]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise UploadError(
                        _("This picture is too large (%(w)d by %(h)d pixels).")
                        % {"w": width, "h": height}
                    )
                out = io.BytesIO()
                frames = getattr(image, "n_frames", 1)
                if fmt in ("GIF", "WEBP") and frames > 1:
                    # Animated: copy each frame's pixels, nothing else.
                    sequence = [frame.copy() for frame in ImageSequence.Iterator(image)]
                    durations = [frame.info.get("duration", 100) for frame in sequence]
                    clean = [_pixels_only(frame) for frame in sequence]
                    clean[0].save(
                        out,
                        format=fmt,
                        save_all=True,
                        append_images=clean[1:],
                        duration=durations,
                        loop=image.info.get("loop", 0),
                    )
                else:
                    upright = ImageOps.exif_transpose(image)
                    clean_image = _pixels_only(upright if upright is not None else image)
                    options: dict[str, Any] = {}
                    if fmt == "JPEG":
                        options = {"quality": 90, "optimize": True}
                        if clean_image.mode not in ("RGB", "L", "CMYK"):
                            clean_image = clean_image.convert("RGB")
                    clean_image.save(out, format=fmt, **options)
    except UploadError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise unreadable from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise unreadable from None
    return out.getvalue()


def _pixels_only(image: Any) -> Any:
    """A new image holding only the pixels (and palette) of ``image``: no ``info``
    dictionary, so no EXIF, XMP, ICC profile, comments or text chunks are carried over."""
    from PIL import Image

    image.load()
    if image.mode == "P":
        clean = Image.new("P", image.size)
        clean.putpalette(image.getpalette() or [])
        if "transparency" in image.info:
            clean.info["transparency"] = image.info["transparency"]
    else:
        clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def clean_upload(upload: Any) -> CleanUpload:
    """Check one uploaded file (a Django ``UploadedFile``) and return what may be stored."""
    name = str(getattr(upload, "name", "") or "")[:200]
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise UploadError(
            _("“%(name)s” is larger than %(mb)d MB. Send a smaller file.")
            % {"name": name, "mb": limit // (1024 * 1024)}
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise UploadError(
            _("“%(name)s” is larger than %(mb)d MB. Send a smaller file.")
            % {"name": name, "mb": limit // (1024 * 1024)}
        )
    if not content:
        raise UploadError(_("“%(name)s” is empty.") % {"name": name})
    content_type = sniff(content[:HEAD_BYTES])
    if content_type == "image/heic":
        raise UploadError(
            _(
                "“%(name)s” is a HEIC/HEIF photo, which we cannot clean of its hidden "
                "details (such as where it was taken). Save it as JPEG and attach it again."
            )
            % {"name": name}
        )
    if content_type is None:
        raise UploadError(
            _("“%(name)s” is not a file type we accept. We accept %(formats)s.")
            % {"name": name, "formats": ACCEPTED_FORMATS}
        )
    if content_type in _PILLOW_FORMATS:
        content = _reencode(content, content_type)
    return CleanUpload(
        content=content,
        content_type=content_type,
        original_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def clean_uploads(uploads: Sequence[Any]) -> list[CleanUpload]:
    """Check every file; refuses more than ``max_files()`` at once."""
    uploads = [u for u in uploads if u is not None]
    limit = max_files()
    if len(uploads) > limit:
        raise UploadError(
            ngettext(
                "Attach at most %(n)d file at a time.",
                "Attach at most %(n)d files at a time.",
                limit,
            )
            % {"n": limit}
        )
    return [clean_upload(u) for u in uploads]

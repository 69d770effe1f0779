"""Attachment checks: type by content, size and count limits, images cleaned of metadata."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin

from peelian.oversight import uploads
from peelian.oversight.uploads import UploadError, clean_upload, clean_uploads, sniff


def jpeg_with_gps(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A JPEG that says where and with what it was taken, and that it must be rotated."""
    image = Image.new("RGB", size, "red")
    image.putpixel((0, 0), (0, 0, 255))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.BodySerialNumber] = "SN-123456"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (38.0, 30.0, 0.0), 3: "W", 4: (98.0, 0.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> object:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_jpeg_loses_every_metadata_and_keeps_its_orientation() -> None:
    raw = jpeg_with_gps()
    assert b"SpyCam" in raw
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    clean = clean_upload(upload("photo.jpg", raw, "image/jpeg"))

    assert clean.content_type == "image/jpeg"
    assert b"SpyCam" not in clean.content
    assert b"SN-123456" not in clean.content
    assert b"Exif" not in clean.content
    stored = Image.open(io.BytesIO(clean.content))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    # Orientation 6 (rotate 90° clockwise to view) was applied to the pixels.
    assert stored.size == (20, 40)
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()
    assert clean.size == len(clean.content)


def test_png_text_chunks_and_exif_are_dropped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Resident")
    info.add_text("Location", "1234 N Oak Ave")
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 255, 0, 128)).save(out, "PNG", pnginfo=info)
    assert b"Jane Resident" in out.getvalue()

    clean = clean_upload(upload("shot.png", out.getvalue()))

    assert clean.content_type == "image/png"
    assert b"Jane Resident" not in clean.content
    assert b"Oak Ave" not in clean.content
    image = Image.open(io.BytesIO(clean.content))
    assert image.mode == "RGBA"
    assert image.getpixel((1, 1)) == (0, 255, 0, 128)


def test_animated_gif_keeps_its_frames() -> None:
    frames = [Image.new("RGB", (6, 6), c) for c in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=50, comment=b"secret"
    )
    assert Image.open(io.BytesIO(out.getvalue())).n_frames == 3
    clean = clean_upload(upload("a.gif", out.getvalue()))
    assert clean.content_type == "image/gif"
    assert b"secret" not in clean.content
    assert Image.open(io.BytesIO(clean.content)).n_frames == 3


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<!doctype html><html><script>alert(1)</script></html>"),
        ("map.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        ("image.png", b"<svg onload=alert(1)>"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("doc.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
        ("evidence.zip", b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 64),
        ("notes.txt", b"just some text"),
    ],
)
def test_types_are_judged_by_content_not_name(name: str, content: bytes) -> None:
    with pytest.raises(UploadError) as err:
        clean_upload(upload(name, content, "image/jpeg"))
    assert err.value.code == "upload_refused"
    assert "not a file type we accept" in str(err.value.message)
    assert name in str(err.value.message)


def test_heic_is_refused_with_its_own_advice() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40
    with pytest.raises(UploadError, match="JPEG"):
        clean_upload(upload("IMG_0001.HEIC", heic))


def test_a_damaged_picture_is_refused() -> None:
    with pytest.raises(UploadError, match="could not be read"):
        clean_upload(upload("broken.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 20))


def test_empty_file_is_refused() -> None:
    with pytest.raises(UploadError, match="empty"):
        clean_upload(upload("nothing.pdf", b""))


def test_oversized_file_is_refused(settings: object) -> None:
    settings.PEELIAN_MAX_UPLOAD_MB = 1  # type: ignore[attr-defined]
    big = b"%PDF-1.7\n" + b"0" * (1024 * 1024)
    with pytest.raises(UploadError, match="larger than 1 MB"):
        clean_upload(upload("big.pdf", big))
    # Exactly at the limit is fine.
    ok = b"%PDF-1.7\n" + b"0" * (1024 * 1024 - 9)
    assert clean_upload(upload("ok.pdf", ok)).size == 1024 * 1024


def test_too_many_files_are_refused(settings: object) -> None:
    settings.PEELIAN_MAX_UPLOAD_FILES = 2  # type: ignore[attr-defined]
    files = [upload(f"{i}.pdf", b"%PDF-1.4 x") for i in range(3)]
    with pytest.raises(UploadError, match="at most 2 files"):
        clean_uploads(files)
    assert len(clean_uploads(files[:2])) == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.4\n%...", "application/pdf"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64\x00\x00", "audio/mpeg"),
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", "audio/wav"),
        (b"OggS\x00\x02\x00\x00", "audio/ogg"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio/mp4"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/quicktime"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska", None),
        (b"MZ\x90\x00", None),
        (b"<html>", None),
    ],
)
def test_sniff(content: bytes, expected: str | None) -> None:
    assert sniff(content) == expected


def test_media_and_documents_are_stored_as_received() -> None:
    content = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + b"\x01" * 100
    clean = clean_upload(upload("clip.mov.exe", content))
    assert clean.content == content
    assert clean.content_type == "video/mp4"
    assert clean.original_name == "clip.mov.exe"
    assert clean.sha256 == hashlib.sha256(content).hexdigest()


def test_decompression_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 100)
    out = io.BytesIO()
    Image.new("L", (20, 20)).save(out, "PNG")
    with pytest.raises(UploadError, match="too large"):
        clean_upload(upload("wide.png", out.getvalue()))

"""Photos are stored without where they were taken or who took them, upright, and only if sound."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from egov.core.errors import ValidationError
from egov.feedback import photos
from egov.feedback.photos import strip_metadata

GPS = {1: "N", 2: (16.0, 27.0, 50.0), 3: "E", 4: (107.0, 35.0, 20.0)}


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "HangMay"
    exif[ExifTags.Base.Artist] = "Nguyen Van Chup"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    return exif


def phone_jpeg(size=(40, 20), orientation: int = 6) -> bytes:
    """A photo as a phone writes it: held upright (orientation 6: turn 90° to show), with GPS,
    the maker, the author, an XMP packet and a comment."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=_exif(orientation), comment=b"chup tai nha ong A",
               xmp=b"<x:xmpmeta><dc:creator>Nguyen Van Chup</dc:creator></x:xmpmeta>")
    return out.getvalue()


def tagged_png(size=(30, 12)) -> bytes:
    info = PngInfo()
    info.add_text("Author", "Nguyen Van Chup")
    info.add_itxt("Comment", "Nhà số 5, kiệt 12", lang="vi")
    info.add_text("Location", "16.46, 107.59", zip=True)
    image = Image.new("RGBA", size, (10, 120, 10, 200))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=_exif(1))
    return out.getvalue()


def png_chunks(data: bytes) -> list[bytes]:
    chunks, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        chunks.append(data[at + 4:at + 8])
        at += 12 + length
    return chunks


def test_the_test_photo_really_carries_gps_and_more():
    with Image.open(io.BytesIO(phone_jpeg())) as image:
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == GPS
        assert "xmp" in image.info and "comment" in image.info


def test_jpeg_loses_gps_exif_xmp_and_comment_and_is_turned_upright():
    stripped = strip_metadata(phone_jpeg(size=(40, 20), orientation=6), "image/jpeg")

    with Image.open(io.BytesIO(stripped)) as image:
        assert image.format == "JPEG"
        assert image.size == (20, 40)  # shown as the phone was held
        assert not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert {"exif", "xmp", "comment", "icc_profile"}.isdisjoint(image.info)
    for secret in (b"Exif", b"HangMay", b"Nguyen Van Chup", b"chup tai nha", b"xmpmeta"):
        assert secret not in stripped


def test_a_photo_without_orientation_keeps_its_size():
    stripped = strip_metadata(phone_jpeg(size=(40, 20), orientation=1), "image/jpeg")
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.size == (40, 20)
        assert image.getpixel((5, 10))[2] > 150 and image.getpixel((35, 10))[0] > 150


def test_png_loses_text_chunks_and_exif_and_keeps_transparency():
    original = tagged_png()
    assert {b"tEXt", b"iTXt", b"zTXt", b"eXIf"} <= set(png_chunks(original))

    stripped = strip_metadata(original, "image/png")

    assert set(png_chunks(stripped)) <= {b"IHDR", b"IDAT", b"IEND"}
    assert b"Nguyen Van Chup" not in stripped
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.size == (30, 12)
        assert image.mode == "RGBA" and image.getpixel((1, 1)) == (10, 120, 10, 200)


def test_a_palette_png_keeps_its_transparent_colour():
    image = Image.new("P", (8, 8), 0)
    image.putpalette([255, 0, 0, 0, 0, 255])
    image.putpixel((1, 1), 1)
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)

    with Image.open(io.BytesIO(strip_metadata(out.getvalue(), "image/png"))) as clean:
        assert clean.convert("RGBA").getpixel((0, 0))[3] == 0
        assert clean.convert("RGBA").getpixel((1, 1)) == (0, 0, 255, 255)


def test_a_colour_profile_is_applied_then_dropped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (120, 60, 30)).save(out, "JPEG", icc_profile=srgb)

    stripped = strip_metadata(out.getvalue(), "image/jpeg")

    with Image.open(io.BytesIO(stripped)) as image:
        assert "icc_profile" not in image.info
        red, green, blue = image.getpixel((5, 5))
        assert abs(red - 120) < 8 and abs(green - 60) < 8 and abs(blue - 30) < 8


def test_a_decompression_bomb_is_refused_before_decoding():
    # 64 million pixels in a file of a few kilobytes
    out = io.BytesIO()
    Image.new("1", (8000, 8000), 0).save(out, "PNG")
    assert len(out.getvalue()) < 100_000

    with pytest.raises(ValidationError, match="quá lớn") as refused:
        strip_metadata(out.getvalue(), "image/png", name="bom.png")
    assert refused.value.code == "bad_image" and "bom.png" in refused.value.message


def test_the_limit_is_in_pixels_not_bytes(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 40 * 20 - 1)
    with pytest.raises(ValidationError, match="quá lớn"):
        strip_metadata(phone_jpeg(size=(40, 20)), "image/jpeg")


@pytest.mark.parametrize("mangle", [
    lambda data: data[:len(data) // 2],              # cut off while uploading
    lambda data: data[:200] + b"\x00" * 300,          # the scan data overwritten
    lambda data: b"\xff\xd8\xff" + b"\x00" * 50,      # only the signature
])
def test_a_broken_jpeg_is_refused_with_a_message(mangle):
    with pytest.raises(ValidationError, match="hỏng") as refused:
        strip_metadata(mangle(phone_jpeg()), "image/jpeg", name="anh.jpg")
    assert "anh.jpg" in refused.value.message


def test_a_png_sent_as_jpeg_is_refused():
    with pytest.raises(ValidationError):
        strip_metadata(tagged_png(), "image/jpeg")


def test_a_pdf_is_not_an_image():
    with pytest.raises(ValidationError, match="JPEG hoặc PNG"):
        strip_metadata(b"%PDF-1.7\n", "application/pdf")

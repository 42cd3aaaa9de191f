"""What a sender may attach: at most five photos or PDFs, each checked by content, photos stripped."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from egov.core.errors import ValidationError
from egov.feedback.files import MAX_FILES, checked
from tests.feedback.test_photos import phone_jpeg, tagged_png

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_photos_and_pdfs_are_accepted_and_photos_lose_their_location():
    upload = SimpleUploadedFile("ổ gà.jpg", phone_jpeg(size=(40, 20)), content_type="image/jpeg")

    result = checked([upload, ("bien-ban.pdf", PDF), ("so-do.png", tagged_png())])

    assert [(name, kind) for name, _, kind in result] == [
        ("ổ gà.jpg", "image/jpeg"), ("bien-ban.pdf", "application/pdf"), ("so-do.png", "image/png")]
    photo = result[0][1]
    with Image.open(io.BytesIO(photo)) as image:
        assert image.size == (20, 40)
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"Nguyen Van Chup" not in photo and b"Nguyen Van Chup" not in result[2][1]
    assert result[1][1] == PDF  # a PDF is stored as sent


def test_no_files_is_fine():
    assert checked([]) == [] and checked(None) == []


def test_more_than_five_files_are_refused():
    with pytest.raises(ValidationError, match=f"tối đa {MAX_FILES} tệp") as refused:
        checked([(f"t{i}.pdf", PDF) for i in range(MAX_FILES + 1)])
    assert refused.value.code == "too_many_files"


@pytest.mark.parametrize(("name", "data", "code"), [
    ("trang.html", b"<html><script>alert(1)</script></html>", "file_type"),
    ("anh.jpg", PDF, "file_type_mismatch"),          # a PDF named as a photo
    ("van-ban.docx", b"PK\x03\x04" + b"\x00" * 40, "file_type"),
    ("rong.pdf", b"", "file_empty"),
])
def test_files_are_judged_by_content(name, data, code):
    with pytest.raises(ValidationError) as refused:
        checked([(name, data)])
    assert refused.value.code == code and name in refused.value.message


def test_a_file_past_the_size_limit_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError, match="dung lượng") as refused:
        checked([big])
    assert refused.value.code == "file_too_large"


def test_a_broken_photo_is_refused_with_its_name():
    with pytest.raises(ValidationError, match="hỏng") as refused:
        checked([("anh-loi.jpg", phone_jpeg()[:300])])
    assert "anh-loi.jpg" in refused.value.message


def test_a_path_in_the_name_is_dropped_and_a_missing_extension_added():
    [(name, _, _)] = checked([("../../etc/bien-ban", PDF)])
    assert name == "bien-ban.pdf"


@pytest.mark.parametrize("item", [("a.pdf",), ("a.pdf", "văn bản"), ("a.pdf", 12)])
def test_a_malformed_item_is_a_validation_error(item):
    with pytest.raises(ValidationError):
        checked([item])


def test_a_sent_photo_is_stored_without_its_location(office):
    from egov.feedback import services

    feedback, _ = services.submit(subject="Ổ gà", content="Ổ gà sâu trước nhà số 12", phone="0912345678",
                                  files=[SimpleUploadedFile("o-ga.jpg", phone_jpeg(size=(40, 20)), "image/jpeg")])

    stored = feedback.files.get()
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert stored.size == len(data) and stored.content_type == "image/jpeg"
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (20, 40) and not image.getexif()
    assert b"Nguyen Van Chup" not in data

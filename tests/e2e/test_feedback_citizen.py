"""An anonymous citizen on a 360 px phone sends a feedback with a photo, picking the ward on the
schematic map, confirms it with the one-time code from the SMS log, and tracks it."""

from __future__ import annotations

import io

import pytest

from tests.e2e.conftest import horizontal_overflow
from tests.feedback.factories import code_in, last_sms

PHONE = "0905123456"


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']}px"


def jpeg_with_gps(path):
    """A small JPEG photo whose EXIF names a place: what a phone camera writes."""
    from PIL import Image

    image = Image.new("RGB", (320, 240), (40, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(0x8825)[2] = (16.0, 28.0, 0.0)  # GPSLatitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_an_anonymous_citizen_sends_a_feedback_with_a_photo_confirms_and_tracks_it(page, demo_org, shot, tmp_path):
    from egov.feedback.models import Feedback, FeedbackFile

    page.goto("/phan-anh/")
    assert_fits(page)
    with page.expect_navigation():
        page.get_by_test_id("feedback-send-link").click()
    assert_fits(page)

    page.get_by_label("Tiêu đề").fill("Đèn đường hỏng trước chợ")
    page.get_by_role("textbox", name="Nội dung").fill("Ba bóng đèn đường trước cổng chợ tắt từ tuần trước, buổi tối rất tối.")
    # The map shows once its script runs; a tap picks the ward and the point.
    tile = page.get_by_test_id("feedback-map").locator(".fb-tile").nth(2)
    ward = tile.get_attribute("data-name")
    tile.click()
    assert page.get_by_label("Xã, phường").locator("option:checked").inner_text() == ward
    assert f"Đã chọn: {ward}" in page.locator(".fb-map-caption").inner_text()
    assert float(page.locator("input[name=map_x]").input_value()) > 0
    page.get_by_label("Địa chỉ, địa điểm").fill("Trước cổng chợ")
    page.get_by_label("Ảnh chụp, tài liệu").set_input_files(str(jpeg_with_gps(tmp_path / "den-duong.jpg")))
    page.get_by_label("Số điện thoại").fill(PHONE)
    shot(page, "form")
    assert_fits(page)
    with page.expect_navigation():
        page.get_by_test_id("send-feedback").click()

    # -- the confirmation page: the code from the SMS log -------------------------------------------
    feedback = Feedback.objects.get()
    assert page.url.endswith(f"/phan-anh/xac-nhan/{feedback.code}/")
    assert page.get_by_test_id("feedback-code").inner_text() == feedback.code
    assert "nhật ký tin nhắn" in page.content()  # demo mode says where the code is
    assert_fits(page)
    shot(page, "confirm")
    otp = code_in(last_sms(PHONE))
    page.get_by_label("Mã xác nhận").fill(otp)
    with page.expect_navigation():
        page.get_by_test_id("confirm-feedback").click()

    # -- tracking: received, no personal data ---------------------------------------------------------
    assert f"ma={feedback.code}" in page.url
    assert page.get_by_test_id("feedback-status").inner_text() == "Chờ phân loại"
    assert PHONE not in page.content() and "Trước cổng chợ" not in page.content()
    assert_fits(page)
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.NEW and feedback.unit.name == ward
    photo = FeedbackFile.objects.get(feedback=feedback)
    assert photo.content_type == "image/jpeg"
    assert b"PhoneMaker" not in photo.file.read()  # metadata stripped before storing

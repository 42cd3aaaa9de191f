"""Account pages in a real browser, on a phone (360 px) and a desktop: two-factor sign-in, sign-up, reset."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import horizontal_overflow

BOTH = pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
NEW_PASSWORD = "Song-Huong-xanh-2026"


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def code_from(page, secret: str, offset: int = 0) -> str:
    from egov.org import totp

    return totp.code_at(secret, time.time() + offset)


@BOTH
def test_an_administrator_enrols_and_signs_in_with_a_code(page, demo_org, login, logout, settings, shot):
    settings.REQUIRE_2FA_ADMINS = True
    login(page, demo_org.admin)
    assert page.url.endswith("/tai-khoan/xac-thuc-hai-buoc/")
    assert page.get_by_test_id("forced").is_visible()
    assert page.get_by_role("img", name="Mã QR để thêm tài khoản vào ứng dụng xác thực").is_visible()
    assert_fits(page)
    shot(page, "enrol")
    page.goto("/can-bo/")  # nothing else until enrolled
    assert "/tai-khoan/dang-nhap/" in page.url
    page.goto("/tai-khoan/xac-thuc-hai-buoc/")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã xác thực").fill(code_from(page, secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận và bật").click()
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    assert_fits(page)
    shot(page, "recovery-codes")
    with page.expect_navigation():
        page.get_by_role("link", name="Tiếp tục").click()
    assert page.get_by_role("heading", name="Trang làm việc").is_visible()
    logout(page)

    login(page, demo_org.admin)
    assert page.url.endswith("/tai-khoan/xac-thuc-hai-buoc/nhap-ma/")
    page.get_by_label("Mã xác thực").fill("000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận").click()
    assert page.get_by_text("Mã xác thực không đúng hoặc đã được dùng.").is_visible()
    assert_fits(page)
    shot(page, "verify-wrong")
    page.get_by_label("Mã xác thực").fill(code_from(page, secret, 30))
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận").click()
    assert page.get_by_role("heading", name="Trang làm việc").is_visible()
    page.goto("/tai-khoan/xac-thuc-hai-buoc/")
    assert page.get_by_text("Đang bật").is_visible()
    assert_fits(page)
    shot(page, "status")


@BOTH
def test_a_citizen_signs_up_activates_and_resets_the_password(page, db, mailoutbox, shot):
    page.goto("/tai-khoan/dang-ky/")
    page.get_by_label("Họ và tên").fill("Phan Thị Mai")
    page.get_by_label("Số định danh cá nhân (CCCD) hoặc mã số thuế").fill("046199001122")
    page.get_by_label("Thư điện tử").fill("mai@example.vn")
    page.get_by_label(re.compile(r"^Mật khẩu:?$")).fill("Hue-dep-lam-2026")
    page.get_by_label("Nhập lại mật khẩu").fill("Hue-dep-lam-2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng ký").click()
    assert page.get_by_test_id("registration-sent").is_visible()
    assert_fits(page)
    shot(page, "registration-sent")

    link = re.search(r"/tai-khoan/kich-hoat/\S+/", mailoutbox[-1].body).group(0)
    page.goto(link)
    assert page.get_by_role("heading", name="Kích hoạt tài khoản").is_visible()
    assert_fits(page)
    shot(page, "activate")
    page.get_by_label("Mật khẩu đã đăng ký").fill("Hue-dep-lam-2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Kích hoạt").click()
    assert page.get_by_text("Tài khoản đã được kích hoạt.").is_visible()
    page.goto("/tai-khoan/xac-thuc-hai-buoc/")  # a citizen may turn it on, and off again
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã xác thực").fill(code_from(page, secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận và bật").click()
    page.goto("/tai-khoan/xac-thuc-hai-buoc/")
    assert page.get_by_role("button", name="Tắt").is_visible()
    assert_fits(page)
    shot(page, "two-factor-status")
    page.get_by_label("Mã xác thực").fill(code_from(page, secret, 30))
    with page.expect_navigation():
        page.get_by_role("button", name="Tắt").click()
    assert page.get_by_text("Đã tắt xác thực hai bước.").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()

    page.goto("/tai-khoan/dang-nhap/")
    shot(page, "login")
    with page.expect_navigation():
        page.get_by_role("link", name="Quên mật khẩu?").click()
    assert_fits(page)
    shot(page, "reset-request")
    page.get_by_label("Thư điện tử đã đăng ký").fill("mai@example.vn")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi hướng dẫn").click()
    assert page.get_by_test_id("reset-sent").is_visible()
    assert_fits(page)
    shot(page, "reset-sent")

    link = re.search(r"/tai-khoan/dat-lai-mat-khau/\S+/", mailoutbox[-1].body).group(0)
    page.goto(link)
    assert_fits(page)
    shot(page, "reset-form")
    page.get_by_label(re.compile(r"^Mật khẩu mới:?$")).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu mật khẩu mới").click()
    assert page.get_by_text("Đã đặt mật khẩu mới.").is_visible()
    page.goto(link)
    assert page.get_by_test_id("link-invalid").is_visible()
    assert_fits(page)
    shot(page, "link-used")

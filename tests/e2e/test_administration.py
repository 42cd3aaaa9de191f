"""Administration in a real browser, on a phone (360 px) and a desktop: an agency administrator
adds an official, who signs in with the one-time password; deactivates them, after which they
cannot; adds a department and a day off."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import do_login, do_logout, horizontal_overflow, keep_for_review

BOTH = pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)


@BOTH
def test_agency_admin_adds_and_deactivates_an_official(page, demo_org, shot):
    width = page.viewport_size["width"]
    do_login(page, demo_org.accounts["quantri"])
    page.goto("/can-bo/can-bo/")
    assert horizontal_overflow(page) <= 0
    keep_for_review(shot(page, "list"), f"admin-officials-{width}")
    page.get_by_role("link", name="Thêm cán bộ").click()
    page.get_by_label("Tên đăng nhập").fill("stp.moi")
    page.get_by_label("Họ và tên").fill("Trần Thị Mới")
    page.get_by_label("Chức vụ").fill("Chuyên viên Phòng Hành chính tư pháp")
    page.get_by_label("Chuyên viên", exact=True).check()
    assert horizontal_overflow(page) <= 0
    keep_for_review(shot(page, "create"), f"admin-official-create-{width}")
    page.get_by_role("button", name="Thêm cán bộ").click()
    password = page.get_by_test_id("one-time-password").inner_text()
    assert len(password) == 14
    assert horizontal_overflow(page) <= 0
    keep_for_review(shot(page, "password"), f"admin-official-password-{width}")

    do_logout(page)
    do_login(page, "stp.moi", password)
    assert page.get_by_test_id("must-change").is_visible()  # the one-time password is replaced first
    assert horizontal_overflow(page) <= 0
    keep_for_review(shot(page, "change"), f"admin-password-change-{width}")
    page.locator("#id_old_password").fill(password)
    page.locator("#id_password1").fill("Song-Huong-xanh-2026")
    page.locator("#id_password2").fill("Song-Huong-xanh-2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu mật khẩu mới").click()
    assert page.get_by_text("Đã đổi mật khẩu.").is_visible()
    assert page.get_by_text("Trần Thị Mới").first.is_visible()
    password = "Song-Huong-xanh-2026"
    do_logout(page)

    do_login(page, demo_org.accounts["quantri"])
    page.goto("/can-bo/can-bo/?q=stp.moi")
    page.get_by_role("link", name="Trần Thị Mới").click()
    assert horizontal_overflow(page) <= 0
    keep_for_review(shot(page, "detail"), f"admin-official-detail-{width}")
    page.get_by_role("button", name="Khóa tài khoản").click()
    assert page.get_by_text("Đã khóa tài khoản stp.moi").is_visible()
    do_logout(page)
    do_login(page, "stp.moi", password)
    assert page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.").is_visible()


@BOTH
def test_agency_admin_adds_a_department_and_a_day_off(page, demo_org, shot):
    from egov.org.models import User

    width = page.viewport_size["width"]
    agency = User.objects.get(username=demo_org.accounts["quantri"]).official.agency
    do_login(page, demo_org.accounts["quantri"])
    page.goto("/can-bo/co-quan/")
    page.get_by_role("link", name=agency.name).first.click()
    page.get_by_label("Tên phòng ban").fill("Tổ Số hóa hồ sơ")
    page.get_by_role("button", name="Thêm phòng ban").click()
    assert page.get_by_text("Đã thêm phòng ban Tổ Số hóa hồ sơ.").is_visible()
    assert horizontal_overflow(page) <= 0
    keep_for_review(shot(page, "agency"), f"admin-agency-{width}")

    page.goto("/can-bo/lich-lam-viec/?nam=2031")
    page.get_by_role("link", name="Thêm ngày nghỉ, làm bù").click()
    page.locator("#id_date").fill("2031-03-03")
    page.get_by_label("Ghi chú").fill("Thông báo số 12/TB-STP")
    page.get_by_role("button", name="Thêm", exact=True).click()
    assert page.get_by_text("Thứ 2, 03/03/2031").is_visible()
    assert page.get_by_text("Thông báo số 12/TB-STP").is_visible()
    assert horizontal_overflow(page) <= 0
    keep_for_review(shot(page, "calendar"), f"admin-calendar-{width}")
    page.goto("/can-bo/lich-lam-viec/?nam=2031")
    assert page.get_by_text("Thứ 2, 03/03/2031 — Thông báo số 12/TB-STP").is_visible()

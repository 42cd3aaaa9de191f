"""The sign-in lockout as a person meets it, on a phone (360 px) and a desktop."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import do_login, horizontal_overflow

BOTH = pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)


@BOTH
def test_guessing_ends_in_a_lock_that_says_when_to_come_back(page, demo_org, settings, shot):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        do_login(page, demo_org.citizen, "doan-mo-mat-khau")
    assert page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.").is_visible()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        do_login(page, demo_org.citizen)  # the right password, too late
    assert answer.value.status == 429
    assert page.get_by_text("Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút.").is_visible()
    assert horizontal_overflow(page) <= 0
    shot(page, "locked")


@BOTH
def test_an_address_spraying_names_is_slowed_down(page, demo_org, settings, shot):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 3
    for n in range(3):
        do_login(page, f"khong.ton.tai.{n}", "doan-mo")
    do_login(page, demo_org.citizen)
    assert page.get_by_text("Có quá nhiều lần đăng nhập sai từ địa chỉ của bạn.", exact=False).is_visible()
    assert horizontal_overflow(page) <= 0
    shot(page, "throttled")


@BOTH
def test_guessing_codes_after_the_password_ends_in_the_same_lock(page, demo_org, settings, shot):
    import time

    from egov.org import accounts, totp
    from egov.org.models import User

    citizen = User.objects.get(username=demo_org.citizen)
    secret = accounts.pending_secret(user=citizen)
    accounts.confirm_two_factor(user=citizen, code=totp.code_at(secret, time.time()))
    do_login(page, demo_org.citizen)
    for _ in range(settings.LOGIN_MAX_FAILURES + 1):
        page.get_by_label("Mã xác thực").fill("000000")
        with page.expect_navigation():
            page.get_by_role("button", name="Xác nhận").click()
    assert page.get_by_role("heading", name="Tạm thời không thể đăng nhập").is_visible()
    assert page.get_by_text("Tài khoản tạm bị khóa do đăng nhập sai nhiều lần.", exact=False).is_visible()
    assert horizontal_overflow(page) <= 0
    shot(page, "refused")

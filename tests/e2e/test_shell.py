"""The UI shell in a real browser: sign-in per role, the role's menu, phone and desktop widths."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import horizontal_overflow, menu_links

STAFF_ACCOUNTS = ["stp.lanhdao", "stp.chuyenvien", "stp.motcua", "stp.vanthu", "stp.quantri", "admin"]
BOTH = pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
AUDIT_LOG = "Nhật ký thao tác"
WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."


def expected_menu(identifier: str) -> list[tuple[str, str]]:
    from django.db.models import Q

    from egov.org.access import menu_for
    from egov.org.models import User

    user = User.objects.get(Q(username=identifier) | Q(email=identifier))
    return [(entry["label"], entry["url"]) for entry in menu_for(user)]


def assert_fits(page):
    width = page.viewport_size["width"]
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {width}px"
    if width == 360:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("username", STAFF_ACCOUNTS)
def test_staff_sees_exactly_their_roles_menu(phone_page, desktop_page, demo_org, login, username):
    # both widths in one test: one database set-up for two browser contexts
    for page in (phone_page, desktop_page):
        login(page, username)
        assert re.search(r"/can-bo/$", page.url), page.url
        assert page.get_by_role("heading", name="Trang làm việc").is_visible()
        assert page.get_by_test_id("current-user").is_visible()
        shown = menu_links(page)
        assert shown == expected_menu(username)
        toggle = page.get_by_test_id("staff-menu-toggle")
        if page is phone_page:
            # a phone shows the menu's button at the top of the page, above the heading, closed
            assert toggle.is_visible()
            assert toggle.bounding_box()["y"] < page.get_by_role("heading", name="Trang làm việc").bounding_box()["y"]
            assert not page.get_by_test_id("staff-menu").is_visible()
            toggle.click()
        else:
            assert not toggle.is_visible()  # a sidebar, always open
        assert page.get_by_test_id("staff-menu").is_visible()
        for label, _href in shown:
            assert page.get_by_test_id("staff-menu").get_by_role("link", name=label, exact=True).is_visible()
        labels = [label for label, _ in shown]
        if username == "stp.chuyenvien":
            assert AUDIT_LOG not in labels
        if username in ("stp.quantri", "admin"):
            assert AUDIT_LOG in labels
        assert_fits(page)


@BOTH
def test_citizen_home_page_is_vietnamese(page, demo_org, login):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", name="Dịch vụ công trực tuyến").is_visible()
    assert page.get_by_role("link", name="Đăng nhập").is_visible()
    assert_fits(page)
    login(page, demo_org.citizen)
    assert page.url == page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/"  # the home page
    assert page.get_by_test_id("current-user").inner_text().strip() == "Nguyễn Thị Hoa"
    assert page.locator("main").get_by_role("link", name=re.compile("Hồ sơ của tôi")).is_visible()
    assert page.get_by_role("link", name="Trang làm việc").count() == 0  # no staff area for citizens
    assert menu_links(page) == expected_menu(demo_org.citizen)  # citizen entries only, if any
    assert_fits(page)


@BOTH
def test_wrong_password_shows_vietnamese_error(page, demo_org, login):
    login(page, "stp.chuyenvien", "sai-mat-khau")
    alert = page.get_by_role("alert")
    assert alert.first.is_visible()
    assert WRONG_LOGIN in alert.first.inner_text()
    assert "/tai-khoan/dang-nhap/" in page.url
    assert page.get_by_test_id("current-user").count() == 0
    assert_fits(page)


def test_login_form_works_with_keyboard_only(desktop_page, demo_org):
    page = desktop_page
    page.goto("/tai-khoan/dang-nhap/")
    focused = "document.activeElement && document.activeElement.getAttribute('autocomplete')"
    assert page.evaluate(focused) == "username"  # autofocus on the first field
    page.keyboard.type("stp.lanhdao")
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "current-password"
    page.keyboard.type(demo_org.password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/can-bo/")
    assert page.get_by_role("heading", name="Trang làm việc").is_visible()
    # the skip link is the first stop for keyboard users and leads to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Bỏ qua điều hướng"


@BOTH
def test_logout_ends_the_session(page, demo_org, login, logout):
    login(page, "stp.motcua")
    assert page.get_by_test_id("current-user").is_visible()
    logout(page)
    assert page.get_by_text("Bạn đã đăng xuất.").is_visible()
    assert page.get_by_role("link", name="Đăng nhập").is_visible()
    assert page.get_by_test_id("current-user").count() == 0
    page.goto("/can-bo/")
    assert "/tai-khoan/dang-nhap/" in page.url  # the staff area asks to sign in again

"""Filing as a business on a phone and at a desk: "Nộp hồ sơ" from the menu, procedure search that
ranks and suggests, papers kept after an error, the code at once, the account and notification pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import horizontal_overflow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"
BUSINESS = "doanhnghiep@demo.egov.vn"


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']}px"


def snap(page, shot, label):
    shot(page, label)


def open_menu(page, label):
    toggle = page.get_by_test_id("staff-menu-toggle")
    if page.get_by_test_id("staff-menu").is_hidden():
        toggle.click()
    with page.expect_navigation():
        page.get_by_test_id("staff-menu").get_by_role("link", name=label, exact=True).click()


def plain_online_procedure():
    """A procedure filed fully online, with two papers or more and no e-form (uploads only)."""
    from egov.procedures.models import Procedure

    for procedure in Procedure.objects.filter(is_active=True, online_service="full").order_by("code"):
        if not procedure.form_definition and procedure.papers.count() >= 2:
            return procedure
    pytest.skip("the demo catalogue has no such procedure")


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_a_business_files_with_search_kept_papers_and_its_account_pages(page, demo_world, login, shot):
    login(page, BUSINESS)
    # -- "Nộp hồ sơ" is reachable: the home card and the menu ---------------------------------------
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Nộp hồ sơ trực tuyến")).click()
    assert page.url.endswith("/thu-tuc/?online=1")
    assert_fits(page)

    # -- search ranks by the words matched, and suggests when nothing matches ------------------------
    box = page.get_by_label("Tên hoặc mã thủ tục")
    box.fill("khai sinh con")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm", exact=True).click()
    first = page.get_by_test_id("procedure-list").locator("li").first
    assert "khai sinh" in first.inner_text().lower()
    box = page.get_by_label("Tên hoặc mã thủ tục")
    box.fill("khaisihn")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm", exact=True).click()
    suggestion = page.get_by_test_id("suggestion")
    assert suggestion.inner_text() == "khai sinh"
    assert_fits(page)
    snap(page, shot, "search-suggestion")
    with page.expect_navigation():
        suggestion.click()
    assert "khai sinh" in page.get_by_test_id("procedure-list").locator("li").first.inner_text().lower()

    # -- filing: one bad paper costs only that paper --------------------------------------------------
    procedure = plain_online_procedure()
    page.goto(f"/thu-tuc/{procedure.code}/")
    with page.expect_navigation():
        page.get_by_test_id("file-online").first.click()
    agency = page.get_by_label("Cơ quan tiếp nhận")
    if not agency.input_value():
        agency.select_option(index=1)
    papers = list(procedure.papers.all())
    inputs = [page.locator(f"#paper_{p.pk}") for p in papers]
    for field in inputs[:-1]:
        field.set_input_files(str(FIXTURES / "paper.pdf"))
    inputs[-1].set_input_files({"name": "anh-chup.pdf", "mimeType": "application/pdf",
                                "buffer": (FIXTURES / "id_card.png").read_bytes()})
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    assert page.get_by_text("nội dung tệp không khớp với phần mở rộng .pdf").is_visible()
    kept = page.get_by_test_id("kept-paper")
    assert kept.count() == len(papers) - 1 and "Không cần chọn lại" in kept.first.inner_text()
    assert_fits(page)
    snap(page, shot, "kept-papers")
    page.locator(f"#paper_{papers[-1].pk}").set_input_files(str(FIXTURES / "id_card.png"))
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    assert re.search(r"/ho-so/cua-toi/\d+/$", page.url)
    heading = page.get_by_role("heading", level=1).inner_text()
    code = heading.removeprefix("Hồ sơ ").strip()
    assert re.fullmatch(r".+-\d{6}-\d{4}", code), heading
    assert page.get_by_text("Chờ tiếp nhận", exact=True).first.is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Trang tra cứu công khai").click()
    assert page.get_by_test_id("waiting-note").is_visible()
    assert_fits(page)
    snap(page, shot, "tracking-waiting")

    # -- the account: profile, password, notifications ------------------------------------------------
    open_menu(page, "Tài khoản")
    assert page.get_by_role("heading", name="Thông tin tài khoản").is_visible()
    assert page.get_by_role("heading", name="Công ty TNHH Sông Hương Xanh").is_visible()
    assert "Mã số thuế" in page.get_by_test_id("profile").inner_text()
    page.get_by_label("Địa chỉ").fill("47 Nguyễn Huệ, phường Thuận Hóa, thành phố Huế")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu thay đổi").click()
    assert page.get_by_text("Đã cập nhật thông tin tài khoản.").is_visible()
    assert page.get_by_role("link", name="Đổi mật khẩu").is_visible()
    assert_fits(page)
    snap(page, shot, "profile")
    open_menu(page, "Thông báo")
    assert page.get_by_role("heading", name="Thông báo").is_visible()
    assert page.get_by_test_id("notifications").is_visible()
    assert_fits(page)
    snap(page, shot, "notifications")
    open_menu(page, "Nộp hồ sơ")
    assert page.url.endswith("/thu-tuc/?online=1")

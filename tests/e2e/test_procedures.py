"""The procedures catalogue in a real browser, at phone width: find a procedure typed without
diacritics, read what to bring, reach the online filing button; an agency administrator edits
their own process and sees the share error."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import horizontal_overflow


@pytest.fixture
def catalogue(demo_org):
    from egov.procedures import demo

    demo.load(lambda line: None)
    return demo_org


def assert_fits(page):
    assert horizontal_overflow(page) <= 0, f"{page.url} scrolls sideways at {page.viewport_size['width']}px"


def test_citizen_finds_a_procedure_and_the_online_button(phone_page, catalogue, shot):
    page = phone_page
    page.goto("/thu-tuc/")
    assert_fits(page)
    page.get_by_label("Tên hoặc mã thủ tục").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name=re.compile("Thủ tục đăng ký khai sinh$")).click()
    page.wait_for_url(re.compile(r"/thu-tuc/1\.001193/$"))
    assert page.get_by_role("heading", name="Thủ tục đăng ký khai sinh").is_visible()
    assert page.get_by_test_id("file-online").is_visible()
    assert page.get_by_text("Giấy chứng sinh", exact=False).first.is_visible()
    assert page.get_by_test_id("resolution").inner_text() == "1 ngày làm việc"
    assert_fits(page)
    shot(page, "detail")
    assert page.get_by_test_id("file-online").get_attribute("href").endswith("/1.001193/")


def test_agency_admin_edits_their_process(phone_page, catalogue, login, shot):
    page = phone_page
    login(page, "thuanhoa.quantri")
    page.goto("/thu-tuc/quan-ly/?loc=cua-toi&q=ban+sao+trich+luc")
    assert_fits(page)
    page.get_by_role("link", name="Quy trình").first.click()
    page.get_by_label("Thời gian bước 2").fill("0.1")
    page.get_by_role("button", name="Lưu quy trình").click()
    errors = page.get_by_test_id("process-errors")
    assert "còn thiếu" in errors.inner_text()
    shot(page, "share-error")
    page.get_by_label("Thời gian bước 2").fill("0.6")
    page.get_by_role("button", name="Lưu quy trình").click()
    assert page.get_by_text("Đã lưu quy trình nội bộ.").is_visible()
    assert_fits(page)

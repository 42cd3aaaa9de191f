"""Documents in a real browser: an incoming PDF registered with prefilled metadata, assigned by a
leader on a phone, finished by a specialist; a draft reviewed, approved and issued with its number."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import horizontal_overflow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
LETTER = FIXTURES / "02-cong-van-ubnd-tp-hue-cds.pdf"


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.fixture
def office(demo_org):
    from egov.documents.doctypes import seed_document_types

    seed_document_types()  # the browser tests' database is flushed between tests
    return demo_org


def test_incoming_pdf_registered_assigned_on_a_phone_and_finished(desktop_page, phone_page, office, login, logout, shot):
    clerk = desktop_page
    login(clerk, "vp.vanthu")
    clerk.goto("/van-ban/den/vao-so/")
    clerk.set_input_files("#id_files", str(LETTER))
    # htmx posts the file and swaps in the prefilled fields
    notice = clerk.get_by_test_id("extract-notice")
    notice.wait_for()
    assert "Đã đọc thông tin từ tệp" in notice.inner_text()
    assert clerk.locator("#id_number_symbol").input_value() == "7303/UBND-VP"
    assert clerk.locator("#id_issued_on").input_value() == "2025-08-15"
    assert clerk.locator("#id_doc_type option:checked").inner_text() == "Công văn"
    assert "chuyển đổi số" in clerk.locator("#id_summary").input_value()
    shot(clerk, "prefilled")
    with clerk.expect_navigation():
        clerk.get_by_test_id("register-submit").click()
    assert re.search(r"/van-ban/\d+/$", clerk.url)
    assert clerk.get_by_test_id("register-number").inner_text().startswith("1/")
    document_url = clerk.url
    logout(clerk)

    leader = phone_page
    login(leader, "vp.lanhdao")
    leader.goto(document_url)
    assert_fits(leader)
    form = leader.get_by_test_id("assign-form")
    if not form.is_visible():
        leader.get_by_test_id("assign-toggle").click()
    specialist_option = form.locator("#id_lead option", has_text="Chuyên viên").first
    form.locator("#id_lead").select_option(value=specialist_option.get_attribute("value"))
    form.locator("#id_deadline_days").fill("3")
    form.locator("#id_instruction").fill("Tham mưu triển khai, báo cáo trước hạn.")
    leader.get_by_test_id("assign-submit").click()
    leader.get_by_test_id("assignments").get_by_text("Chủ trì").wait_for()
    assert "Tham mưu triển khai" in leader.get_by_test_id("assignments").inner_text()
    assert_fits(leader)
    shot(leader, "assigned")

    login(clerk, "vp.chuyenvien")
    clerk.goto("/van-ban/viec-can-xu-ly/")
    task = clerk.get_by_test_id("task").first
    assert "chuyển đổi số" in task.inner_text()
    with clerk.expect_navigation():
        task.get_by_role("link").first.click()
    clerk.get_by_test_id("my-assignment").get_by_label("Kết quả xử lý").fill("Đã triển khai, gửi báo cáo.")
    clerk.get_by_test_id("complete").click()
    clerk.get_by_test_id("handling").get_by_text("Đã xong").wait_for()
    clerk.reload()
    assert clerk.get_by_test_id("document-status").inner_text() == "Đã xử lý xong"
    assert "Hoàn thành phần việc" in clerk.get_by_test_id("timeline").inner_text()


def test_draft_reviewed_approved_and_issued_with_its_number(desktop_page, office, login, logout, shot):
    page = desktop_page
    login(page, "vp.chuyenvien")
    page.goto("/van-ban/di/soan-thao/")
    form = page.get_by_test_id("draft-form")
    form.locator("#id_doc_type").select_option(label="Công văn")
    form.locator("#id_summary").fill("V/v báo cáo tình hình ứng dụng chữ ký số")
    form.locator("#id_file").set_input_files(str(LETTER))
    form.locator("#id_signer").select_option(index=1)
    form.locator("#id_recipients").select_option(label="Sở Tư pháp thành phố Huế")
    form.locator("#id_external").fill("Bộ Khoa học và Công nghệ; vanthu@most.gov.vn")
    with page.expect_navigation():
        page.get_by_test_id("draft-submit").click()
    document_url = page.url
    page.get_by_test_id("submit-form").get_by_label(re.compile("Lãnh đạo|Chủ tịch|Chánh")).first.check()
    with page.expect_navigation():
        page.get_by_test_id("submit-review").click()
    assert page.get_by_test_id("document-status").inner_text() == "Đang trình duyệt"
    logout(page)

    login(page, "vp.lanhdao")
    page.goto(document_url)
    page.get_by_test_id("review-form").get_by_label("Đồng ý").check()
    with page.expect_navigation():
        page.get_by_test_id("review-submit").click()
    assert page.get_by_test_id("document-status").inner_text() == "Chờ lãnh đạo duyệt ký"
    with page.expect_navigation():
        page.get_by_test_id("approve-submit").click()
    assert page.get_by_test_id("document-status").inner_text() == "Đã duyệt, chờ phát hành"
    logout(page)

    login(page, "vp.vanthu")
    page.goto("/van-ban/cho-phat-hanh/")
    with page.expect_navigation():
        page.get_by_test_id("document-item").first.get_by_role("link").first.click()
    with page.expect_navigation():
        page.get_by_test_id("issue-submit").click()
    assert page.get_by_test_id("document-status").inner_text() == "Đã phát hành"
    assert "01/VP-KT" in page.get_by_test_id("document-title").inner_text()
    assert "Đã gửi điện tử" in page.get_by_test_id("outgoing-flow").inner_text()
    shot(page, "issued")

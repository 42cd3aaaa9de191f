"""The counter officer at the intake page, on a phone and at the desk: a walk-in whose papers are
incomplete leaves with the printed request to supplement them; one whose dossier cannot be taken
is refused and the refusal form is printed from the dossier page, where the control sheet is too."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import horizontal_overflow, keep_for_review

PROCEDURE = "2.000488"  # Cấp Phiếu lý lịch tư pháp, Sở Tư pháp


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def save(page, name: str) -> None:
    keep_for_review(page, f"print-{name}")


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_counter_gives_the_supplement_form_or_refuses_at_intake(page, demo_world, login):
    width = page.viewport_size["width"]
    login(page, demo_world.accounts["motcua"], demo_world.password)
    page.goto(f"/ho-so/tiep-nhan/?thu-tuc={PROCEDURE}")
    page.get_by_label("Họ và tên người nộp").fill("Trần Văn Khách")
    page.get_by_label("Số điện thoại").fill("0987654321")
    details = page.get_by_test_id("intake-not-received")
    details.locator("summary").click()
    details.locator("input[name=missing]").first.check()
    page.get_by_label("Lý do").fill("Tờ khai chưa có chữ ký")
    assert horizontal_overflow(page) == 0
    save(page, f"intake-{width}")

    # the supplement request comes back as the printed form; nothing is received
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="In phiếu yêu cầu bổ sung, hoàn thiện hồ sơ").click()
    assert answer.value.status == 200, answer.value.text()[:2000]
    assert answer.value.headers["content-type"] == "application/pdf"
    # (the form's text is checked in tests/dossiers/test_printed_forms.py: Chromium hands the
    # navigated PDF to its viewer, so its body is not readable here)
    from egov.core.models import AuditEntry

    entry = AuditEntry.objects.get(action="dossier.counter_supplement")
    assert entry.summary["applicant_name"] == "Trần Văn Khách" and entry.summary["note"] == "Tờ khai chưa có chữ ký"

    # refused: the dossier page offers the refusal form
    page.goto(f"/ho-so/tiep-nhan/?thu-tuc={PROCEDURE}")
    page.get_by_label("Họ và tên người nộp").fill("Trần Văn Khách")
    page.get_by_test_id("intake-not-received").locator("summary").click()
    page.get_by_label("Lý do").fill("Không có giấy ủy quyền của người yêu cầu")
    page.get_by_role("button", name="Từ chối tiếp nhận").click()
    page.wait_for_url("**/ho-so/*/")
    assert "Từ chối tiếp nhận" in page.locator("main").inner_text()
    link = page.get_by_role("link", name="Phiếu từ chối tiếp nhận (PDF)")
    assert horizontal_overflow(page) == 0
    save(page, f"refused-{width}")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert "Không có giấy ủy quyền của người yêu cầu" in pdf_text(response.body())


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_dossier_page_links_the_control_sheet(page, demo_world, login):
    from egov.dossiers.models import Dossier

    dossier = Dossier.objects.filter(agency__code="000.00.12.H57", steps__finished_at__isnull=False,
                                     code__isnull=False).distinct().first()
    login(page, demo_world.accounts["motcua"], demo_world.password)
    page.goto(f"/ho-so/{dossier.pk}/")
    forms = page.get_by_test_id("printed-forms")
    link = forms.get_by_role("link", name="Phiếu kiểm soát quá trình (PDF)")
    assert horizontal_overflow(page) == 0
    forms.scroll_into_view_if_needed()
    save(page, f"detail-{page.viewport_size['width']}")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    text = pdf_text(response.body())
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and dossier.code in text


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_counter_asks_an_online_dossier_to_be_completed(page, demo_world, login):
    from egov.dossiers.models import Dossier

    dossier = Dossier.objects.filter(agency__code="000.00.12.H57", status="submitted").first()
    width = page.viewport_size["width"]
    login(page, demo_world.accounts["motcua"], demo_world.password)
    page.goto(f"/ho-so/{dossier.pk}/")
    actions = page.get_by_test_id("dossier-actions")
    details = actions.locator("details").filter(has=page.locator("summary", has_text="Yêu cầu bổ sung"))
    details.locator("summary").click()
    details.get_by_label("Giấy tờ cần bổ sung (mỗi dòng một loại)").fill("Bản chụp CCCD rõ nét")
    with page.expect_navigation():
        details.get_by_role("button", name="Yêu cầu bổ sung", exact=True).click()
    assert page.get_by_text("Đã thực hiện: Yêu cầu bổ sung.").is_visible()
    link = page.get_by_role("link", name="Phiếu yêu cầu bổ sung")
    assert "Chờ tiếp nhận" in page.locator("main").inner_text()
    assert horizontal_overflow(page) == 0
    link.scroll_into_view_if_needed()
    save(page, f"online-supplement-{width}")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and "Bản chụp CCCD rõ nét" in pdf_text(response.body())

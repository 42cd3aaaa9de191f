"""The exchange admin area (liên thông) on a phone: the outbox with a failed delivery sent again,
and a peer added through its form, at 360 px without sideways scrolling."""

from __future__ import annotations

from tests.e2e.conftest import horizontal_overflow


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def plant_outbox():
    """A peer relaying one remote agency, and a status message to it whose delivery failed."""
    from egov.exchange.models import Delivery, Message, Peer, RemoteAgency

    # Port 9 (discard) on loopback refuses at once: the resent delivery's try fails fast, offline.
    peer = Peer.objects.create(name="Tỉnh Quảng Trị", endpoint="http://127.0.0.1:9/api/v1/exchange/edxml")
    RemoteAgency.objects.create(peer=peer, code="000.00.12.H45", name="Sở Nội vụ tỉnh Quảng Trị")
    message = Message.objects.create(direction=Message.Direction.OUT, kind=Message.Kind.STATUS,
                                     state=Message.State.FAILED, peer=peer, status_code="03",
                                     document_key="000.00.12.H45,2026/03/02,1052/SNV-VP")
    return Delivery.objects.create(message=message, peer=peer, to_code="000.00.12.H45", state=Delivery.State.FAILED,
                                   attempts=8, response_status=503, last_error="HTTP 503: Service Unavailable")


def test_outbox_and_peer_form_on_a_phone(phone_page, demo_org, login, shot):
    page = phone_page
    failed = plant_outbox()
    login(page, demo_org.admin)
    page.goto("/lien-thong/hop-thu-di/")
    row = page.locator(f"tr[data-delivery='{failed.pk}']")
    assert "Sở Nội vụ tỉnh Quảng Trị" in row.inner_text() and "Gửi lỗi" in row.inner_text()
    assert "HTTP 503: Service Unavailable" in row.inner_text()
    resend = page.get_by_test_id(f"resend-{failed.pk}")
    assert resend.is_visible()
    box = resend.bounding_box()
    assert box["height"] >= 40 and box["x"] + box["width"] <= 360  # a thumb-sized button inside the screen
    assert_fits(page)
    shot(page, "outbox")
    with page.expect_navigation():
        resend.click()
    assert f"Đã đưa lượt gửi #{failed.pk} vào hàng đợi gửi lại." in page.locator(".messages").inner_text()
    # Sent again at once (tasks run inline here): this planted status reports on no received
    # document, so the new try fails for good, and the row shows that new reason, not the old 503.
    failed.refresh_from_db()
    assert failed.attempts == 1 and failed.last_error != "HTTP 503: Service Unavailable"
    assert failed.last_error in page.locator(f"tr[data-delivery='{failed.pk}']").inner_text()

    page.get_by_role("link", name="Đầu mối", exact=True).click()
    page.get_by_test_id("peer-create").click()
    form = page.get_by_test_id("peer-form")
    form.get_by_label("Tên đầu mối").fill("Tỉnh Quảng Bình")
    form.get_by_label("Địa chỉ nhận gói tin").fill("https://egov.quangbinh.example/api/v1/exchange/edxml")
    key = form.get_by_label("Khóa API để gọi hệ thống đó")
    assert key.get_attribute("type") == "password"
    form.get_by_label("Bắt buộc gói tin có chữ ký số").check()
    form.get_by_label("Cơ quan qua đầu mối này").fill("000.00.01.H16 = Văn phòng UBND tỉnh Quảng Bình")
    assert_fits(page)
    for field in ("Tên đầu mối", "Địa chỉ nhận gói tin", "Cơ quan qua đầu mối này"):
        box = form.get_by_label(field).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, field
    shot(page, "peer-form")
    key.fill("khoa-bi-mat-cua-quang-binh")
    with page.expect_navigation():
        page.get_by_test_id("peer-save").click()
    assert "Đã lưu đầu mối Tỉnh Quảng Bình." in page.locator(".messages").inner_text()
    assert "Tỉnh Quảng Bình" in page.get_by_test_id("peers").inner_text()
    assert "khoa-bi-mat-cua-quang-binh" not in page.content()
    assert_fits(page)

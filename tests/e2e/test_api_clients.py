"""The API clients pages in a real browser, on a phone (360 px) and a desktop: an agency
administrator issues a key, sees it once, limits it and revokes it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import horizontal_overflow, keep_for_review

BOTH = pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)


@BOTH
def test_administrator_issues_limits_and_revokes_a_key(page, demo_org, login, shot):
    width = page.viewport_size["width"]
    login(page, demo_org.accounts["quantri"])
    page.goto("/can-bo/")
    page.get_by_role("link", name="Hệ thống kết nối (khóa API)").first.click()
    page.get_by_role("link", name="Tạo khóa API").click()
    page.get_by_label("Tên hệ thống").fill("LGSP tỉnh Thừa Thiên Huế")
    page.get_by_label("Đọc hồ sơ (dossiers:read)").check()
    page.get_by_label("Giới hạn (số yêu cầu mỗi phút)").fill("600")
    assert horizontal_overflow(page) <= 0
    keep_for_review(shot(page, "create"), f"lgsp-client-create-{width}")
    page.get_by_role("button", name="Tạo khóa").click()
    raw = page.get_by_test_id("raw-key").input_value()
    assert raw.startswith("egov_")
    assert horizontal_overflow(page) <= 0
    keep_for_review(shot(page, "created"), f"lgsp-client-created-{width}")
    page.get_by_role("link", name="Xem hệ thống").click()
    assert raw not in page.content()
    assert page.get_by_text("600 yêu cầu/phút").is_visible()
    keep_for_review(shot(page, "detail"), f"lgsp-client-detail-{width}")
    page.get_by_role("button", name="Thu hồi khóa API").click()
    assert page.get_by_text("Đã thu hồi khóa API").is_visible()
    page.goto("/can-bo/he-thong-ket-noi/")
    assert page.get_by_text("LGSP tỉnh Thừa Thiên Huế").is_visible()
    assert horizontal_overflow(page) <= 0
    keep_for_review(shot(page, "list"), f"lgsp-client-list-{width}")


@BOTH
def test_administrator_subscribes_a_webhook_and_sends_a_test_event(page, demo_org, login, shot):
    from egov.api.services import create_api_key
    from egov.org.models import User
    from tests.webhooks.conftest import Receiver

    receiver = Receiver()
    receiver.thread.start()
    try:
        width = page.viewport_size["width"]
        admin = User.objects.get(username=demo_org.accounts["quantri"])
        create_api_key(actor=None, name="Cổng dịch vụ công tỉnh", agency=admin.official.agency,
                       scopes=["dossiers:read", "documents:read"])
        login(page, demo_org.accounts["quantri"])
        page.goto("/can-bo/webhook/")
        page.get_by_role("link", name="Đăng ký webhook").click()
        page.get_by_label("Hệ thống (khóa API)").select_option(index=1)
        page.get_by_label("Địa chỉ nhận (URL)").fill(receiver.url)
        page.get_by_label("Hồ sơ chuyển trạng thái (cần dossiers:read)").check()
        page.get_by_label("Hồ sơ có kết quả giải quyết (cần dossiers:read)").check()
        assert horizontal_overflow(page) <= 0
        keep_for_review(shot(page, "create"), f"lgsp-webhook-create-{width}")
        page.get_by_role("button", name="Đăng ký").click()
        receiver.secret = page.get_by_test_id("webhook-secret").input_value()
        assert receiver.secret.startswith("whsec_")
        keep_for_review(shot(page, "secret"), f"lgsp-webhook-secret-{width}")
        page.get_by_role("link", name="Xem đăng ký").click()
        page.get_by_role("button", name="Gửi sự kiện thử").click()
        assert page.get_by_test_id("response-status").inner_text() == "200"
        assert receiver.calls and receiver.calls[0]["verified"]
        assert horizontal_overflow(page) <= 0
        keep_for_review(shot(page, "delivery"), f"lgsp-webhook-delivery-{width}")
        page.get_by_role("link", name="← Webhook của").click()
        assert page.get_by_text("Sự kiện thử").first.is_visible()
        assert horizontal_overflow(page) <= 0
        keep_for_review(shot(page, "detail"), f"lgsp-webhook-detail-{width}")
        page.goto("/can-bo/webhook/")
        keep_for_review(shot(page, "list"), f"lgsp-webhook-list-{width}")
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()

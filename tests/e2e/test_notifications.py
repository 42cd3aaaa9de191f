"""The bell and the notification pages in the browser, at 360 and 1280 px: a citizen reads and
marks notifications, chooses channels; an administrator previews a template; the log."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from egov.notify.events import EVENTS
from egov.notify.services import Recipient, notify
from egov.org.models import User
from tests.e2e.conftest import horizontal_overflow

SHOTS = "/tmp/shots"


def tell(user, event: str, n: int, **context):
    for i in range(n):
        notify(event, key=f"e2e:{event}:{user.pk}:{i}", recipients=[Recipient(user=user)], link="/ho-so/cua-toi/",
               context={**EVENTS[event].sample, **context})


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_a_citizen_reads_notifications_from_the_bell(page, demo_org, login):
    citizen = User.objects.get(email=demo_org.citizen)
    tell(citizen, "dossier.received", 2)
    tell(citizen, "dossier.supplement_requested", 1,
         reason="Bản vẽ mặt bằng chưa có chữ ký của người thiết kế; bổ sung bản sao giấy chứng nhận quyền sử dụng đất.")
    tell(citizen, "payment.confirmed", 1)
    width = page.viewport_size["width"]
    login(page, demo_org.citizen)
    bell = page.get_by_test_id("bell")
    assert bell.get_by_test_id("bell-count").inner_text() == "4"
    page.screenshot(path=f"{SHOTS}/notify-bell-{width}.png")
    bell.click()
    page.wait_for_url("**/thong-bao/")
    assert page.get_by_test_id("notification").count() == 4
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{SHOTS}/notify-list-{width}.png", full_page=True)
    page.get_by_test_id("notification").first.get_by_role("button", name="Đã đọc").click()
    expect(page.get_by_test_id("bell-count")).to_have_text("3")  # after the page comes back
    page.get_by_test_id("mark-all-read").click()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    page.get_by_role("link", name="Tin nhắn SMS").click()
    page.wait_for_url("**/thong-bao/cua-toi/")
    assert horizontal_overflow(page) <= 0
    page.get_by_role("link", name="Kênh nhận thông báo").click()
    page.wait_for_url("**/thong-bao/cai-dat/")
    page.get_by_label("Nhận thông báo qua tin nhắn SMS").uncheck()
    page.get_by_role("button", name="Lưu lựa chọn").click()
    expect(page.get_by_text("Đã lưu lựa chọn kênh nhận thông báo.")).to_be_visible()
    assert not page.get_by_label("Nhận thông báo qua tin nhắn SMS").is_checked()
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{SHOTS}/notify-preferences-{width}.png", full_page=True)


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_an_administrator_previews_a_template_and_reads_the_log(page, demo_org, login):
    citizen = User.objects.get(email=demo_org.citizen)
    tell(citizen, "dossier.received", 1)
    notify("feedback.answered", key="e2e:log", recipients=[Recipient(phone="0912345678", email="dan@example.vn")],
           context=EVENTS["feedback.answered"].sample)
    width = page.viewport_size["width"]
    login(page, demo_org.admin)
    page.goto("/thong-bao/mau/")
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{SHOTS}/notify-templates-{width}.png", full_page=True)
    page.locator('[data-template="dossier.received/sms"]').click()
    page.get_by_label("Nội dung").fill("Hồ sơ {{ code }} đã được tiếp nhận, hẹn trả {{ due_date }}.")
    page.get_by_role("button", name="Xem trước").click()
    expect(page.get_by_test_id("preview")).to_contain_text(
        "Ho so 000.00.12.H57-261124-0007 da duoc tiep nhan, hen tra 12/12/2026.")
    page.get_by_label("Nội dung").fill("Hồ sơ {% if code %}")
    page.get_by_role("button", name="Lưu mẫu").click()
    expect(page.get_by_role("alert")).to_contain_text("thẻ {% if %} chưa được đóng")
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{SHOTS}/notify-template-edit-{width}.png", full_page=True)
    page.goto("/thong-bao/nhat-ky/")
    assert page.get_by_test_id("notification-log").locator("tbody tr").count() >= 2
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{SHOTS}/notify-log-{width}.png", full_page=True)

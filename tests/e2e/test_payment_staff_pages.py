"""The staff's payment pages at 360 and 1280 px: the list, a payment, a dossier's fees at the
counter (cash taken through the form), the reconciliation, and the receipt's public check page."""

import pytest
from django.utils import timezone

from egov.org.roles import Role
from egov.payments import receipts, services, vnpay
from egov.payments.models import Payment
from tests.e2e.conftest import horizontal_overflow, keep_for_review
from tests.factories import PASSWORD, make_agency, make_official
from tests.payments.factories import gateway_answer, make_payable_dossier


@pytest.fixture
def world(settings):
    settings.DEMO_MODE = True
    settings.VNPAY_TMN_CODE = settings.VNPAY_HASH_SECRET = settings.VNPAY_URL = ""
    agency = make_agency(name="Ủy ban nhân dân phường Thuận Hòa")
    paid = make_payable_dossier(agency=agency)
    payment, _ = services.create_online_payment(paid.applicant, paid, client_ip="203.113.1.2",
                                                return_url="http://testserver/thanh-toan/ket-qua/")
    now = vnpay.vn_time(timezone.now())
    services.handle_ipn(gateway_answer(payment, pay_date=now))
    services.handle_ipn(gateway_answer(payment, pay_date=now))  # a replay, answered 02
    tampered = make_payable_dossier(agency=agency)
    other, _ = services.create_online_payment(tampered.applicant, tampered, client_ip="203.113.1.2",
                                              return_url="http://testserver/thanh-toan/ket-qua/")
    services.handle_ipn(gateway_answer(other, amount=1_000))
    return {"payment": Payment.objects.get(pk=payment.pk), "unpaid": make_payable_dossier(agency=agency),
            "counter": make_official(Role.COUNTER_OFFICER, agency=agency),
            "leader": make_official(Role.LEADER, agency=agency)}


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_the_payment_pages_fit_and_the_counter_takes_cash(page, login, world):
    width = page.viewport_size["width"]
    login(page, world["leader"].username, PASSWORD)
    for name, url in (("list", "/thanh-toan/quan-ly/"),
                      ("detail", f"/thanh-toan/quan-ly/{world['payment'].pk}/"),
                      ("reconcile", "/thanh-toan/doi-soat/")):
        page.goto(url)
        assert horizontal_overflow(page) <= 0, name
        keep_for_review(page, f"receipts-{name}-{width}")
    page.goto("/thanh-toan/doi-soat/")
    assert page.get_by_test_id("discrepancies").inner_text() == "1"

    page.context.clear_cookies()
    login(page, world["counter"].username, PASSWORD)
    page.goto("/thanh-toan/quan-ly/")
    page.get_by_placeholder("Mã hồ sơ").first.fill(world["unpaid"].code)
    page.get_by_role("button", name="Mở hồ sơ").click()
    page.get_by_test_id("collect-form").wait_for()
    assert horizontal_overflow(page) <= 0
    keep_for_review(page, f"receipts-dossier-{width}")
    page.get_by_label("Người nộp tiền").fill("Lê Văn Nộp")
    page.get_by_role("button", name="Đã thu 18.000 đ — lập biên lai").click()
    page.get_by_test_id("receipt-link").wait_for()
    assert "biên lai số" in page.content()
    keep_for_review(page, f"receipts-collected-{width}")

    page.context.clear_cookies()
    page.goto(f"/thanh-toan/bien-lai/{receipts.token_for(world['payment'])}/")
    assert page.get_by_text("Biên lai hợp lệ").is_visible()
    assert horizontal_overflow(page) <= 0
    keep_for_review(page, f"receipts-verify-{width}")

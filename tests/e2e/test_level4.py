"""Level 4 (toàn trình) on a phone: a citizen files online, pays the fee in the sandbox gateway
(whose server-to-server notification reaches the live server over HTTP through the worker), the
officials process the dossier and the leader signs the result, and the citizen downloads the
signed result PDF without visiting the office."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from tests.e2e.conftest import horizontal_overflow, outside_event_loop

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"
PROCEDURE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân: level 4, 10.000 đồng, at the wards
WARD = "000.00.31.H57"
WARD_NAME = "Ủy ban nhân dân phường Thuận Hóa"
CITIZEN_NAME, CITIZEN_ID = "Nguyễn Thị Hoa", "046190001234"  # egov.org.demo's citizen


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']}px"


def _ipn_shim():
    """Our IPN address as the payments API will serve it, for as long as that API is not on main:
    the same call (services.handle_ipn with the query string, VNPay's JSON answer)."""
    from django.http import JsonResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    import egov.urls
    from egov.payments import providers, services

    @csrf_exempt
    def ipn(request):
        code, message = services.handle_ipn(request.GET, client_ip=request.META.get("REMOTE_ADDR"))
        return JsonResponse({"RspCode": code, "Message": message})

    module = types.ModuleType("level4_urls")
    module.urlpatterns = [path(providers.IPN_PATH.lstrip("/"), ipn), *egov.urls.urlpatterns]
    return module


@pytest.fixture
def level4(settings, live_server, request):
    """The demo world with the sandbox gateway calling back this live server, and the demo leaders'
    certificates usable for signing."""
    from django.urls import Resolver404, resolve

    from egov.payments import providers

    settings.SIGNING_KEY = "e2e-signing-key-0123456789abcdef0123456789"
    settings.SIGNING_FETCH_REVOCATION = False
    settings.VNPAY_TMN_CODE = settings.VNPAY_HASH_SECRET = settings.VNPAY_URL = ""
    settings.SITE_URL = live_server.url  # the sandbox's IPN goes here, over HTTP
    try:
        resolve(providers.IPN_PATH)
    except Resolver404:
        settings.ROOT_URLCONF = _ipn_shim()
    return request.getfixturevalue("demo_world")


def fill_marital_form(page):
    def field(name):
        return page.locator(f'[name="f_{name}"]')
    field("requester_name").fill(CITIZEN_NAME)
    field("requester_residence").fill("12 Lê Lợi, phường Thuận Hóa, thành phố Huế")
    field("requester_id").fill(CITIZEN_ID)
    field("requester_relation").fill("Bản thân")
    field("person_name").fill(CITIZEN_NAME)
    field("person_birth_date").fill("1990-05-14")
    field("person_sex").select_option("Nữ")
    field("person_ethnicity").fill("Kinh")
    field("person_nationality").fill("Việt Nam")
    field("person_id").fill(CITIZEN_ID)
    field("person_residence").fill("12 Lê Lợi, phường Thuận Hóa, thành phố Huế")
    field("marital_status").select_option("Chưa đăng ký kết hôn với ai")
    field("purpose").fill("Đăng ký kết hôn")
    field("copies").fill("1")


def _result_pdf() -> bytes:
    from egov.core.pdf import new_pdf, pdf_bytes

    pdf = new_pdf(title="Giấy xác nhận tình trạng hôn nhân")
    pdf.add_page()
    pdf.multi_cell(0, 8, f"GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN\n{CITIZEN_NAME}: chưa đăng ký kết hôn với ai.")
    return pdf_bytes(pdf)


def process_to_signed_result(dossier):
    """The ward's officials move the dossier through its steps; the leader signs the result with
    their certificate and approves; the citizen gets it online."""
    from egov.dossiers import services, workflow
    from egov.org.models import User

    def official(slug):
        return User.objects.get(username=f"thuanhoa.{slug}")

    services.accept(dossier=dossier, officer=official("motcua"))
    workflow.forward(dossier=dossier, officer=official("motcua"))
    workflow.forward(dossier=dossier, officer=official("chuyenvien"))
    leader = official("lanhdao")
    outside_event_loop(lambda: workflow.sign_dossier_result(actor=leader, dossier=dossier, pdf=_result_pdf(),
                                                            label="Giấy xác nhận tình trạng hôn nhân"))
    workflow.approve(dossier=dossier, officer=leader, note="Đồng ý cấp.")


def test_level4_file_pay_in_the_sandbox_and_download_the_signed_result(phone_page, desktop_page, level4, login,
                                                                       shot):
    from egov.dossiers.models import Dossier
    from egov.payments.models import GatewayNotification, Payment
    from egov.signing.services import verify_and_summarise

    citizen = phone_page
    # -- 1. the citizen files online -----------------------------------------------------------------
    login(citizen, level4.citizen)
    citizen.goto(f"/thu-tuc/{PROCEDURE}/")
    with citizen.expect_navigation():
        citizen.get_by_test_id("file-online").first.click()
    citizen.get_by_label("Cơ quan tiếp nhận").select_option(label=WARD_NAME)
    fill_marital_form(citizen)
    citizen.get_by_label(re.compile(r"Thẻ Căn cước")).set_input_files(str(FIXTURES / "id_card.png"))
    assert_fits(citizen)
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    assert re.search(r"/ho-so/cua-toi/\d+/$", citizen.url), citizen.url
    dossier = Dossier.objects.filter(applicant__email=level4.citizen, procedure__code=PROCEDURE,
                                     agency__code=WARD).latest("pk")
    dossier_url = citizen.url

    # -- 2. the fees box: the line, the total, the button ---------------------------------------------
    box = citizen.get_by_test_id("pay-panel")
    assert "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân" in box.inner_text()
    assert citizen.get_by_test_id("pay-total").inner_text() == "10.000 đ"
    assert_fits(citizen)
    # the fees table fits the phone whole (its frame would scroll rather than the page)
    assert box.locator("table").evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    shot(citizen, "1-fees-due")
    login(desktop_page, level4.citizen)
    desktop_page.goto(dossier_url)
    assert desktop_page.get_by_test_id("pay-total").is_visible()
    shot(desktop_page, "fees-due")
    with citizen.expect_navigation():
        citizen.get_by_test_id("pay-button").click()

    # -- 3. the sandbox gateway: the order, the banks; pay with Vietcombank -----------------------------
    assert "/thanh-toan/sandbox/?" in citizen.url and "vnp_SecureHash=" in citizen.url
    assert citizen.get_by_test_id("sandbox-amount").inner_text() == "10.000 đ"
    assert citizen.get_by_test_id("sandbox-merchant").inner_text() == WARD_NAME
    assert citizen.get_by_text("Môi trường thử nghiệm").is_visible()
    assert_fits(citizen)
    shot(citizen, "2-sandbox")
    sandbox_url = citizen.url
    # the same page at a desk, and what a tampered address gets (a gateway's refusal)
    desktop_page.goto(sandbox_url)
    assert desktop_page.get_by_test_id("sandbox-amount").is_visible()
    shot(desktop_page, "sandbox")
    desktop_page.goto(sandbox_url.replace("vnp_Amount=1000000", "vnp_Amount=100"))
    assert desktop_page.get_by_test_id("sandbox-error").get_by_role("heading", name="Sai chữ ký").is_visible()
    shot(desktop_page, "sandbox-tampered")
    citizen.goto(sandbox_url.replace("vnp_Amount=1000000", "vnp_Amount=100"))
    assert_fits(citizen)
    shot(citizen, "2-sandbox-tampered")
    citizen.goto(sandbox_url)
    citizen.get_by_text("Vietcombank", exact=True).click()
    with citizen.expect_navigation():
        citizen.get_by_test_id("sandbox-pay").click()

    # -- 4. back on egov: the IPN (sent by the worker over HTTP) confirmed the payment -------------------
    assert "/thanh-toan/ket-qua/?" in citizen.url
    result = citizen.get_by_test_id("pay-result")
    citizen.wait_for_selector('[data-testid="pay-result"][data-state="paid"]', timeout=20_000)
    assert result.get_by_role("heading", name="Đã thanh toán").is_visible()
    payment = Payment.objects.get(dossier=dossier)
    assert payment.status == Payment.Status.PAID and payment.bank_code == "VIETCOMBANK"
    assert payment.receipt_number and payment.receipt_number in result.inner_text()
    ipn = GatewayNotification.objects.get(payment=payment, kind="ipn")
    assert ipn.signature_ok and ipn.response_code == "00"
    assert_fits(citizen)
    shot(citizen, "3-paid")
    result_url = citizen.url
    with citizen.expect_navigation():
        citizen.get_by_test_id("back-to-dossier").click()
    assert citizen.url == dossier_url
    assert citizen.get_by_test_id("pay-status").inner_text() == "Đã thanh toán"
    assert citizen.get_by_test_id("pay-button").count() == 0
    receipt = citizen.request.get(citizen.get_by_test_id("receipt-link").get_attribute("href"))
    assert receipt.status == 200 and receipt.body().startswith(b"%PDF-")  # the biên lai, at once
    assert_fits(citizen)
    shot(citizen, "4-dossier-paid")
    desktop_page.goto(result_url)
    assert desktop_page.get_by_test_id("pay-result").get_attribute("data-state") == "paid"
    shot(desktop_page, "paid")
    desktop_page.goto(dossier_url)
    assert desktop_page.get_by_test_id("pay-status").is_visible()
    shot(desktop_page, "dossier-paid")

    # -- 5. the ward processes it; the leader signs the result -----------------------------------------
    process_to_signed_result(dossier)
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.APPROVED

    # -- 6. the citizen downloads the signed result ----------------------------------------------------
    citizen.reload()
    results = citizen.get_by_role("region", name="Kết quả giải quyết")
    link = results.get_by_role("link", name="Giấy xác nhận tình trạng hôn nhân")
    assert_fits(citizen)
    shot(citizen, "5-result")
    with citizen.expect_download() as info:
        link.click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    report = outside_event_loop(verify_and_summarise, data)
    assert report.verdict == "valid", report.summary
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RETURNED  # received online, without visiting the office

"""The electronic receipt (biên lai): the total in Vietnamese words, the PDF its payer or the
agency's staff download, and the public page its QR code opens."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from egov.org.roles import Role
from egov.payments import receipts, services
from egov.payments.models import FeeExemption, Payment
from tests.factories import make_agency, make_citizen, make_official
from tests.payments.factories import gateway_answer, make_payable_dossier

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("amount", "words"), [
    (0, "Không đồng"),
    (5, "Năm đồng"),
    (10, "Mười đồng"),
    (15, "Mười lăm đồng"),
    (21, "Hai mươi mốt đồng"),
    (25, "Hai mươi lăm đồng"),
    (105, "Một trăm linh năm đồng"),
    (18_000, "Mười tám nghìn đồng"),
    (150_000, "Một trăm năm mươi nghìn đồng"),
    (1_000_000, "Một triệu đồng"),
    (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
    (2_500_000_000, "Hai tỷ năm trăm triệu đồng"),
    (1_000_000_000_000, "Một nghìn tỷ đồng"),
    (3_000_000_045, "Ba tỷ không trăm bốn mươi lăm đồng"),
])
def test_amounts_are_written_in_vietnamese_words(amount, words):
    assert receipts.amount_in_words(amount) == words


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def online_paid(settings):
    settings.SITE_URL = "http://testserver"
    dossier = make_payable_dossier()
    payment, _ = services.create_online_payment(dossier.applicant, dossier, client_ip="203.113.1.2",
                                                return_url="http://testserver/thanh-toan/ket-qua/")
    assert services.handle_ipn(gateway_answer(payment, transaction_no="14098765"))[0] == "00"
    return Payment.objects.get(pk=payment.pk)


def test_the_receipt_of_an_online_payment_says_who_paid_what_and_how(client, online_paid):
    client.force_login(online_paid.dossier.applicant)
    response = client.get(reverse("payment-receipt", args=[online_paid.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for fact in ("BIÊN LAI THU PHÍ, LỆ PHÍ", online_paid.receipt_number, online_paid.agency.name,
                 online_paid.dossier.code, online_paid.dossier.applicant_name, "Lệ phí cấp giấy xác nhận",
                 "10.000", "8.000", "18.000", "Mười tám nghìn đồng", "Trực tuyến", "14098765", online_paid.txn_ref):
        assert fact in text, fact
    # The QR code's address is printed under it too: it opens the public check page.
    url = re.search(r"http://testserver/thanh-toan/bien-lai/\S+/", text.replace("\n", ""))
    assert url is not None
    assert client.get(url.group(0).removeprefix("http://testserver")).status_code == 200


def test_a_counter_receipt_names_the_collector_and_the_exemption(client):
    dossier = make_payable_dossier()
    counter = make_official(Role.COUNTER_OFFICER, agency=dossier.agency, full_name="Trần Thu Ngân")
    fee = dossier.procedure.fees.get(amount=8_000)
    services.record_exemption(counter, dossier, fee, amount=0, reason="Người có công với cách mạng")
    payment = services.record_counter_payment(counter, dossier, method="cash", payer_name="Lê Văn Nộp")
    client.force_login(counter)
    text = pdf_text(client.get(reverse("payment-receipt", args=[payment.pk])).content)
    assert FeeExemption.objects.filter(dossier=dossier).exists()
    for fact in ("Tiền mặt tại quầy", "Lê Văn Nộp", "Trần Thu Ngân", "Người có công với cách mạng",
                 "Mười nghìn đồng", payment.receipt_number):
        assert fact in text, fact


def test_only_the_payer_and_the_agency_staff_get_the_receipt(client, online_paid):
    url = reverse("payment-receipt", args=[online_paid.pk])
    for user, status in ((online_paid.dossier.applicant, 200),
                         (make_official(Role.LEADER, agency=online_paid.agency), 200),
                         (make_citizen(), 404),
                         (make_official(Role.COUNTER_OFFICER, agency=make_agency(name="UBND xã Khác")), 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.logout()
    assert client.get(url).status_code == 404


def test_an_unpaid_payment_has_no_receipt(client):
    dossier = make_payable_dossier()
    payment, _ = services.create_online_payment(dossier.applicant, dossier, client_ip="203.113.1.2",
                                                return_url="http://testserver/thanh-toan/ket-qua/")
    client.force_login(dossier.applicant)
    assert client.get(reverse("payment-receipt", args=[payment.pk])).status_code == 404


def test_the_public_check_page_shows_the_receipt_without_personal_data(client, online_paid):
    online_paid.payer_name = "Phạm Thị Riêng Tư"
    online_paid.save(update_fields=["payer_name"])
    page = client.get(reverse("payment-verify", args=[receipts.token_for(online_paid)])).content.decode()
    assert "Biên lai hợp lệ" in page and online_paid.receipt_number in page and "18.000" in page
    assert "P. T. R. T." in page and "Riêng Tư" not in page
    assert online_paid.dossier.applicant_phone not in page and online_paid.dossier.code not in page
    leader = make_official(Role.LEADER, agency=online_paid.agency)
    services.refund(leader, online_paid, reason="Nộp nhầm")
    page = client.get(reverse("payment-verify", args=[receipts.token_for(online_paid)])).content.decode()
    assert "đã được hoàn tiền" in page


def test_a_forged_or_counted_token_finds_no_receipt(client, online_paid):
    for token in ("1", str(online_paid.pk), receipts.token_for(online_paid)[:-2] + "xx", "<script>"):
        response = client.get(reverse("payment-verify", args=[token]))
        assert response.status_code == 404
        assert "Không tìm thấy biên lai" in response.content.decode()

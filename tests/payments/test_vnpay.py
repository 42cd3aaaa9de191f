"""The VNPay protocol: signatures as VNPay's public samples compute them, the payment URL, times."""

import datetime as dt
import hashlib
import hmac
from urllib.parse import parse_qsl, urlsplit

import pytest

from egov.payments import providers, vnpay

SECRET = "SECRETKEYFORTESTS0123456789ABCDE"
PARAMS = {
    "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "EGOVTEST", "vnp_Amount": "1800000",
    "vnp_CurrCode": "VND", "vnp_TxnRef": "EG261130ABC123",
    "vnp_OrderInfo": "Thanh toan phi, le phi ho so H57-261130-0001", "vnp_OrderType": "other",
    "vnp_Locale": "vn", "vnp_ReturnUrl": "https://dichvucong.example.vn/thanh-toan/ket-qua/?a=1&b=2",
    "vnp_IpAddr": "203.113.1.2", "vnp_CreateDate": "20261130063000", "vnp_ExpireDate": "20261130064500",
}
# Written by hand: sorted by name, values URL-encoded with spaces as "+" (quote_plus), joined by "&".
SIGNED_TEXT = (
    "vnp_Amount=1800000&vnp_Command=pay&vnp_CreateDate=20261130063000&vnp_CurrCode=VND"
    "&vnp_ExpireDate=20261130064500&vnp_IpAddr=203.113.1.2&vnp_Locale=vn"
    "&vnp_OrderInfo=Thanh+toan+phi%2C+le+phi+ho+so+H57-261130-0001&vnp_OrderType=other"
    "&vnp_ReturnUrl=https%3A%2F%2Fdichvucong.example.vn%2Fthanh-toan%2Fket-qua%2F%3Fa%3D1%26b%3D2"
    "&vnp_TmnCode=EGOVTEST&vnp_TxnRef=EG261130ABC123&vnp_Version=2.1.0"
)
# `printf '%s' "$SIGNED_TEXT" | openssl dgst -sha512 -hmac "$SECRET"`, computed outside Python.
OPENSSL_DIGEST = ("4108bf06df3dd0744e13d47c39b2f870804234b81e926fd478af0c31644f4279"
                  "f982411a954c8be31ba0377ff685c90ff65998078efd94996eec840f2ddf800f")


def test_signature_is_hmac_sha512_over_the_sorted_url_encoded_parameters():
    by_hand = hmac.new(SECRET.encode(), SIGNED_TEXT.encode(), hashlib.sha512).hexdigest()
    assert by_hand == OPENSSL_DIGEST
    assert vnpay.sign(PARAMS, SECRET) == OPENSSL_DIGEST


def test_signature_leaves_out_the_hash_its_type_and_foreign_parameters():
    signed = dict(PARAMS, vnp_SecureHash="ab" * 64, vnp_SecureHashType="HmacSHA512", page="2")
    assert vnpay.sign(signed, SECRET) == OPENSSL_DIGEST


def test_vietnamese_text_is_signed_as_utf8_percent_encoding():
    params = {"vnp_OrderInfo": "Nộp phí hồ sơ"}
    text = "vnp_OrderInfo=N%E1%BB%99p+ph%C3%AD+h%E1%BB%93+s%C6%A1"
    assert vnpay.sign(params, SECRET) == hmac.new(SECRET.encode(), text.encode(), hashlib.sha512).hexdigest()


def test_pay_url_carries_the_same_encoding_and_the_hash_last():
    url = vnpay.pay_url("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html", PARAMS, SECRET)
    assert url == f"https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?{SIGNED_TEXT}&vnp_SecureHash={OPENSSL_DIGEST}"
    back = dict(parse_qsl(urlsplit(url).query))
    assert back["vnp_ReturnUrl"] == PARAMS["vnp_ReturnUrl"]
    assert vnpay.verify(back, SECRET)


def test_verify_refuses_tampering_a_wrong_secret_and_a_missing_hash():
    signed = dict(PARAMS, vnp_SecureHash=OPENSSL_DIGEST)
    assert vnpay.verify(signed, SECRET)
    assert vnpay.verify(dict(signed, vnp_SecureHash=OPENSSL_DIGEST.upper()), SECRET)  # either case
    assert not vnpay.verify(dict(signed, vnp_Amount="180000000"), SECRET)
    assert not vnpay.verify(signed, "ANOTHERSECRET")
    assert not vnpay.verify(PARAMS, SECRET)
    assert not vnpay.verify(dict(signed, vnp_SecureHash=""), SECRET)
    assert not vnpay.verify(signed, "")


def test_times_are_written_in_vietnam_time():
    instant = dt.datetime(2026, 11, 29, 23, 30, 5, tzinfo=dt.UTC)
    assert vnpay.vn_time(instant) == "20261130063005"
    assert vnpay.parse_vn_time("20261130063005") == instant
    with pytest.raises(ValueError):
        vnpay.parse_vn_time("2026-11-30")


def test_demo_mode_without_configuration_uses_the_sandbox(settings):
    settings.DEMO_MODE, settings.VNPAY_TMN_CODE, settings.VNPAY_HASH_SECRET, settings.VNPAY_URL = True, "", "", ""
    provider = providers.get_provider()
    assert provider.name == "sandbox" and provider.tmn_code == "EGOVDEMO"
    assert provider.url.startswith(settings.SITE_URL)
    assert provider.secret == providers.sandbox_secret() and len(provider.secret) == 32
    settings.SECRET_KEY = "another-key-" * 4
    assert providers.sandbox_secret() != provider.secret  # derived from the key, not a fixed string


def test_configured_vnpay_is_used_and_production_without_it_refuses(settings):
    settings.VNPAY_TMN_CODE, settings.VNPAY_HASH_SECRET = "ABCD1234", SECRET
    settings.VNPAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    provider = providers.get_provider()
    assert (provider.name, provider.tmn_code, provider.url) == ("vnpay", "ABCD1234", settings.VNPAY_URL)
    settings.VNPAY_TMN_CODE, settings.DEMO_MODE = "", False
    with pytest.raises(providers.PaymentUnavailable) as caught:
        providers.get_provider()
    assert "chưa được cấu hình" in caught.value.message


def test_the_national_platform_is_documented_but_not_connected():
    with pytest.raises(providers.PaymentUnavailable, match="chưa kết nối"):
        providers.NationalPlatformProvider().pay_url(None, return_url="", client_ip="")


def test_a_notice_reads_amount_in_dong_and_the_pay_time():
    provider = providers.VNPayProvider(url="https://pay.example/", tmn_code="T", secret=SECRET)
    params = {"vnp_Amount": "1800000", "vnp_TxnRef": "EG1", "vnp_ResponseCode": "00",
              "vnp_TransactionStatus": "00", "vnp_TransactionNo": "14012345", "vnp_BankCode": "NCB",
              "vnp_PayDate": "20261130083000"}
    notice = provider.notice(dict(params, vnp_SecureHash=vnpay.sign(params, SECRET)))
    assert notice.ok and notice.amount == 18_000 and notice.gateway_txn_no == "14012345"
    assert notice.paid_at == dt.datetime(2026, 11, 30, 1, 30, tzinfo=dt.UTC)
    assert provider.notice(dict(params, vnp_SecureHash="0" * 128)) is None
    failed = dict(params, vnp_ResponseCode="24", vnp_TransactionStatus="02")
    assert not provider.notice(dict(failed, vnp_SecureHash=vnpay.sign(failed, SECRET))).ok

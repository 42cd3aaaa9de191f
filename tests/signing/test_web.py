"""The public verifier (page and API) and the certificate pages, as people and systems use them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.org.roles import Role
from egov.signing import services, uploads
from egov.signing.models import SigningCertificate, TrustedRoot
from tests.factories import PASSWORD, make_official

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "signed"
API = "/api/v1/signatures/verify"

pytestmark = pytest.mark.usefixtures("signing_settings")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def signed_pdf(db, agency, pki, document):
    services.add_trusted_root(actor=None, name="Root", data=pki.root.cert_der)
    leader = make_official(Role.LEADER, agency=agency, full_name="Nguyễn Văn An", position="Chủ tịch")
    services.register_certificate(actor=leader, p12=pki.person.to_pkcs12(b"x"), password="x")
    return services.sign_for_official(actor=leader, pdf=document)


def upload(data: bytes, name: str = "van-ban.pdf"):
    return {"file": SimpleUploadedFile(name, data, content_type="application/pdf")}


# ------------------------------------------------------------------ API


def test_api_reports_a_valid_signature_as_json(client, signed_pdf):
    response = client.post(API, upload(signed_pdf))
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "valid" and "hợp lệ" in body["summary"]
    [sig] = body["signatures"]
    for key in ("signer", "signed_at", "intact", "trusted", "revoked", "expired", "valid"):
        assert key in sig
    assert sig["signer"] == "Nguyễn Văn An" and sig["intact"] and sig["trusted"] and sig["valid"]
    assert sig["expired"] is False and sig["revoked"] in (False, None)
    assert sig["signed_at"].startswith("20")


def test_api_unsigned_pdf_gives_an_empty_list(client, db, document):
    body = client.post(API, upload(document)).json()
    assert body["signatures"] == [] and body["verdict"] == "unsigned"


def test_api_tampered_pdf_is_not_intact(client, signed_pdf):
    tampered = bytearray(signed_pdf)
    tampered[len(tampered) // 3] ^= 0x20
    body = client.post(API, upload(bytes(tampered))).json()
    assert body["verdict"] == "invalid" and body["signatures"][0]["intact"] is False
    assert body["signatures"][0]["valid"] is False


def test_api_rejects_a_file_that_is_not_a_pdf(client, db):
    response = client.post(API, upload(b"PK\x03\x04 a zip file pretending", name="trick.pdf"))
    assert response.status_code == 422
    assert response.json()["code"] == "not_pdf" and "PDF" in response.json()["message"]


@pytest.mark.parametrize("body", [b"%PDF-1.7\n%%EOF", b"%PDF-1.4\n1 0 obj <</Type /Catalog" + b"\x00" * 500])
def test_api_rejects_a_malformed_pdf_clearly(client, db, body):
    response = client.post(API, upload(body))
    assert response.status_code == 422 and response.json()["code"] == "not_pdf"


def test_api_reports_a_truncated_signed_pdf_as_not_valid(client, signed_pdf):
    cut = signed_pdf[: len(signed_pdf) - 200]
    response = client.post(API, upload(cut))
    assert response.status_code == 422 or response.json()["verdict"] != "valid"


def test_api_rejects_a_missing_file(client, db):
    response = client.post(API, {})
    assert response.status_code == 422 and response.json()["code"] == "missing_file"


def test_api_rejects_an_oversize_file(client, db, document, signing_settings):
    signing_settings.SIGNING_VERIFY_MAX_MB = 1
    big = document + b"%" + b"x" * (1024 * 1024 + 10)
    response = client.post(API, upload(big))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "1 MB" in response.json()["message"]


def test_api_size_is_checked_before_the_body_is_parsed(rf, db, signing_settings):
    signing_settings.SIGNING_VERIFY_MAX_MB = 1
    request = rf.post(API, data=b"", content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = str(200 * 1024 * 1024)
    with pytest.raises(uploads.TooLarge):
        uploads.read_pdf_upload(request)  # would fail on the empty body if it were parsed


def test_api_is_rate_limited_per_client(client, db, document, monkeypatch):
    monkeypatch.setattr(uploads, "VERIFY_RATE_LIMIT", 2)
    assert [client.post(API, upload(document)).status_code for _ in range(2)] == [200, 200]
    response = client.post(API, upload(document))
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    other = client.post(API, upload(document), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_api_verifies_a_pdf_signed_by_another_tool(client, db):
    pdf = (FIXTURES / "foreign_adbe_pkcs7.pdf").read_bytes()
    body = client.post(API, upload(pdf)).json()
    assert body["signatures"][0]["intact"] and not body["signatures"][0]["trusted"]

    TrustedRoot.objects.all().delete()
    services.add_trusted_root(actor=None, name="Foreign", data=(FIXTURES / "foreign_root.pem").read_bytes())
    body = client.post(API, upload(pdf)).json()
    assert body["verdict"] == "valid", body["summary"]


def test_api_stores_nothing(client, signed_pdf):
    from egov.core.models import AuditEntry
    from egov.signing.models import SignatureRecord

    before = (AuditEntry.objects.count(), SignatureRecord.objects.count())
    client.post(API, upload(signed_pdf))
    assert (AuditEntry.objects.count(), SignatureRecord.objects.count()) == before


# ------------------------------------------------------------------ verify page


def test_home_page_links_to_the_verifier(client, db):
    assert reverse("signing-verify") in client.get("/").content.decode()


def test_verify_page_shows_the_report_in_vietnamese(client, signed_pdf):
    page = client.get(reverse("signing-verify"))
    assert page.status_code == 200 and "Kiểm tra chữ ký số" in page.content.decode()
    response = client.post(reverse("signing-verify"), upload(signed_pdf))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="badge ok" data-testid="verdict">Chữ ký số hợp lệ</span>' in html
    assert "Nguyễn Văn An" in html and "Còn nguyên vẹn" in html
    assert "Do tổ chức chứng thực tin cậy cấp" in html


def test_verify_page_explains_a_tampered_document(client, signed_pdf):
    tampered = bytearray(signed_pdf)
    tampered[len(tampered) // 3] ^= 0x20
    html = client.post(reverse("signing-verify"), upload(bytes(tampered))).content.decode()
    assert '<span class="badge danger" data-testid="verdict">Chữ ký số không hợp lệ</span>' in html
    assert "Đã bị thay đổi" in html


def test_verify_page_names_an_unsigned_pdf_as_document_pages_do(client, db, document):
    # The same words and badge colour as beside a stored document or dossier result.
    html = client.post(reverse("signing-verify"), upload(document)).content.decode()
    assert '<span class="badge warn" data-testid="verdict">Chưa ký số</span>' in html


def test_verify_page_refuses_non_pdf_and_oversize(client, db, signing_settings):
    response = client.post(reverse("signing-verify"), upload(b"hello", name="a.pdf"))
    assert response.status_code == 422 and "không phải là PDF" in response.content.decode()
    signing_settings.SIGNING_VERIFY_MAX_MB = 1
    response = client.post(reverse("signing-verify"), upload(b"%PDF-1.7" + b"x" * (1024 * 1024 + 1)))
    assert response.status_code == 413 and "Tệp quá lớn" in response.content.decode()


# ------------------------------------------------------------------ certificate pages


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_official_registers_their_certificate_on_the_page(client, agency, pki):
    leader = make_official(Role.LEADER, agency=agency)
    login(client, leader)
    response = client.post(reverse("signing-my-certificates"), {
        "file": SimpleUploadedFile("an.p12", pki.person.to_pkcs12(b"bi-mat")), "password": "bi-mat"})
    assert response.status_code == 302
    page = client.get(reverse("signing-my-certificates")).content.decode()
    assert "Nguyễn Văn An" in page and "Đang sử dụng" in page


def test_wrong_password_on_the_page_shows_an_error_and_stores_nothing(client, agency, pki):
    login(client, make_official(Role.LEADER, agency=agency))
    response = client.post(reverse("signing-my-certificates"), {
        "file": SimpleUploadedFile("an.p12", pki.person.to_pkcs12(b"bi-mat")), "password": "sai"})
    assert response.status_code == 400 and "Mật khẩu chứng thư số không đúng" in response.content.decode()
    assert not SigningCertificate.objects.exists()


def test_agency_admin_registers_the_agency_certificate(client, agency, pki):
    login(client, make_official(Role.AGENCY_ADMIN, agency=agency))
    response = client.post(reverse("signing-agency-certificates"), {
        "agency": agency.pk, "file": SimpleUploadedFile("cq.p12", pki.agency.to_pkcs12(b"k")), "password": "k"})
    assert response.status_code == 302
    assert SigningCertificate.objects.get().agency == agency


def test_specialist_cannot_open_agency_certificates_or_deactivate_them(client, agency, pki):
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    cert = services.register_certificate(actor=admin, agency=agency, p12=pki.agency.to_pkcs12(b"k"), password="k")
    login(client, make_official(Role.SPECIALIST, agency=agency))
    assert client.get(reverse("signing-agency-certificates")).status_code == 403
    client.post(reverse("signing-deactivate", args=[cert.pk]))
    cert.refresh_from_db()
    assert cert.is_active


def test_system_admin_adds_and_removes_a_trusted_root(client, agency, pki):
    login(client, make_official(Role.SYSTEM_ADMIN, agency=agency))
    response = client.post(reverse("signing-trusted-roots"), {
        "name": "Root CA Chính phủ (thử)", "file": SimpleUploadedFile("root.pem", pki.root.cert_pem)})
    assert response.status_code == 302
    root = TrustedRoot.objects.get()
    assert "Root CA Chính phủ (thử)" in client.get(reverse("signing-trusted-roots")).content.decode()
    client.post(reverse("signing-remove-root", args=[root.pk]))
    assert not TrustedRoot.objects.exists()


# ------------------------------------------------------------------ signing page


def test_leader_signs_a_pdf_on_the_page_and_downloads_it(client, agency, pki, document):
    from tests.signing.test_pades import stamp_text

    leader = make_official(Role.LEADER, agency=agency, full_name="Nguyễn Văn An", position="Chủ tịch")
    services.register_certificate(actor=leader, p12=pki.person.to_pkcs12(b"k"), password="k")
    services.add_trusted_root(actor=None, name="Root", data=pki.root.cert_der)
    login(client, leader)
    assert client.get(reverse("signing-sign")).status_code == 200
    response = client.post(reverse("signing-sign"), {
        "file": SimpleUploadedFile("Quyết định 12.pdf", document), "signer": "official", "page": "first",
        "corner": "top-left", "reason": "Phê duyệt"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "da-ky-so.pdf" in response["Content-Disposition"]
    signed = response.content
    assert services.verify_and_summarise(signed).verdict == "valid"
    assert "Nguyễn Văn An" in stamp_text(signed, page=0)


def test_clerk_seals_for_the_agency_on_the_page(client, agency, pki, document):
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    services.register_certificate(actor=admin, agency=agency, p12=pki.agency.to_pkcs12(b"k"), password="k")
    clerk = make_official(Role.CLERK, agency=agency)
    login(client, clerk)
    response = client.post(reverse("signing-sign"), {
        "file": SimpleUploadedFile("cv.pdf", document), "signer": "agency", "page": "first", "corner": "top-right"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    from egov.signing.pades import verify_pdf

    assert verify_pdf(response.content, trust_roots=pki.trust_roots).signatures[0].signer == "Ủy ban nhân dân xã Thử Nghiệm"


def test_signing_without_a_certificate_explains_what_to_do(client, agency, document):
    login(client, make_official(Role.SPECIALIST, agency=agency))
    response = client.post(reverse("signing-sign"), {
        "file": SimpleUploadedFile("a.pdf", document), "signer": "official", "page": "last", "corner": "bottom-right"})
    assert response.status_code == 400 and "chưa đăng ký chứng thư số" in response.content.decode()


def test_specialist_cannot_seal_for_the_agency(client, agency, pki, document):
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    services.register_certificate(actor=admin, agency=agency, p12=pki.agency.to_pkcs12(b"k"), password="k")
    login(client, make_official(Role.SPECIALIST, agency=agency))
    response = client.post(reverse("signing-sign"), {
        "file": SimpleUploadedFile("a.pdf", document), "signer": "agency", "page": "last", "corner": "bottom-right"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")

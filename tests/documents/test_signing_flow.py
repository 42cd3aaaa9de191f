"""Digital signatures on the document pages (issue 5, Integration), through the views.

A draft is approved by its leader's signature, issued with the agency's signature, verified as two
valid signatures in order, and the recipient agency's incoming copy shows the verdict; without
certificates approval and issuing go on unsigned and the pages say so; a tampered incoming PDF
shows as invalid; nobody but the designated leader signs the approval.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.documents import files
from egov.documents import services as documents
from egov.documents.models import Document, DocumentFile
from egov.documents.views_outgoing import NO_AGENCY_SIGNATURE
from egov.signing import services as signing
from egov.signing.models import SignatureRecord
from egov.signing.testca import build_test_pki
from egov.signing.verdicts import SignatureVerdict
from tests.documents.conftest import decision_pdf, doc_type, docx_bytes
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NO_CERTIFICATE_HINT = "Bạn chưa có chứng thư số còn hiệu lực nên văn bản được phê duyệt không có chữ ký số"


@pytest.fixture(scope="module")
def pki():
    return build_test_pki()  # cached per process: the signing tests may have built it already


@pytest.fixture(autouse=True)
def _signing_settings(settings, tmp_path):
    settings.SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789"
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_FETCH_REVOCATION = False
    settings.DATA_DIR = tmp_path


@pytest.fixture
def trusted(pki):
    signing.add_trusted_root(actor=None, name="Root CA thử nghiệm", data=pki.root.cert_der)


@pytest.fixture
def leader_signs(world, pki, trusted):
    """The world's leader holds an active personal certificate."""
    issued = pki.issue_person(world.leader.display_name, title="Chủ tịch", agency=world.agency.name)
    signing.register_certificate(actor=world.leader, p12=issued.to_pkcs12(b"k"), password="k")
    return world.leader


@pytest.fixture
def agency_signs(world, pki, trusted):
    """The world's agency holds an active organisation certificate (used by its clerk)."""
    issued = pki.issue_organisation(world.agency.name)
    signing.register_certificate(actor=world.admin, agency=world.agency, p12=issued.to_pkcs12(b"k"), password="k")


def login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)


def awaiting(world, other_world, *, upload: files.Upload | None = None) -> Document:
    """A draft sent straight to the leader, addressed to the other agency and an outside address."""
    upload = upload or files.check_bytes("du-thao.pdf", decision_pdf(summary="Về việc thử nghiệm ký số văn bản đi"))
    doc = documents.create_draft(actor=world.specialist, doc_type=doc_type("QĐ"), summary="Về việc thử ký số",
                                 signer=world.leader, upload=upload, recipients=[other_world.agency],
                                 external_recipients=[("Bộ Nội vụ", "vanthu@moha.gov.vn")])
    documents.submit_for_review(actor=world.specialist, document=doc, reviewers=[])
    doc.refresh_from_db()
    assert doc.status == Document.Status.AWAITING_SIGNATURE
    return doc


def page(client, document) -> str:
    return client.get(reverse("documents:detail", args=[document.pk])).content.decode()


def approve(client, document, *, sign: bool, **extra):
    data = {"comment": "Đồng ý ban hành.", **extra}
    if sign:
        data["sign"] = "1"
    return client.post(reverse("documents:approve", args=[document.pk]), data, follow=True)


def issue(client, document):
    return client.post(reverse("documents:issue", args=[document.pk]), {"issued_on": ""}, follow=True)


def stored(document, kind) -> bytes:
    row = document.files.filter(kind=kind).order_by("-version", "-id").first()
    with row.file.open("rb") as handle:
        return handle.read()


def test_leader_signs_clerk_issues_with_agency_signature_and_recipient_sees_it_valid(
        client, world, other_world, leader_signs, agency_signs):
    doc = awaiting(world, other_world)

    login(client, world.leader)
    approvals = client.get(reverse("documents:approvals")).content.decode()
    assert "phê duyệt văn bản là ký số" in approvals and NO_CERTIFICATE_HINT not in approvals
    detail = page(client, doc)
    assert "Ký số và phê duyệt" in detail and 'data-testid="approve-sign"' in detail
    assert "Phê duyệt không ký số" not in detail and NO_CERTIFICATE_HINT not in detail
    html = approve(client, doc, sign=True).content.decode()
    assert "Đã ký số và phê duyệt văn bản." in html
    doc.refresh_from_db()
    assert doc.status == Document.Status.APPROVED and doc.has_digital_signature
    assert doc.signature_verdict == SignatureVerdict.VALID and doc.signers == ["Lãnh Đạo"]
    final = doc.files.get(kind=DocumentFile.Kind.FINAL)
    assert final.has_digital_signature and final.signature_verdict == SignatureVerdict.VALID
    assert "Chữ ký số hợp lệ" in html

    login(client, world.clerk)
    queue = client.get(reverse("documents:issue-queue")).content.decode()
    assert "được ký số bằng chứng thư số của cơ quan" in queue
    assert "Ký số của cơ quan và phát hành" in page(client, doc)
    html = issue(client, doc).content.decode()
    assert "Đã ký số của cơ quan và phát hành văn bản." in html and NO_AGENCY_SIGNATURE not in html
    doc.refresh_from_db()
    assert doc.status == Document.Status.ISSUED and doc.number_symbol

    issued = stored(doc, DocumentFile.Kind.ISSUED)
    signed_by_leader = stored(doc, DocumentFile.Kind.FINAL)
    assert issued.startswith(signed_by_leader)  # incremental update: the leader's signed bytes untouched
    report = signing.verify_and_summarise(issued)
    assert report.verdict == "valid", report.summary
    assert [s.signer for s in report.signatures] == ["Lãnh Đạo", world.agency.name]
    assert all(s.valid and s.intact for s in report.signatures)
    assert doc.signature_verdict == SignatureVerdict.VALID and doc.signers == ["Lãnh Đạo", world.agency.name]
    records = SignatureRecord.objects.filter(object_type="documents.document", object_id=str(doc.pk))
    assert sorted(records.values_list("role", flat=True)) == ["agency", "official"]

    copy = doc.recipients.get(agency=other_world.agency).delivered
    assert copy.direction == Document.Direction.INCOMING and copy.signature_verdict == SignatureVerdict.VALID
    assert copy.files.get(kind=DocumentFile.Kind.MAIN).signature_verdict == SignatureVerdict.VALID
    login(client, other_world.clerk)
    detail = page(client, copy)
    assert "Chữ ký số hợp lệ" in detail and f"Lãnh Đạo; {world.agency.name}" in detail
    listing = client.get(reverse("documents:incoming")).content.decode()
    assert "Chữ ký số hợp lệ" in listing


def test_leader_without_a_certificate_approves_without_signature_and_the_pages_say_so(
        client, world, other_world, trusted):
    doc = awaiting(world, other_world)
    login(client, world.leader)
    approvals = client.get(reverse("documents:approvals")).content.decode()
    link = f'<a href="{reverse("signing-my-certificates")}">Chứng thư số của tôi</a>'
    assert NO_CERTIFICATE_HINT in approvals and link in approvals
    detail = page(client, doc)
    assert NO_CERTIFICATE_HINT in detail and link in detail
    assert "Phê duyệt không ký số" in detail and 'data-testid="approve-sign"' not in detail

    html = approve(client, doc, sign=False).content.decode()
    assert "Đã phê duyệt văn bản (không có chữ ký số)." in html
    doc.refresh_from_db()
    assert doc.status == Document.Status.APPROVED and not doc.has_digital_signature
    assert doc.signature_verdict == SignatureVerdict.UNSIGNED
    assert not SignatureRecord.objects.exists()

    # no organisation certificate either: issued plainly, with a notice; the copy shows "Chưa ký số"
    login(client, world.clerk)
    assert "Cơ quan chưa có chứng thư số còn hiệu lực" in page(client, doc)
    html = issue(client, doc).content.decode()
    assert "Đã phát hành văn bản." in html and NO_AGENCY_SIGNATURE in html
    doc.refresh_from_db()
    assert doc.status == Document.Status.ISSUED and not doc.has_digital_signature
    copy = doc.recipients.get(agency=other_world.agency).delivered
    assert copy.signature_verdict == SignatureVerdict.UNSIGNED
    login(client, other_world.clerk)
    assert "Chưa ký số" in page(client, copy)


def test_a_leader_with_a_certificate_cannot_approve_unsigned(client, world, other_world, leader_signs):
    doc = awaiting(world, other_world)
    login(client, world.leader)
    html = approve(client, doc, sign=False).content.decode()
    assert "hãy dùng “Ký số và phê duyệt”" in html
    doc.refresh_from_db()
    assert doc.status == Document.Status.AWAITING_SIGNATURE and not doc.files.filter(kind="final").exists()


def test_a_signing_error_is_a_vietnamese_message_and_changes_nothing(client, world, other_world, leader_signs):
    doc = awaiting(world, other_world, upload=files.check_bytes("du-thao.docx", docx_bytes(),
                                                                allowed=(files.PDF, files.DOCX)))
    login(client, world.leader)
    html = approve(client, doc, sign=True).content.decode()
    assert "Cần bản PDF cuối cùng của văn bản để ký số." in html
    doc.refresh_from_db()
    assert doc.status == Document.Status.AWAITING_SIGNATURE
    assert not doc.files.filter(kind="final").exists() and not SignatureRecord.objects.exists()

    # with the final PDF chosen on the form, that PDF is signed
    final = SimpleUploadedFile("ban-cuoi.pdf", decision_pdf(summary="Bản cuối cùng"), "application/pdf")
    html = approve(client, doc, sign=True, final_pdf=final).content.decode()
    assert "Đã ký số và phê duyệt văn bản." in html
    doc.refresh_from_db()
    assert doc.status == Document.Status.APPROVED and doc.signature_verdict == SignatureVerdict.VALID


def test_a_specialist_cannot_use_the_signing_approval(client, world, other_world, pki, trusted):
    doc = awaiting(world, other_world)
    issued = pki.issue_person(world.specialist.display_name, agency=world.agency.name)
    signing.register_certificate(actor=world.specialist, p12=issued.to_pkcs12(b"k"), password="k")
    login(client, world.specialist)
    assert "Ký số và phê duyệt" not in page(client, doc)
    response = client.post(reverse("documents:approve", args=[doc.pk]), {"sign": "1"})
    assert response.status_code == 403
    doc.refresh_from_db()
    assert doc.status == Document.Status.AWAITING_SIGNATURE and not SignatureRecord.objects.exists()


def _signed_incoming(world) -> bytes:
    # signed by the leader of another agency, as a received document would be
    return signing.sign_for_official(actor=world.leader, pdf=decision_pdf(summary="Văn bản đến có chữ ký số"))


def test_a_tampered_pdf_registered_as_incoming_shows_invalid(client, world, other_world, pki, trusted):
    issued = pki.issue_person(other_world.leader.display_name, agency=other_world.agency.name)
    signing.register_certificate(actor=other_world.leader, p12=issued.to_pkcs12(b"k"), password="k")
    signed = _signed_incoming(other_world)
    original = decision_pdf(summary="Văn bản đến có chữ ký số")
    tampered = bytearray(signed)
    tampered[len(original) // 3] ^= 0x20  # inside the signed bytes

    login(client, world.clerk)
    data = {"doc_type": doc_type("QĐ").pk, "summary": "Văn bản đến bị sửa sau khi ký", "number_symbol": "12/QĐ-UBND",
            "issuer_name": other_world.agency.name, "urgency": "normal", "confidentiality": "normal",
            "files": SimpleUploadedFile("den.pdf", bytes(tampered), "application/pdf")}
    response = client.post(reverse("documents:register"), data, follow=True)
    html = response.content.decode()
    assert "Đã vào sổ văn bản đến" in html, html[:2000]
    doc = Document.objects.get(summary="Văn bản đến bị sửa sau khi ký")
    assert doc.signature_verdict == SignatureVerdict.INVALID, doc.signature_summary
    assert "Chữ ký số không hợp lệ" in html
    assert "Chữ ký số không hợp lệ" in client.get(reverse("documents:incoming")).content.decode()


def test_an_incoming_pdf_through_the_api_is_verified_on_arrival(client, world, other_world, pki, trusted):
    issued = pki.issue_person(other_world.leader.display_name, agency=other_world.agency.name)
    signing.register_certificate(actor=other_world.leader, p12=issued.to_pkcs12(b"k"), password="k")
    signed = _signed_incoming(other_world)
    login(client, world.clerk)
    response = client.post("/api/v1/documents/incoming", {
        "document_type": "QĐ", "summary": "Văn bản đến qua API", "issuer": other_world.agency.name,
        "file": SimpleUploadedFile("den.pdf", signed, "application/pdf")})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["signature_verdict"] == "valid" and body["signers"] == ["Lãnh Đạo"] and body["has_digital_signature"]

    # a plain PDF: "Chưa ký số" beside it in the list
    response = client.post("/api/v1/documents/incoming", {
        "document_type": "CV", "summary": "Văn bản đến không ký số",
        "file": SimpleUploadedFile("den2.pdf", decision_pdf(summary="Không ký"), "application/pdf")})
    assert response.json()["signature_verdict"] == "unsigned"
    listing = client.get(reverse("documents:incoming")).content.decode()
    assert "Chữ ký số hợp lệ" in listing and "Chưa ký số" in listing
    # the same badge colour as the public verifier gives an unsigned PDF
    assert re.search(r'<span class="badge warn" data-testid="signature-verdict"[^>]*>Chưa ký số</span>', listing)

"""Dossier results signed by the approving leader before return (issue 5, Integration): the page,
the stored signature verdict shown to staff and citizens, and the API action with a base64 PDF."""

import base64
import hashlib
import json

import pytest
from django.urls import reverse

from egov.core.pdf import new_pdf, pdf_bytes
from egov.dossiers import workflow
from egov.signing import services as signing
from egov.signing.models import SignatureRecord
from egov.signing.testca import build_test_pki
from egov.signing.verdicts import SignatureVerdict
from tests.dossiers.factories import fixture_bytes
from tests.dossiers.test_workflow import at_leader
from tests.factories import PASSWORD, make_api_key

pytestmark = pytest.mark.django_db
REGISTER_HINT = "Để ký số kết quả, hãy đăng ký chứng thư số"


@pytest.fixture(scope="module")
def pki():
    return build_test_pki()  # cached per process: the signing tests may have built it already


@pytest.fixture(scope="module")
def leader_cert(pki):
    return pki.issue_person("Võ Minh Lãnh", title="Chủ tịch", agency="Ủy ban nhân dân phường Thử Nghiệm")


@pytest.fixture(autouse=True)
def _signing_settings(settings, tmp_path):
    settings.SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789"
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_FETCH_REVOCATION = False
    settings.DATA_DIR = tmp_path


@pytest.fixture
def result_pdf() -> bytes:
    pdf = new_pdf(title="Giấy xác nhận")
    pdf.add_page()
    pdf.multi_cell(0, 8, "GIẤY XÁC NHẬN tình trạng hôn nhân — kết quả giải quyết thủ tục hành chính")
    return pdf_bytes(pdf)


@pytest.fixture
def trusted(pki):
    signing.add_trusted_root(actor=None, name="Root CA thử nghiệm", data=pki.root.cert_der)


@pytest.fixture
def signer(world, leader_cert, trusted):
    """The leader of the approval step, holding an active personal certificate."""
    signing.register_certificate(actor=world.leader, p12=leader_cert.to_pkcs12(b"k"), password="k")
    return world.leader


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def attach(client, dossier, pdf: bytes, *, sign: bool, name="ket-qua.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"action": "attach_result", "version": dossier.refresh().version, "label": "Giấy xác nhận",
            "file": SimpleUploadedFile(name, pdf)}
    if sign:
        data["sign"] = "1"
    return client.post(reverse("dossier-act", args=[dossier.pk]), data, follow=True)


def page(client, dossier) -> str:
    return client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()


# -- the page -----------------------------------------------------------------------------------


def test_leader_with_a_certificate_signs_and_attaches_and_the_result_verifies(client, world, signer, result_pdf):
    dossier = at_leader(world)
    login(client, signer)
    detail = page(client, dossier)
    assert "Ký số và đính kèm kết quả" in detail and 'data-action="attach_result_signed"' in detail
    assert REGISTER_HINT not in detail

    response = attach(client, dossier, result_pdf, sign=True)
    assert "Đã ký số và đính kèm kết quả giải quyết." in response.content.decode()
    result = dossier.results.get()
    assert result.signature_verdict == SignatureVerdict.VALID
    assert result.signers == ["Võ Minh Lãnh"] and result.uploaded_by == signer
    with result.file.open("rb") as handle:
        stored = handle.read()
    assert stored.startswith(result_pdf[:8]) and len(stored) > len(result_pdf)  # signed incrementally
    report = signing.verify_and_summarise(stored)
    assert report.verdict == "valid", report.summary
    assert [s.signer for s in report.signatures] == ["Võ Minh Lãnh"]
    assert result.sha256 == hashlib.sha256(stored).hexdigest()
    record = SignatureRecord.objects.get()
    assert record.signer == signer and record.object_id == str(dossier.pk)

    assert "Chữ ký số hợp lệ" in page(client, dossier)
    workflow.approve(dossier=dossier.refresh(), officer=signer)  # signed before the decision, then approved
    login(client, world.citizen)
    mine = client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()
    assert "Chữ ký số hợp lệ" in mine and "Võ Minh Lãnh" in mine


def test_without_a_certificate_the_plain_attach_works_and_the_page_says_how_to_register(client, world,
                                                                                         result_pdf):
    dossier = at_leader(world)
    login(client, world.leader)
    detail = page(client, dossier)
    assert 'data-action="attach_result_signed"' not in detail
    assert REGISTER_HINT in detail
    assert f'<a href="{reverse("signing-my-certificates")}">Chứng thư số của tôi</a>' in detail

    refused = attach(client, dossier, result_pdf, sign=True)  # asking to sign without a certificate
    assert "chưa đăng ký chứng thư số" in refused.content.decode()
    assert not dossier.results.exists() and not SignatureRecord.objects.exists()

    attach(client, dossier, result_pdf, sign=False)
    result = dossier.results.get()
    assert result.signature_verdict == SignatureVerdict.UNSIGNED and result.signers == []
    with result.file.open("rb") as handle:
        assert handle.read() == result_pdf
    assert "Chưa ký số" in page(client, dossier)
    login(client, world.citizen)
    assert "Chưa ký số" in client.get(reverse("dossier-mine-detail", args=[dossier.pk])).content.decode()


def test_counter_attaching_after_approval_is_not_offered_signing_and_cannot_sign(client, world, pki, trusted,
                                                                                  result_pdf):
    signing.register_certificate(actor=world.counter, p12=pki.person.to_pkcs12(b"k"), password="k")
    dossier = at_leader(world)
    workflow.approve(dossier=dossier, officer=world.leader)
    login(client, world.counter)
    detail = page(client, dossier)
    assert 'data-action="attach_result"' in detail
    assert 'data-action="attach_result_signed"' not in detail and REGISTER_HINT not in detail
    attach(client, dossier, result_pdf, sign=True)
    assert not dossier.results.exists() and not SignatureRecord.objects.exists()
    attach(client, dossier, result_pdf, sign=False)
    assert dossier.results.get().signature_verdict == "unsigned"


def test_a_specialist_with_a_certificate_cannot_sign_at_the_leaders_step(client, world, pki, trusted, result_pdf):
    signing.register_certificate(actor=world.specialist, p12=pki.person.to_pkcs12(b"k"), password="k")
    dossier = at_leader(world)
    login(client, world.specialist)
    response = attach(client, dossier, result_pdf, sign=True)
    assert "không phải người xử lý bước hiện tại" in response.content.decode()
    assert not dossier.results.exists() and not SignatureRecord.objects.exists()


def test_a_signing_error_shows_in_vietnamese_and_attaches_nothing(client, world, signer):
    dossier = at_leader(world)
    login(client, signer)
    response = attach(client, dossier, b"%PDF-1.7\nkhong phai pdf that\n", sign=True)
    assert "Tệp PDF bị lỗi cấu trúc, không thể ký." in response.content.decode()
    assert not dossier.results.exists() and not SignatureRecord.objects.exists()


def test_a_signature_by_an_untrusted_ca_is_not_shown_as_valid(world, result_pdf):
    from datetime import UTC, datetime, timedelta

    from egov.dossiers.uploads import check_upload
    from egov.signing.pades import StampSpec, load_pkcs12, sign_pdf
    from tests.dossiers.factories import upload

    foreign = build_test_pki(now=datetime.now(UTC) - timedelta(minutes=3))
    identity = load_pkcs12(foreign.person.to_pkcs12(b"k"), b"k")
    signed = sign_pdf(result_pdf, identity=identity, stamp=StampSpec(signer_name="Người lạ"))
    dossier = at_leader(world)
    result = workflow.attach_result(dossier=dossier, officer=world.leader,
                                    upload=check_upload(upload("ket-qua.pdf", signed), label="Kết quả"))
    assert result.signature_verdict in ("invalid", "indeterminate") and result.signature_summary


# -- the API ------------------------------------------------------------------------------------


def act(client, dossier, headers=None, **body):
    return client.post(f"/api/v1/dossiers/{dossier.code}/actions", json.dumps({"action": "attach_result", **body}),
                       content_type="application/json", headers=headers or {})


def test_api_leader_signs_and_attaches_a_base64_result(client, world, signer, result_pdf):
    dossier = at_leader(world)
    login(client, signer)
    response = act(client, dossier, file_name="giay-xac-nhan.pdf", label="Giấy xác nhận", sign=True,
                   content_base64=base64.b64encode(result_pdf).decode())
    assert response.status_code == 200, response.content
    [out] = response.json()["results"]
    assert out["label"] == "Giấy xác nhận" and out["signature_verdict"] == "valid"
    assert out["signers"] == ["Võ Minh Lãnh"]
    with dossier.results.get().file.open("rb") as handle:
        assert signing.verify_and_summarise(handle.read()).verdict == "valid"


def test_api_plain_attach_and_refusals_attach_nothing(client, world, result_pdf):
    dossier = at_leader(world)
    login(client, world.leader)
    png = act(client, dossier, file_name="ket-qua.png", content_base64=base64.b64encode(fixture_bytes("id_card.png")).decode())
    assert png.status_code == 422 and png.json()["code"] == "file_type"
    disguised = act(client, dossier, file_name="ket-qua.pdf",
                    content_base64=base64.b64encode(fixture_bytes("id_card.png")).decode())
    assert disguised.status_code == 422 and disguised.json()["code"] == "file_type_mismatch"
    garbled = act(client, dossier, file_name="ket-qua.pdf", content_base64="khong-phai-base64!")
    assert garbled.status_code == 422 and garbled.json()["code"] == "invalid_base64"
    empty = act(client, dossier, file_name="ket-qua.pdf")
    assert empty.status_code == 422 and empty.json()["code"] == "file_required"
    no_certificate = act(client, dossier, file_name="ket-qua.pdf", sign=True,
                         content_base64=base64.b64encode(result_pdf).decode())
    assert no_certificate.status_code == 422 and no_certificate.json()["code"] == "no_certificate"
    assert not dossier.results.exists()

    ok = act(client, dossier, content_base64=base64.b64encode(result_pdf).decode())
    assert ok.status_code == 200, ok.content
    assert [r["signature_verdict"] for r in ok.json()["results"]] == ["unsigned"]


def test_api_result_size_limit(client, world, settings, result_pdf):
    settings.DOSSIER_MAX_UPLOAD_BYTES = 1024
    dossier = at_leader(world)
    login(client, world.leader)
    big = act(client, dossier, content_base64=base64.b64encode(result_pdf + b"0" * 2048).decode())
    assert big.status_code == 422 and big.json()["code"] == "file_too_large"
    assert not dossier.results.exists()


def test_api_keys_cannot_sign(client, world, result_pdf):
    dossier = at_leader(world)
    workflow.approve(dossier=dossier, officer=world.leader)
    _, raw = make_api_key(world.agency, "dossiers:write", "dossiers:read")
    auth = {"Authorization": f"Bearer {raw}"}
    content = base64.b64encode(result_pdf).decode()
    refused = act(client, dossier, auth, content_base64=content, sign=True)
    assert refused.status_code == 403 and refused.json()["code"] == "api_key_cannot_sign"
    assert not dossier.results.exists() and not SignatureRecord.objects.exists()
    plain = act(client, dossier, auth, content_base64=content)
    assert plain.status_code == 200, plain.content
    assert dossier.results.get().uploaded_by is None


def test_the_openapi_schema_describes_the_attach_result_payload(client):
    schema = client.get("/api/v1/openapi.json").json()
    action_in = schema["components"]["schemas"]["ActionIn"]
    assert "attach_result" in action_in["properties"]["action"]["enum"]
    for field in ("file_name", "content_base64", "sign", "label"):
        assert field in action_in["properties"]
    assert action_in["properties"]["sign"]["type"] == "boolean"
    assert "signature_verdict" in schema["components"]["schemas"]["ResultOut"]["properties"]

"""Documents API: extraction, search, reading, registration; scopes and agencies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.documents import services
from egov.documents.models import Document
from egov.org.roles import Role
from tests.documents.conftest import decision_pdf, doc_type, docx_bytes
from tests.factories import PASSWORD, make_api_key, make_official

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_extract_with_an_api_key_reads_the_first_page(agency):
    _, raw = make_api_key(agency, "documents:write")
    pdf = (FIXTURES / "01-quyet-dinh-ubnd-tinh-cchc.pdf").read_bytes()
    response = Client_post_file(raw, pdf)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number_symbol"] == "838/QĐ-UBND"
    assert body["document_type"] == "Quyết định"
    assert body["issued_on"] == "2019-03-29"
    assert body["issuer"] == "ỦY BAN NHÂN DÂN TỈNH THỪA THIÊN HUẾ"
    assert body["summary"].startswith("Về việc phê duyệt Kế hoạch cải cách hành chính")


def Client_post_file(raw, data, name="van-ban.pdf"):
    from django.test import Client

    return Client().post("/api/v1/documents/extract", {"file": SimpleUploadedFile(name, data)}, **bearer(raw))


def test_extract_refuses_non_pdf_and_oversize(agency, settings):
    _, raw = make_api_key(agency, "documents:write")
    response = Client_post_file(raw, docx_bytes(), name="gia.pdf")
    assert response.status_code == 422 and response.json()["code"] == "invalid_file_type"
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1000
    response = Client_post_file(raw, decision_pdf())
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"


def test_extract_needs_the_write_scope_or_staff(agency, client):
    _, raw = make_api_key(agency, "documents:read")
    assert Client_post_file(raw, decision_pdf()).status_code == 403
    from django.test import Client

    assert Client().post("/api/v1/documents/extract", {"file": SimpleUploadedFile("a.pdf", decision_pdf())}).status_code == 401
    clerk = make_official(Role.CLERK, agency=agency)
    client.login(username=clerk.username, password=PASSWORD)
    response = client.post("/api/v1/documents/extract", {"file": SimpleUploadedFile("a.pdf", decision_pdf())})
    assert response.status_code == 200 and response.json()["document_type"] == "Quyết định"


def test_register_incoming_through_the_api_and_read_it_back(agency, other_agency, client):
    _, raw = make_api_key(agency, "documents:write", "documents:read")
    doc_type("CV")
    response = client.post("/api/v1/documents/incoming", {
        "document_type": "CV", "summary": "V/v triển khai chuyển đổi số", "number_symbol": "7303/UBND-VP",
        "issued_on": "2026-08-15", "issuer": "UBND thành phố Huế",
        "file": SimpleUploadedFile("cv.pdf", decision_pdf())}, **bearer(raw))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["register_number"] == 1 and created["document_type"] == "Công văn"
    document = Document.objects.get(pk=created["id"])
    assert document.files.count() == 1
    listed = client.get("/api/v1/documents", {"q": "chuyen doi so"}, **bearer(raw)).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]] and listed["count"] == 1
    assert client.get(f"/api/v1/documents/{created['id']}", **bearer(raw)).status_code == 200
    # another agency's key sees nothing of it
    _, other = make_api_key(other_agency, "documents:read", "documents:write")
    assert client.get(f"/api/v1/documents/{created['id']}", **bearer(other)).status_code == 404
    assert client.get("/api/v1/documents", {"q": "chuyen doi so"}, **bearer(other)).json()["items"] == []
    # nor registers into it
    response = client.post("/api/v1/documents/incoming", {"document_type": "CV", "summary": "x", "agency": agency.code},
                           **bearer(other))
    assert response.status_code == 403


def test_api_registration_refuses_a_fake_pdf_and_leaves_nothing(agency, client, settings):
    _, raw = make_api_key(agency, "documents:write")
    doc_type("CV")
    response = client.post("/api/v1/documents/incoming", {
        "document_type": "CV", "summary": "V/v thử", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")},
        **bearer(raw))
    assert response.status_code == 422
    assert not Document.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_read_scope_cannot_register(agency, client):
    _, raw = make_api_key(agency, "documents:read")
    response = client.post("/api/v1/documents/incoming", {"document_type": "CV", "summary": "x"}, **bearer(raw))
    assert response.status_code == 403


def test_api_search_respects_official_visibility(agency, client):
    clerk = make_official(Role.CLERK, agency=agency)
    services.register_incoming(actor=clerk, agency=agency, doc_type=doc_type("QĐ"), summary="Quyết định về đất đai")
    specialist = make_official(Role.SPECIALIST, agency=agency)
    client.login(username=specialist.username, password=PASSWORD)
    assert client.get("/api/v1/documents", {"q": "dat dai"}).json()["items"] == []
    client.login(username=clerk.username, password=PASSWORD)
    assert len(client.get("/api/v1/documents", {"q": "dat dai"}).json()["items"]) == 1
    assert json.loads(client.get("/api/v1/documents", {"limit": 500}).content)["code"] == "invalid"

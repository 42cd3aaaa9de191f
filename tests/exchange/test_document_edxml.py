"""An issued outgoing document as edXML: the same metadata and byte-identical files read back, through
the service and through GET /api/v1/documents/{id}/edxml with the documents API's visibility."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.documents import services
from egov.documents.models import Document, DocumentFile
from egov.exchange import edxml
from egov.exchange.messages import document_to_message
from tests.documents.conftest import decision_pdf, doc_type, pdf_upload
from tests.factories import PASSWORD, make_api_key

pytestmark = pytest.mark.django_db
ISSUED_PDF = decision_pdf(number_symbol="", summary="Về việc tổ chức Hội nghị sơ kết công tác văn thư")


def issued_document(world, other_world, *, approve=True, issue=True, **kwargs):
    document = services.create_draft(
        actor=world.specialist, doc_type=doc_type("QĐ"), summary="Về việc tổ chức Hội nghị sơ kết công tác văn thư",
        signer=world.leader, upload=pdf_upload(), recipients=[other_world.agency],
        external_recipients=[("Bộ Nội vụ", "vanthu@moha.gov.vn")], urgency=Document.Urgency.URGENT, **kwargs)
    if approve:
        services.submit_for_review(actor=world.specialist, document=document, reviewers=[world.head])
        services.review_draft(actor=world.head, document=document, approve=True)
        services.approve_outgoing(actor=world.leader, document=document, final_pdf=pdf_upload(ISSUED_PDF))
    if issue:
        document = services.issue_outgoing(actor=world.clerk, document=document, issued_on=dt.date(2026, 4, 6))
    return document


def assert_same_document(message: edxml.DocumentMessage, document: Document):
    header = message.header
    assert str(header.code) == document.number_symbol == "01/QĐ-UBND"
    assert header.promulgation_date == document.issued_on == dt.date(2026, 4, 6)
    assert header.type_name == "Quyết định" and header.type == 1
    assert header.subject == document.summary
    assert (header.signer.full_name, header.signer.position) == (document.signer_name, document.signer_position)
    assert header.signer.full_name == "Lãnh Đạo" and header.signer.position == "Chủ tịch"
    assert header.other_info.priority == 1  # khẩn
    assert header.from_.organ_id == document.agency.code and header.from_.organ_name == document.agency.name
    to_agency = document.recipients.get(agency__isnull=False).agency
    assert [to.organ_id for to in header.to] == [to_agency.code]
    assert header.to_places == [to_agency.name, "Bộ Nội vụ"]
    assert str(header.document_id) == f"{document.agency.code},2026/04/06,01/QĐ-UBND"
    assert message.business.doc_type == edxml.BusinessDocType.NEW
    issued = document.files.get(kind=DocumentFile.Kind.ISSUED)
    with issued.file.open("rb") as handle:
        stored = handle.read()
    assert stored == ISSUED_PDF
    assert [(a.name, a.content_type, a.data) for a in message.attachments] == [
        (issued.name, "application/pdf", stored)]


def test_issued_document_goes_to_edxml_and_reads_back_the_same(world, other_world):
    document = issued_document(world, other_world)
    built = edxml.build_document(document_to_message(document))
    assert_same_document(edxml.parse(built), document)


def test_api_returns_the_document_as_edxml_with_a_key_and_with_a_session(world, other_world, client):
    document = issued_document(world, other_world)
    _, raw = make_api_key(world.agency, "documents:read")
    response = client.get(f"/api/v1/documents/{document.pk}/edxml", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/xml"
    assert_same_document(edxml.parse(response.content), document)

    client.login(username=world.clerk.username, password=PASSWORD)
    response = client.get(f"/api/v1/documents/{document.pk}/edxml")
    assert response.status_code == 200
    assert_same_document(edxml.parse(response.content), document)


def test_api_answers_404_for_a_document_the_caller_cannot_see(world, other_world, client):
    document = issued_document(world, other_world)
    _, raw = make_api_key(other_world.agency, "documents:read")
    response = client.get(f"/api/v1/documents/{document.pk}/edxml", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    client.login(username=other_world.clerk.username, password=PASSWORD)
    assert client.get(f"/api/v1/documents/{document.pk}/edxml").status_code == 404
    # A draft is the drafter's alone: an official of the agency who was not given it sees nothing either.
    draft = issued_document(world, other_world, approve=False, issue=False)
    client.login(username=world.colleague.username, password=PASSWORD)
    assert client.get(f"/api/v1/documents/{draft.pk}/edxml").status_code == 404


def test_a_document_not_yet_issued_is_refused_in_vietnamese(world, other_world, client):
    approved = issued_document(world, other_world, issue=False)
    client.login(username=world.clerk.username, password=PASSWORD)
    response = client.get(f"/api/v1/documents/{approved.pk}/edxml")
    assert response.status_code == 409
    assert response.json() == {"code": "not_issued",
                               "message": "Chỉ văn bản đi đã phát hành mới gửi liên thông được dưới dạng edXML."}


def test_a_confidential_document_is_never_exported(world, other_world, client):
    secret = issued_document(world, other_world, confidentiality=Document.Confidentiality.CONFIDENTIAL)
    client.login(username=world.clerk.username, password=PASSWORD)
    response = client.get(f"/api/v1/documents/{secret.pk}/edxml")
    assert response.status_code == 403
    assert response.json() == {"code": "confidential",
                               "message": "Văn bản mật không được gửi liên thông điện tử dưới dạng edXML."}


def test_the_route_is_in_the_openapi_schema_as_xml(client, db):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/documents/{document_id}/edxml"]["get"]
    assert "application/xml" in operation["responses"]["200"]["content"]
    assert operation["responses"]["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}

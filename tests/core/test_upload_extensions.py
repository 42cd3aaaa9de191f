"""Every upload's extension must match its content, in every app: a real PDF/HTML polyglot (a
valid PDF whose title is an HTML page with a script) named `evil.html` is refused by dossier
papers, documents and signature verification alike, and nothing of it is stored."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from egov.core import uploads
from egov.core.errors import ValidationError
from egov.documents import files as document_files
from egov.documents.models import Document, DocumentFile
from egov.dossiers import uploads as dossier_uploads
from egov.signing import uploads as signing_uploads
from tests.documents.conftest import doc_type
from tests.factories import make_api_key

POLYGLOT = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers" / "pdf_html_polyglot.pdf"


def polyglot() -> bytes:
    return POLYGLOT.read_bytes()


def stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_the_fixture_is_both_a_pdf_and_an_html_page():
    data = polyglot()
    assert uploads.sniff(data) == uploads.PDF and len(PdfReader(POLYGLOT).pages) == 1
    assert b"<html><body><script>" in data


@pytest.mark.parametrize("rules", [dossier_uploads.RULES, document_files.RULES, signing_uploads.RULES],
                         ids=["dossiers", "documents", "signing"])
def test_every_apps_rules_refuse_a_pdf_named_html(rules):
    with pytest.raises(ValidationError) as refused:
        uploads.check(rules, "evil.html", polyglot())
    assert refused.value.code == "file_type_mismatch" and ".html" in refused.value.message
    assert uploads.check(rules, "good.pdf", polyglot()).content_type == uploads.PDF


def test_no_app_can_leave_the_extension_unchecked():
    with pytest.raises(TypeError, match="mismatch"):
        uploads.Rules(allowed=(uploads.PDF,), max_bytes=lambda: 1, too_large=ValidationError,
                      empty=ValidationError, wrong_type=ValidationError)


@pytest.mark.django_db
def test_clerk_cannot_register_the_polyglot_as_a_document(client, settings):
    from tests.documents.conftest import build_world
    from tests.factories import make_agency

    world = build_world(make_agency())
    client.force_login(world.clerk)
    response = client.post(reverse("documents:register"), {
        "files": SimpleUploadedFile("evil.html", polyglot()), "doc_type": doc_type("CV").pk,
        "summary": "V/v thử tệp giả", "urgency": "normal", "confidentiality": "normal"})
    assert response.status_code == 400
    assert "không khớp với phần mở rộng .html" in response.content.decode()
    assert not Document.objects.exists() and not DocumentFile.objects.exists() and stored_files(settings) == []


@pytest.mark.django_db
def test_api_refuses_the_polyglot_as_an_incoming_document(client, agency, settings):
    _, raw = make_api_key(agency, "documents:write")
    doc_type("CV")
    response = client.post("/api/v1/documents/incoming", {
        "document_type": "CV", "summary": "V/v thử", "file": SimpleUploadedFile("evil.html", polyglot())},
        HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422 and response.json()["code"] == "file_type_mismatch"
    assert not Document.objects.exists() and stored_files(settings) == []


@pytest.mark.django_db
def test_signature_verification_refuses_the_polyglot_named_html(client):
    response = client.post("/api/v1/signatures/verify", {"file": SimpleUploadedFile("evil.html", polyglot())})
    assert response.status_code == 422 and response.json()["code"] == "file_type_mismatch"

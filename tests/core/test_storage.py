"""Files in S3-compatible storage (moto's server on loopback, tests/s3.py): uploads land in the
bucket and not on local disk, come back only through the views that check permissions, and no
address of the storage itself is ever given out."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov import settings as egov_settings
from egov.documents.models import Document
from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierFile
from egov.procedures.models import RequiredPaper
from tests.documents.conftest import build_world, decision_pdf, doc_type
from tests.dossiers.conftest import World
from tests.dossiers.factories import fixture_bytes, upload
from tests.factories import PASSWORD, make_citizen
from tests.s3 import s3_server

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_server_once():
    with s3_server() as store:
        yield store


@pytest.fixture
def bucket(s3_server_once, settings):
    """A fresh bucket as the default storage, configured from EGOV_S3_* as in production."""
    store = s3_server_once.fresh_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": egov_settings.s3_storage(store.env)}
    return store


@pytest.fixture
def dossiers(agency, other_agency, citizen):
    return World(agency, other_agency, citizen)


def files_on_disk(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def file_online(client, world) -> dict:
    first, second = world.procedure.papers.all()
    client.login(username=world.citizen.username, password=PASSWORD)
    response = client.post("/api/v1/dossiers", {"procedure": world.procedure.code, "agency": world.agency.code,
                                                f"paper_{first.pk}": upload("paper.pdf"),
                                                f"paper_{second.pk}": upload("id_card.png")})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_paper_goes_to_the_bucket_and_back_through_the_download_view(client, dossiers, bucket, settings):
    file_online(client, dossiers)
    paper = DossierFile.objects.get(content_type="application/pdf")
    assert paper.file.name in bucket.keys() and len(bucket.keys()) == 2
    assert bucket.read(paper.file.name) == fixture_bytes("paper.pdf")
    assert files_on_disk(settings) == []
    url = reverse("dossier-paper", args=[paper.dossier_id, paper.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == fixture_bytes("paper.pdf")
    # the permission check comes first: another citizen gets nothing
    client.force_login(make_citizen(full_name="Người Khác"))
    assert client.get(url).status_code == 404


def test_a_failed_submission_leaves_nothing_in_the_bucket(dossiers, bucket, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        dossiers.submitted()
    assert Dossier.objects.count() == 0 and bucket.keys() == []


def test_a_registered_document_is_read_back_from_the_bucket(client, agency, bucket, settings):
    world = build_world(agency)
    client.login(username=world.clerk.username, password=PASSWORD)
    pdf = decision_pdf()
    client.post(reverse("documents:register"), {
        "files": SimpleUploadedFile("qd.pdf", pdf), "doc_type": doc_type("QĐ").pk, "number_symbol": "838/QĐ-UBND",
        "issued_on": "2026-03-29", "issuer_name": "UBND thành phố Huế", "summary": "Về việc phê duyệt Kế hoạch",
        "urgency": "normal", "confidentiality": "normal"})
    row = Document.objects.get().files.get()
    assert bucket.keys() == [row.file.name] and files_on_disk(settings) == []
    response = client.get(reverse("documents:file", args=[row.document_id, row.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf


def test_form_templates_are_streamed_by_the_site_not_linked_to_the_storage(client, dossiers, bucket):
    paper = RequiredPaper.objects.filter(procedure=dossiers.procedure).first()
    paper.form_template.save("to-khai.pdf", ContentFile(b"%PDF-1.7 mau to khai"))
    listed = client.get(f"/api/v1/procedures/{dossiers.procedure.code}").json()
    link = next(p["form_template"] for p in listed["papers"] if p["name"] == paper.name)
    assert link == reverse("procedure-form-template", args=[dossiers.procedure.code, paper.pk])
    page = client.get(reverse("procedure-detail", args=[dossiers.procedure.code])).content.decode()
    assert f'href="{link}"' in page and bucket.env["EGOV_S3_ENDPOINT_URL"] not in page
    response = client.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.7 mau to khai"


def test_stored_files_have_no_public_address(client, dossiers, settings):
    """Local storage: the media folder is not served, so a stored paper's path leads nowhere."""
    file_online(client, dossiers)
    paper = DossierFile.objects.first()
    assert (Path(settings.MEDIA_ROOT) / paper.file.name).is_file()
    client.logout()
    assert client.get(settings.MEDIA_URL + paper.file.name).status_code == 404
    assert client.get(reverse("dossier-paper", args=[paper.dossier_id, paper.pk])).status_code == 404

"""Document files are written before the service's transaction, as dossier papers are
(egov.core.storage.written), and a write that is refused or fails leaves no file behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from egov.core.errors import PermissionDenied, StateError
from egov.documents import services
from egov.documents import services as incoming
from egov.documents.models import Document, DocumentFile
from tests.documents.conftest import doc_type, pdf_upload
from tests.documents.test_outgoing import draft, through_approval
from tests.factories import make_official

pytestmark = pytest.mark.django_db


def stored(settings) -> set[Path]:
    media = Path(settings.MEDIA_ROOT)
    return {p for p in media.rglob("*") if p.is_file()} if media.exists() else set()


def test_a_registration_that_fails_in_its_transaction_leaves_no_file(world, settings, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(incoming, "record", broken_audit)
    with pytest.raises(RuntimeError):
        services.register_incoming(actor=world.clerk, agency=world.agency, doc_type=doc_type("CV"),
                                   summary="V/v thử ghi tệp", uploads=[pdf_upload()])
    assert not Document.objects.exists() and not DocumentFile.objects.exists()
    assert stored(settings) == set()


def test_a_new_draft_version_refused_under_the_lock_leaves_no_file(world, settings):
    document = draft(world)
    services.submit_for_review(actor=world.specialist, document=document, reviewers=[world.head])
    before = stored(settings)
    with pytest.raises(StateError):  # no longer a draft: refused once the row is locked
        services.add_draft_version(actor=world.specialist, document=document, upload=pdf_upload())
    assert stored(settings) == before and document.files.count() == 1


def test_an_approval_by_someone_else_than_the_signer_leaves_no_file(world, settings):
    document = draft(world)
    services.submit_for_review(actor=world.specialist, document=document, reviewers=[world.head])
    services.review_draft(actor=world.head, document=document, approve=True)
    other_leader = make_official("leader", agency=world.agency)
    before = stored(settings)
    with pytest.raises(PermissionDenied):
        services.approve_outgoing(actor=other_leader, document=document, final_pdf=pdf_upload())
    assert stored(settings) == before
    assert not document.files.filter(kind=DocumentFile.Kind.FINAL).exists()


def test_an_issue_that_fails_after_delivering_leaves_no_copy(world, other_world, settings, monkeypatch):
    document = draft(world, recipients=[other_world.agency])
    through_approval(world, document)
    before = stored(settings)
    real_register = incoming.register_incoming

    def delivered_then_failing(**kwargs):
        real_register(**kwargs)  # the recipient's copy is registered, then the issue fails
        raise RuntimeError("delivery link lost")

    monkeypatch.setattr(incoming, "register_incoming", delivered_then_failing)
    with pytest.raises(RuntimeError):
        services.issue_outgoing(actor=world.clerk, document=document)
    assert stored(settings) == before
    assert not Document.objects.filter(agency=other_world.agency).exists()
    monkeypatch.setattr(incoming, "register_incoming", real_register)
    issued = services.issue_outgoing(actor=world.clerk, document=document)
    delivered = Document.objects.get(agency=other_world.agency, source=issued)
    # The issued file and the recipient's copy: two stored files with the same bytes.
    copies = [issued.files.get(kind=DocumentFile.Kind.ISSUED), delivered.files.get()]
    assert copies[0].file.name != copies[1].file.name and copies[0].sha256 == copies[1].sha256
    assert len(stored(settings)) == len(before) + 2

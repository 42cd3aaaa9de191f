"""An outgoing document signed by its leader and by its agency at issuing, end to end."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.errors import PermissionDenied, StateError
from egov.documents import files
from egov.documents import services as documents
from egov.documents.models import Document, DocumentFile
from egov.documents.outgoing import (
    issue_signed_document,
    sign_outgoing_document,
    verify_document_file,
)
from egov.signing import services
from egov.signing.models import SignatureRecord
from tests.documents.conftest import build_world, doc_type

pytestmark = pytest.mark.usefixtures("signing_settings")


@pytest.fixture
def world(agency, pki):
    world = build_world(agency)
    services.add_trusted_root(actor=None, name="Root", data=pki.root.cert_der)
    services.register_certificate(actor=world.leader, p12=pki.person.to_pkcs12(b"k"), password="k")
    services.register_certificate(actor=world.admin, agency=agency, p12=pki.agency.to_pkcs12(b"k"), password="k")
    return world


@pytest.fixture
def awaiting(world, document):
    doc = documents.create_draft(actor=world.specialist, doc_type=doc_type("QĐ"), summary="Về việc thử ký số",
                                 signer=world.leader, upload=files.check_bytes("du-thao.pdf", document),
                                 recipients=[], external_recipients=[("Bộ Nội vụ", "vanthu@moha.gov.vn")])
    documents.submit_for_review(actor=world.specialist, document=doc, reviewers=[world.head])
    documents.review_draft(actor=world.head, document=doc, approve=True)
    doc.refresh_from_db()
    assert doc.status == Document.Status.AWAITING_SIGNATURE
    return doc


def test_leader_signs_then_clerk_issues_and_both_signatures_verify(world, awaiting):
    approved = sign_outgoing_document(actor=world.leader, document=awaiting)
    assert approved.status == Document.Status.APPROVED and approved.has_digital_signature

    issued = issue_signed_document(actor=world.clerk, document=approved, issued_on=dt.date(2026, 3, 5))
    assert issued.status == Document.Status.ISSUED and issued.has_digital_signature
    assert issued.files.filter(kind=DocumentFile.Kind.ISSUED, has_digital_signature=True).exists()

    report = verify_document_file(issued)
    assert report.verdict == "valid", report.summary
    assert [s.signer for s in report.signatures] == ["Nguyễn Văn An", "Ủy ban nhân dân xã Thử Nghiệm"]
    records = SignatureRecord.objects.filter(object_type="documents.document", object_id=str(issued.pk))
    assert sorted(records.values_list("role", flat=True)) == ["agency", "official"]


def test_only_the_designated_leader_signs(world, awaiting, agency):
    from egov.org.roles import Role
    from tests.factories import make_official

    deputy = make_official(Role.LEADER, agency=agency)
    with pytest.raises(PermissionDenied):
        sign_outgoing_document(actor=deputy, document=awaiting)
    assert not SignatureRecord.objects.exists()


def test_issuing_needs_an_approved_document(world, awaiting):
    with pytest.raises(StateError):
        issue_signed_document(actor=world.clerk, document=awaiting)
    assert not SignatureRecord.objects.exists()


# ------------------------------------------------------------------ dossier results


def test_leader_signs_a_dossier_result_which_the_citizen_can_verify(agency, other_agency, citizen, pki, document):
    from egov.dossiers import workflow
    from egov.dossiers.workflow import sign_dossier_result
    from tests.dossiers.conftest import World
    from tests.dossiers.test_workflow import at_leader

    world = World(agency, other_agency, citizen)
    services.add_trusted_root(actor=None, name="Root", data=pki.root.cert_der)
    services.register_certificate(actor=world.leader, p12=pki.person.to_pkcs12(b"k"), password="k")
    dossier = at_leader(world)

    result = sign_dossier_result(actor=world.leader, dossier=dossier, pdf=document, label="Giấy chứng nhận")
    workflow.approve(dossier=dossier, officer=world.leader)

    with result.file.open("rb") as handle:
        report = services.verify_and_summarise(handle.read())
    assert report.verdict == "valid", report.summary
    assert SignatureRecord.objects.get().object_id == str(dossier.pk)


def test_only_the_leader_at_the_step_signs_a_result(agency, other_agency, citizen, pki, document):
    from egov.dossiers.workflow import sign_dossier_result
    from tests.dossiers.conftest import World
    from tests.dossiers.test_workflow import at_specialist

    world = World(agency, other_agency, citizen)
    services.register_certificate(actor=world.leader, p12=pki.person.to_pkcs12(b"k"), password="k")
    dossier = at_specialist(world)  # still at the specialist's step
    with pytest.raises(PermissionDenied):
        sign_dossier_result(actor=world.leader, dossier=dossier, pdf=document)
    assert not SignatureRecord.objects.exists()

"""Outgoing documents: draft, review with versions, approval, issuing with Decree 30 numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.documents import files, services
from egov.documents.models import Document, DocumentFile, ReviewStep
from egov.documents.numbering import build_symbol
from tests.documents.conftest import decision_pdf, doc_type, docx_bytes, pdf_upload

pytestmark = pytest.mark.django_db


def draft(world, code="QĐ", **kwargs):
    defaults = dict(actor=world.specialist, doc_type=doc_type(code), summary="Về việc ban hành Quy chế làm việc",
                    signer=world.leader, upload=files.check_bytes("du-thao.docx", docx_bytes(), allowed=(files.PDF, files.DOCX)),
                    recipients=[], external_recipients=[("Bộ Nội vụ", "vanthu@moha.gov.vn")])
    defaults.update(kwargs)
    return services.create_draft(**defaults)


def through_approval(world, document, reviewers=None):
    services.submit_for_review(actor=world.specialist, document=document,
                               reviewers=[world.head] if reviewers is None else reviewers)
    for reviewer in ([world.head] if reviewers is None else reviewers):
        services.review_draft(actor=reviewer, document=document, approve=True)
    return services.approve_outgoing(actor=world.leader, document=document, final_pdf=pdf_upload())


def test_draft_goes_through_review_versions_and_is_issued_with_a_decision_number(world, other_world):
    document = draft(world, recipients=[other_world.agency])
    assert document.status == Document.Status.DRAFT
    services.submit_for_review(actor=world.specialist, document=document, reviewers=[world.head, world.outsider])
    services.review_draft(actor=world.head, document=document, approve=False, comment="Sửa lại Điều 2")
    document.refresh_from_db()
    assert document.status == Document.Status.DRAFT
    services.add_draft_version(actor=world.specialist, document=document, upload=pdf_upload())
    assert list(document.files.filter(kind="draft").values_list("version", flat=True)) == [1, 2]
    services.submit_for_review(actor=world.specialist, document=document, reviewers=[world.head, world.outsider])
    services.review_draft(actor=world.head, document=document, approve=True, comment="Đồng ý")
    with pytest.raises(PermissionDenied):  # not the leader's turn, nor the drafter's
        services.review_draft(actor=world.head, document=document, approve=True)
    services.review_draft(actor=world.outsider, document=document, approve=True)
    document.refresh_from_db()
    assert document.status == Document.Status.AWAITING_SIGNATURE
    assert list(ReviewStep.objects.filter(document=document).values_list("round", "status")) == [
        (1, "returned"), (2, "approved"), (2, "approved")]
    services.approve_outgoing(actor=world.leader, document=document)  # the latest draft is a PDF
    document.refresh_from_db()
    assert document.status == Document.Status.APPROVED and not document.has_digital_signature
    issued = services.issue_outgoing(actor=world.clerk, document=document, issued_on=dt.date(2026, 3, 5))
    assert issued.number == 1 and issued.number_symbol == "01/QĐ-UBND"
    assert issued.status == Document.Status.ISSUED and issued.is_published
    assert issued.files.filter(kind=DocumentFile.Kind.ISSUED).exists()
    delivered = Document.objects.get(agency=other_world.agency, source=issued)
    assert delivered.direction == "incoming" and delivered.channel == Document.Channel.INTERNAL
    assert delivered.number_symbol == "01/QĐ-UBND" and delivered.register_number == 1
    assert delivered.files.get().kind == DocumentFile.Kind.MAIN
    recipient = issued.recipients.get(agency=other_world.agency)
    assert recipient.delivered == delivered


def test_letters_are_numbered_issuer_dash_drafting_unit(world):
    first = through_approval(world, draft(world))
    services.issue_outgoing(actor=world.clerk, document=first, issued_on=dt.date(2026, 5, 2))
    letter = through_approval(world, draft(world, code="CV", summary="V/v góp ý dự thảo"), reviewers=[])
    issued = services.issue_outgoing(actor=world.clerk, document=letter, issued_on=dt.date(2026, 5, 3))
    # one register for all the agency's outgoing documents in the year
    assert issued.number_symbol == "02/UBND-KT"


def test_outgoing_numbers_restart_each_year(world):
    old = through_approval(world, draft(world))
    assert services.issue_outgoing(actor=world.clerk, document=old, issued_on=dt.date(2025, 12, 31)).number == 1
    new = through_approval(world, draft(world))
    assert services.issue_outgoing(actor=world.clerk, document=new, issued_on=dt.date(2026, 1, 2)).number == 1


def test_symbols_per_decree_30():
    from egov.documents.models import DocumentType

    decision = DocumentType.objects.get(code="QĐ")
    letter = DocumentType.objects.get(code="CV")
    decree = DocumentType.objects.get(code="NĐ")
    assert build_symbol(number=838, doc_type=decision, issuer_short="UBND") == "838/QĐ-UBND"
    assert build_symbol(number=7303, doc_type=letter, issuer_short="UBND", unit_short="VP") == "7303/UBND-VP"
    assert build_symbol(number=5, doc_type=decision, issuer_short="STP") == "05/QĐ-STP"
    assert build_symbol(number=12, doc_type=decree, issuer_short="CP", year=2025) == "12/2025/NĐ-CP"


def test_signed_pdf_hook_records_a_digital_signature(world):
    document = draft(world)
    assert services.pdf_to_sign(document) is None  # a DOCX draft: nothing to sign yet
    services.add_draft_version(actor=world.specialist, document=document, upload=pdf_upload())
    assert services.pdf_to_sign(document) == decision_pdf()
    services.submit_for_review(actor=world.specialist, document=document, reviewers=[])
    services.approve_outgoing(actor=world.leader, document=document, signed_pdf=decision_pdf())
    document.refresh_from_db()
    assert services.pdf_to_sign(document) == decision_pdf()  # the clerk seals the approved PDF
    issued = services.issue_outgoing(actor=world.clerk, document=document)
    assert issued.has_digital_signature
    assert issued.files.get(kind="final").has_digital_signature


def test_outgoing_refusals(world, other_world):
    with pytest.raises(PermissionDenied):  # a clerk does not draft
        draft(world, actor=world.clerk)
    with pytest.raises(ValidationError):  # the signer must be a leader of the agency
        draft(world, signer=world.head)
    with pytest.raises(ValidationError):
        draft(world, signer=other_world.leader)
    with pytest.raises(ValidationError):
        draft(world, external_recipients=[], recipients=[])
    document = draft(world)
    with pytest.raises(PermissionDenied):  # only the drafter submits
        services.submit_for_review(actor=world.colleague, document=document, reviewers=[])
    with pytest.raises(StateError):  # approval before review
        services.approve_outgoing(actor=world.leader, document=document, final_pdf=pdf_upload())
    with pytest.raises(StateError):  # issue before approval
        services.issue_outgoing(actor=world.clerk, document=document)
    services.submit_for_review(actor=world.specialist, document=document, reviewers=[world.head])
    with pytest.raises(ValidationError):  # returning needs a comment
        services.review_draft(actor=world.head, document=document, approve=False)
    services.review_draft(actor=world.head, document=document, approve=True)
    with pytest.raises(ValidationError):  # a DOCX draft needs a final PDF
        services.approve_outgoing(actor=world.leader, document=document)
    with pytest.raises(PermissionDenied):  # only a leader
        services.approve_outgoing(actor=world.head, document=document, final_pdf=pdf_upload())
    with pytest.raises(PermissionDenied):
        services.approve_outgoing(actor=other_world.leader, document=document, final_pdf=pdf_upload())
    services.approve_outgoing(actor=world.leader, document=document, final_pdf=pdf_upload())
    with pytest.raises(PermissionDenied):  # a leader does not issue; another agency's clerk neither
        services.issue_outgoing(actor=world.leader, document=document)
    with pytest.raises(PermissionDenied):
        services.issue_outgoing(actor=other_world.clerk, document=document)
    services.issue_outgoing(actor=world.clerk, document=document)
    with pytest.raises(StateError):  # issued once only
        services.issue_outgoing(actor=world.clerk, document=document)


def test_leader_can_return_the_draft(world):
    document = draft(world)
    services.submit_for_review(actor=world.specialist, document=document, reviewers=[])
    services.return_to_drafter(actor=world.leader, document=document, comment="Bổ sung căn cứ")
    document.refresh_from_db()
    assert document.status == Document.Status.DRAFT
    assert document.notes.get().text == "Bổ sung căn cứ"

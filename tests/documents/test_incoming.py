"""Incoming documents: registration, register numbers, handling, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.core.audit import history_of
from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.core.models import AuditEntry
from egov.documents import services
from egov.documents.models import Assignment, Document, DocumentFile
from egov.documents.services import Target
from tests.documents.conftest import doc_type, docx_bytes, pdf_upload

pytestmark = pytest.mark.django_db


def register(world, **kwargs):
    defaults = dict(actor=world.clerk, agency=world.agency, doc_type=doc_type("QĐ"), number_symbol="838/QĐ-UBND",
                    summary="Về việc phê duyệt Kế hoạch cải cách hành chính", issuer_name="UBND thành phố Huế",
                    issued_on=dt.date(2026, 3, 29))
    defaults.update(kwargs)
    return services.register_incoming(**defaults)


def test_clerk_registers_with_consecutive_register_numbers(world):
    first = register(world, uploads=[pdf_upload()])
    second = register(world)
    assert (first.register_number, second.register_number) == (1, 2)
    assert first.status == Document.Status.REGISTERED
    assert first.files.get().kind == DocumentFile.Kind.MAIN
    assert first.page_count == 1
    assert first.channel == Document.Channel.ELECTRONIC and second.channel == Document.Channel.PAPER
    assert AuditEntry.objects.filter(action="document.registered", object_id=str(first.pk)).exists()


def test_register_numbers_restart_each_year_and_per_agency(world, other_world):
    last_year = timezone.make_aware(dt.datetime(2025, 12, 31, 16, 0))
    this_year = timezone.make_aware(dt.datetime(2026, 1, 2, 8, 0))
    assert register(world, received_at=last_year).register_number == 1
    assert register(world, received_at=last_year).register_number == 2
    assert register(world, received_at=this_year).register_number == 1
    other = register(other_world, actor=other_world.clerk, agency=other_world.agency, received_at=this_year)
    assert other.register_number == 1


def test_only_a_clerk_of_the_agency_registers(world, other_world):
    with pytest.raises(PermissionDenied):
        register(world, actor=world.specialist)
    with pytest.raises(PermissionDenied):
        register(world, actor=other_world.clerk)
    assert not Document.objects.exists()


def test_registration_needs_a_summary(world):
    with pytest.raises(ValidationError):
        register(world, summary="  ")


def test_leader_assigns_and_assignees_finish(world):
    document = register(world)
    lead, coop, _info = services.assign(
        actor=world.leader, document=document, deadline_days=5, instruction="Đề nghị tham mưu xử lý",
        targets=[Target("lead", department=world.economy), Target("cooperate", user=world.outsider),
                 Target("inform", user=world.clerk)])
    document.refresh_from_db()
    assert document.status == Document.Status.IN_PROGRESS and document.due_on == lead.deadline
    assert lead.deadline > timezone.localdate()
    # the head of the department hands it to a specialist of the same unit
    child, = services.reassign(actor=world.head, assignment=lead, targets=[Target("lead", user=world.specialist)],
                               instruction="Em xử lý giúp")
    services.add_note(actor=world.specialist, document=document, assignment=child, text="Đang tổng hợp số liệu")
    services.complete_assignment(actor=world.specialist, assignment=child, note="Đã dự thảo báo cáo")
    services.complete_assignment(actor=world.head, assignment=lead)
    document.refresh_from_db()
    assert document.status == Document.Status.IN_PROGRESS  # the cooperating part is still open
    services.complete_assignment(actor=world.outsider, assignment=coop)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE and document.done_at
    actions = [entry.action for entry in history_of(document)]
    assert actions[:3] == ["document.registered", "document.assigned", "document.reassigned"]
    assert actions[-1] == "document.done"


def test_assignment_refusals(world, other_world):
    document = register(world)
    with pytest.raises(PermissionDenied):  # a specialist cannot assign
        services.assign(actor=world.specialist, document=document, targets=[Target("lead", user=world.head)])
    with pytest.raises(PermissionDenied):  # another agency's leader cannot assign
        services.assign(actor=other_world.leader, document=document, targets=[Target("lead", user=world.head)])
    with pytest.raises(ValidationError):  # nobody in another agency can be assigned
        services.assign(actor=world.leader, document=document, targets=[Target("lead", user=other_world.specialist)])
    with pytest.raises(ValidationError):
        services.assign(actor=world.leader, document=document, targets=[])
    with pytest.raises(ValidationError):
        services.assign(actor=world.leader, document=document, targets=[Target("lead", user=world.head)],
                        deadline=timezone.localdate() - dt.timedelta(days=1))
    lead, = services.assign(actor=world.leader, document=document, targets=[Target("lead", user=world.head)],
                            deadline=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(ValidationError):  # re-assign outside one's unit
        services.reassign(actor=world.head, assignment=lead, targets=[Target("lead", user=world.outsider)])
    with pytest.raises(ValidationError):  # a later deadline than the one given
        services.reassign(actor=world.head, assignment=lead, targets=[Target("lead", user=world.specialist)],
                          deadline=timezone.localdate() + dt.timedelta(days=30))
    with pytest.raises(PermissionDenied):  # not theirs
        services.complete_assignment(actor=world.specialist, assignment=lead)
    services.complete_assignment(actor=world.head, assignment=lead)
    with pytest.raises(StateError):
        services.complete_assignment(actor=world.head, assignment=lead)
    with pytest.raises(StateError):  # the document is done
        services.assign(actor=world.leader, document=document, targets=[Target("lead", user=world.head)])


def test_overdue_assignment_is_flagged(world):
    document = register(world)
    lead, = services.assign(actor=world.leader, document=document, targets=[Target("lead", user=world.head)],
                            deadline=timezone.localdate())
    assert not lead.is_overdue()
    assert lead.is_overdue(timezone.localdate() + dt.timedelta(days=1))
    Assignment.objects.filter(pk=lead.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    lead.refresh_from_db()
    services.complete_assignment(actor=world.head, assignment=lead)
    lead.refresh_from_db()
    assert lead.is_overdue()  # finished late stays late
    entry = AuditEntry.objects.get(action="document.assignment_done", object_type="documents.document", object_id=str(document.pk))
    assert entry.summary["late"] is True


def test_uploads_are_checked_by_content(world):
    with pytest.raises(ValidationError):
        pdf_upload(b"GIF89a not a pdf", name="van-ban.pdf")
    with pytest.raises(ValidationError):
        pdf_upload(docx_bytes(), name="van-ban.pdf")  # a DOCX where a PDF is required
    from egov.documents import files
    assert files.check_bytes("du-thao.docx", docx_bytes(), allowed=(files.PDF, files.DOCX)).content_type == files.DOCX
    with pytest.raises(ValidationError):
        files.check_bytes("gia.docx", b"PK\x03\x04garbage", allowed=(files.DOCX,))


def test_oversize_upload_is_refused(world, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 100
    from egov.documents import files
    with pytest.raises(files.FileTooLarge):
        files.check_bytes("lon.pdf", b"%PDF-1.7" + b"0" * 200)


def test_failed_registration_leaves_no_file(world, settings, monkeypatch):
    from egov.documents import search

    def boom(*args, **kwargs):
        raise ValidationError("hỏng")

    monkeypatch.setattr(search, "index_document", boom)
    with pytest.raises(ValidationError):
        register(world, uploads=[pdf_upload()])
    media = settings.MEDIA_ROOT
    assert not Document.objects.exists()
    assert not list(media.rglob("*.pdf")) if media.exists() else True

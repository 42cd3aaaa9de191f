"""Intake: online submission, counter registration, acceptance, refusal, codes, idempotency, uploads."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.core.audit import history_of
from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.dossiers import services
from egov.dossiers.codes import next_dossier_code
from egov.dossiers.models import DailyCounter, Dossier
from egov.dossiers.uploads import check_upload
from tests.dossiers.factories import (
    applicant_data,
    aware,
    make_procedure,
    papers_for,
    upload,
)

pytestmark = pytest.mark.django_db
S = Dossier.Status


def files_on_disk(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_online_submission_gets_its_code_at_once_and_waits_for_the_counter(world):
    dossier = world.submitted(at=aware("2026-11-24 21:30"))
    assert dossier.status == S.SUBMITTED and dossier.received_at is None and dossier.due_at is None
    assert dossier.code == f"{world.agency.code}-261124-0001"  # the submission's local day
    assert Dossier.objects.get(code=dossier.code).pk == dossier.pk
    assert world.submitted(at=aware("2026-11-24 22:00")).code.endswith("-261124-0002")
    assert dossier.files.count() == 2
    assert {f.content_type for f in dossier.files.all()} == {"application/pdf"}
    assert dossier.applicant == world.citizen and dossier.channel == Dossier.Channel.ONLINE
    assert [e.action for e in history_of(dossier)] == ["dossier.submitted"]


def test_acceptance_keeps_the_code_and_starts_the_clock(world):
    dossier = world.submitted(at=aware("2026-11-24 21:30"))
    services.accept(dossier=dossier, officer=world.counter, at=aware("2026-11-25 09:00"))
    dossier.refresh()
    assert dossier.status == S.RECEIVED
    assert dossier.code == f"{world.agency.code}-261124-0001"
    assert dossier.received_at == aware("2026-11-25 09:00")
    assert dossier.due_at == aware("2026-12-02 09:00")  # five working days, weekend skipped
    assert dossier.current_step.name == "Tiếp nhận, chuyển xử lý"
    assert dossier.current_step.due_at == aware("2026-11-25 12:45") or dossier.current_step.due_at > dossier.received_at
    assert dossier.current_step.due_at < dossier.due_at
    assert "dossier.accepted" in [e.action for e in history_of(dossier)]


def test_code_format_and_gapless_daily_sequence_restarting_each_day(world):
    day = aware("2026-11-25 08:00")
    codes = [world.received(received=f"2026-11-25 0{8 + i % 2}:0{i}").code for i in range(3)]
    assert codes == [f"{world.agency.code}-261125-{n:04d}" for n in (1, 2, 3)]
    assert world.received(received="2026-11-26 08:00").code.endswith("-261126-0001")
    assert re.fullmatch(r"000\.00\.\d+\.T\d+-\d{6}-\d{4}", codes[0])
    other = world.other_agency
    assert next_dossier_code(other, day.date()).endswith("-261125-0001")
    assert DailyCounter.objects.get(agency=world.agency, day=dt.date(2026, 11, 25)).last == 3


def test_rolled_back_intake_does_not_use_up_a_number(world):
    with pytest.raises(ValidationError):
        services.register_at_counter(officer=world.counter, procedure=world.procedure, data={"applicant_name": ""},
                                     at=aware("2026-11-25 09:00"))
    assert world.received(received="2026-11-25 10:00").code.endswith("-0001")


def test_double_submit_with_the_same_token_creates_one_dossier(world):
    first = world.submitted(key="form-token-1")
    second = world.submitted(key="form-token-1")
    assert first.pk == second.pk
    assert Dossier.objects.count() == 1
    assert world.submitted(key="form-token-2").pk != first.pk


def test_draft_then_submit_keeps_one_dossier(world):
    draft = services.save_draft(citizen=world.citizen, procedure=world.procedure, agency=world.agency,
                                data=applicant_data(world.citizen), uploads=papers_for(world.procedure)[:1])
    assert draft.status == S.DRAFT and draft.code is None
    with pytest.raises(ValidationError) as missing:
        services.submit_online(actor=world.citizen, procedure=world.procedure, agency=world.agency,
                               data=applicant_data(world.citizen), dossier=draft)
    assert missing.value.code == "missing_papers"
    draft.refresh()
    assert draft.status == S.DRAFT
    services.submit_online(actor=world.citizen, procedure=world.procedure, agency=world.agency,
                           data=applicant_data(world.citizen), uploads=papers_for(world.procedure)[1:], dossier=draft)
    assert Dossier.objects.get().status == S.SUBMITTED


def test_officials_cannot_file_online(world):
    with pytest.raises(PermissionDenied):
        services.submit_online(actor=world.counter, procedure=world.procedure, agency=world.agency,
                               data=applicant_data(), uploads=papers_for(world.procedure))


def test_procedure_without_online_service_is_refused(world):
    procedure = make_procedure(online="none")
    with pytest.raises(ValidationError):
        world.submitted(procedure=procedure)


@pytest.mark.parametrize("user", ["specialist", "leader", "other_counter", "citizen"])
def test_only_the_agency_counter_officer_accepts(world, user):
    dossier = world.submitted()
    with pytest.raises(PermissionDenied):
        services.accept(dossier=dossier, officer=getattr(world, user))
    assert Dossier.objects.get().status == S.SUBMITTED


def test_accepting_twice_is_a_state_error(world):
    dossier = world.submitted()
    stale = Dossier.objects.get(pk=dossier.pk)
    services.accept(dossier=dossier, officer=world.counter)
    with pytest.raises(StateError) as moved:
        services.accept(dossier=stale, officer=world.counter)
    assert "xử lý bởi người khác" in moved.value.message
    with pytest.raises(StateError):
        services.accept(dossier=Dossier.objects.get(pk=dossier.pk), officer=world.counter)


def test_refusal_needs_a_reason_and_counts_as_handled(world):
    dossier = world.submitted()
    with pytest.raises(ValidationError):
        services.refuse(dossier=dossier, officer=world.counter, reason=" ")
    with pytest.raises(PermissionDenied):
        services.refuse(dossier=dossier, officer=world.other_counter, reason="Sai cơ quan")
    services.refuse(dossier=dossier, officer=world.counter, reason="Hồ sơ không thuộc thẩm quyền")
    dossier.refresh()
    assert dossier.status == S.REFUSED and dossier.code.endswith("-0001") and dossier.received_at is not None
    with pytest.raises(StateError):
        services.accept(dossier=dossier, officer=world.counter)


def test_counter_registration_receives_a_walk_in_at_once(world):
    dossier = services.register_at_counter(officer=world.counter, procedure=world.procedure,
                                           data=applicant_data(applicant_name="Hồ Văn Vãng Lai"),
                                           at=aware("2026-11-25 14:00"))
    assert dossier.status == S.RECEIVED and dossier.channel == Dossier.Channel.COUNTER
    assert dossier.applicant is None and dossier.code.endswith("-261125-0001")
    with pytest.raises(PermissionDenied):
        services.register_at_counter(officer=world.specialist, procedure=world.procedure, data=applicant_data())


def test_withdrawal_by_the_applicant_only(world):
    dossier = world.received()
    other = __import__("tests.factories", fromlist=["make_citizen"]).make_citizen()
    with pytest.raises(PermissionDenied):
        services.withdraw(dossier=dossier, citizen=other)
    with pytest.raises(PermissionDenied):
        services.withdraw(dossier=dossier, citizen=world.counter)
    services.withdraw(dossier=dossier, citizen=world.citizen, reason="Không còn nhu cầu")
    dossier.refresh()
    assert dossier.status == S.WITHDRAWN and dossier.current_step is None
    assert dossier.steps.get().action == "withdrawn"
    with pytest.raises(StateError):
        services.withdraw(dossier=dossier, citizen=world.citizen)


# -- uploads ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,code", [("png_named.pdf", "file_type_mismatch"), ("text_named.pdf", "file_type")])
def test_upload_checked_by_content_not_name(name, code):
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(name), label="Tờ khai")
    assert refused.value.code == code and "Tờ khai" in refused.value.message


def test_accepted_types_are_sniffed(settings):
    assert check_upload(upload("id_card.png"), label="x").content_type == "image/png"
    assert check_upload(upload("photo.jpg"), label="x").content_type == "image/jpeg"
    assert check_upload(upload("paper.pdf"), label="x").sha256


def test_oversize_upload_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 500
    with pytest.raises(ValidationError) as refused:
        check_upload(upload("paper.pdf"), label="Tờ khai")
    assert refused.value.code == "file_too_large"
    settings.DOSSIER_MAX_UPLOAD_BYTES = 10_000
    assert check_upload(upload("paper.pdf"), label="Tờ khai").size > 500


def test_database_failure_after_storing_removes_the_files(world, settings, monkeypatch):
    from egov.dossiers import services as svc

    def boom(*args, **kwargs):
        raise ValidationError("hỏng")

    monkeypatch.setattr(svc, "event", boom)
    with pytest.raises(ValidationError):
        world.submitted()
    assert Dossier.objects.count() == 0 and files_on_disk(settings) == []


def test_empty_upload_is_refused():
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("a.pdf", b""), label="Tờ khai")


def test_counter_intake_failing_after_its_files_are_written_leaves_no_file(world, settings, monkeypatch):
    """The papers are written before the intake's transaction: a failure inside it removes them."""
    from pathlib import Path

    from egov.dossiers.models import DossierFile

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        services.register_at_counter(officer=world.counter, procedure=world.procedure, data=applicant_data(),
                                     uploads=papers_for(world.procedure))
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0 and DailyCounter.objects.count() == 0
    assert not [f for f in Path(settings.MEDIA_ROOT).rglob("*") if f.is_file()]


def test_dossiers_waiting_before_the_upgrade_get_the_code_of_their_submission_day(world):
    import importlib

    from django.apps import apps

    from egov.dossiers import selectors
    migration = importlib.import_module("egov.dossiers.migrations.0015_online_code_at_submission")
    world.received(received="2026-11-24 08:00")  # the day's counter already at 1
    old = world.submitted(at=aware("2026-11-24 20:00"))
    Dossier.objects.filter(pk=old.pk).update(code=None)  # as submitted before codes came at submission
    migration.code_waiting_dossiers(apps, None)
    old.refresh()
    assert old.code == f"{world.agency.code}-261124-0003"  # after the walk-in (0001) and itself as filed (0002)
    assert selectors.track(old.code).status_label == "Chờ tiếp nhận"

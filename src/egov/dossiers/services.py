"""Dossier intake (tiếp nhận): drafts, online submission, counter registration, acceptance, refusal,
withdrawal. Step handling lives in `workflow.py`. Every write: permission, one transaction, a lock
on the dossier, the state check, the change, the audit entry, side effects queued after commit."""

from __future__ import annotations

import datetime as dt
import os
import uuid

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.core import fixedsql, storage
from egov.core.actors import account_of, is_api_key
from egov.core.audit import record
from egov.core.errors import DomainError, PermissionDenied, StateError, ValidationError
from egov.dossiers import planning, selectors, tallies
from egov.dossiers.codes import next_dossier_code
from egov.dossiers.eforms import filled_form
from egov.dossiers.models import (
    TALLY_STATE_FIELDS,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierStep,
    SubmissionKey,
)
from egov.dossiers.signals import dossier_event
from egov.dossiers.uploads import CheckedUpload
from egov.org.permissions import ensure_can

S = Dossier.Status
_STATUS_AT = TALLY_STATE_FIELDS.index("status")  # in Dossier._tallied
MOVED = "Hồ sơ đã được xử lý bởi người khác hoặc đã chuyển trạng thái. Vui lòng tải lại trang."
APPLICANT_FIELDS = ("applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
                    "applicant_address", "note")


# -- helpers shared with workflow.py ----------------------------------------------------------
def now_or(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def lock(dossier: Dossier, *statuses: str) -> Dossier:
    """Lock the row; StateError when someone changed it since `dossier` was read or it left `statuses`.

    Only the dossier's row is locked, and as FOR NO KEY UPDATE: a plain FOR UPDATE through
    select_related also locked the agency and procedure rows, and it conflicts with the key-share
    lock every insert referencing the row takes. Filings at the same agency (their dossier and
    audit entry reference the agency) and the worker's messages about this dossier then waited on
    the officer while the officer waited on them for the audit chain: deadlocks under load."""
    locked = (Dossier.objects.select_for_update(of=("self",), no_key=True)
              .select_related("procedure", "agency").get(pk=dossier.pk))
    if locked.version != dossier.version or (statuses and locked.status not in statuses):
        raise StateError(MOVED, code="dossier_moved")
    return locked


def bump(dossier: Dossier, original: Dossier | None = None) -> Dossier:
    """Save a changed dossier with a new version, move its statistics tallies (same transaction),
    and mirror it onto the caller's object. Every write of a dossier row goes through here."""
    before = getattr(dossier, "_tallied", None)  # the columns as read, status among them
    dossier.version += 1
    if dossier.pk is None:
        # A new row (most often an online submission): one fixed INSERT, not the ORM's compiled one.
        dossier.fold_for_search()
        fixedsql.insert([dossier])
    else:
        dossier.save()
    tallies.record(dossier)
    previous = before[_STATUS_AT] if before else None
    if previous != dossier.status and dossier.status != Dossier.Status.DRAFT:
        dossier_event.send(Dossier, dossier=dossier, event="status_changed", previous_status=previous)
    if original is not None and original is not dossier:
        original.__dict__.update({k: v for k, v in dossier.__dict__.items() if not k.startswith("_")})
        original._state.fields_cache = dict(dossier._state.fields_cache)
        original._tallied = dossier._tallied
    return dossier


def audit(actor, action: str, obj, **kwargs):
    """Audit entry; an API key is recorded by name (audit actors are accounts)."""
    if is_api_key(actor):
        actor = actor.display_name
    return record(actor, action, obj, **kwargs)


def actor_label(actor) -> str:
    if actor is None:
        return "Hệ thống"
    return getattr(actor, "display_name", None) or str(actor)


def event(dossier: Dossier, kind: str, label: str, *, actor=None, note: str = "", at=None) -> DossierEvent:
    return fixedsql.insert([DossierEvent(
        dossier=dossier, at=now_or(at), kind=kind, label=label, note=note,
        actor=account_of(actor),
        actor_label=actor_label(actor)[:200])])[0]


def notify(dossier: Dossier, what: str) -> None:
    """Announce news the applicant is told of (`what`: "accepted", "refused", "supplement",
    "result", "apology"); notify listens (dossiers may not import it) and tells them in the same
    transaction, so a change that rolls back tells nobody."""
    dossier_event.send(Dossier, dossier=dossier, event="notice", notice=what, previous_status=None)


def written(uploads: list[CheckedUpload], folder: str = "dossiers/papers"):
    """Write already-checked uploads before the transaction that records them, removed again if
    the block fails (egov.core.storage.written): `with written(uploads) as names, transaction.atomic():`."""
    return storage.written((f"{folder}/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{upload.extension}",
                            upload.content) for upload in uploads)


def store_files(dossier: Dossier, uploads: list[CheckedUpload], names: list[str], *, actor,
                supplement=None) -> list[DossierFile]:
    """Record uploads as the dossier's files, stored under `names` (from `written`)."""
    rows = []
    for upload, name in zip(uploads, names, strict=True):
        row = DossierFile(dossier=dossier, paper_id=upload.paper_id, supplement=supplement, label=upload.label[:500],
                          original_name=upload.original_name, content_type=upload.content_type, size=upload.size,
                          sha256=upload.sha256,
                          uploaded_by=account_of(actor))
        row.file.name = name
        rows.append(row)
    return fixedsql.insert(rows)


def _check_procedure(procedure, agency) -> None:
    if not procedure.is_active:
        raise ValidationError("Thủ tục này không còn áp dụng.")
    if agency is None:
        raise ValidationError("Cần chọn cơ quan tiếp nhận.")
    if not selectors.handles(agency, procedure):
        raise ValidationError(f"{agency.name} không tiếp nhận thủ tục “{procedure.name}”. "
                              "Vui lòng chọn cơ quan thực hiện thủ tục này.", code="agency_not_handling")


def _check_applicant(data: dict) -> dict:
    clean = {field: (data.get(field) or "").strip() for field in APPLICANT_FIELDS}
    if not clean["applicant_name"]:
        raise ValidationError("Cần nhập họ tên người nộp hồ sơ.", code="applicant_name")
    for field, limit in (("applicant_name", 200), ("applicant_id_number", 20), ("applicant_phone", 20),
                         ("applicant_email", 254), ("applicant_address", 255)):
        if len(clean[field]) > limit:
            raise ValidationError("Thông tin người nộp quá dài.", code=field)
    return clean


def owner_key(actor) -> str:
    if is_api_key(actor):
        return f"apikey:{actor.pk}"
    return f"user:{actor.pk}"


# -- citizens ---------------------------------------------------------------------------------
def save_draft(*, citizen, procedure, agency, data: dict, uploads: list[CheckedUpload] = (),
               dossier: Dossier | None = None, form_values: dict | None = None) -> Dossier:
    """Save the online form as a draft (bản nháp): no code, nothing sent to the agency yet."""
    if not citizen.is_authenticated or citizen.is_official:
        raise PermissionDenied("Chỉ người dân, doanh nghiệp mới nộp hồ sơ trực tuyến.")
    _check_procedure(procedure, agency)
    clean = {field: (data.get(field) or "").strip()[:254] for field in APPLICANT_FIELDS}
    uploads = list(uploads)
    with written(uploads) as names, transaction.atomic():
        if dossier is None:
            dossier = Dossier(procedure=procedure, agency=agency, applicant=citizen, channel=Dossier.Channel.ONLINE)
        else:
            if dossier.applicant_id != citizen.pk:
                raise PermissionDenied()
            dossier = lock(dossier, S.DRAFT)
            dossier.agency = agency  # the citizen may pick another agency before submitting
        for field, value in clean.items():
            setattr(dossier, field, value)
        if form_values is not None:  # kept as typed: a draft's tờ khai is checked at submission
            dossier.form_data = form_values
        bump(dossier)
        _replace_papers(dossier, uploads, names, actor=citizen)
        audit(citizen, "dossier.draft_saved", dossier)
    return dossier


def _replace_papers(dossier: Dossier, uploads, names, *, actor) -> None:
    """A new upload for a paper replaces the earlier one of the same paper (drafts only)."""
    papers = {u.paper_id for u in uploads if u.paper_id}
    old = list(DossierFile.objects.filter(dossier=dossier, paper_id__in=papers, supplement__isnull=True))
    store_files(dossier, uploads, names, actor=actor)
    if old:
        names = [f.file.name for f in old]
        DossierFile.objects.filter(pk__in=[f.pk for f in old]).delete()
        transaction.on_commit(lambda: [default_storage.delete(n) for n in names])


def submit_online(*, actor, procedure, agency, data: dict, uploads: list[CheckedUpload] = (),
                  idempotency_key: str = "", dossier: Dossier | None = None, at=None,
                  form_values: dict | None = None) -> Dossier:
    """Submit a dossier online (nộp trực tuyến). The same key twice returns the first dossier."""
    return submit_online_once(actor=actor, procedure=procedure, agency=agency, data=data, uploads=uploads,
                              idempotency_key=idempotency_key, dossier=dossier, at=at,
                              form_values=form_values)[0]


def submit_online_once(*, actor, procedure, agency, data: dict, uploads: list[CheckedUpload] = (),
                       idempotency_key: str = "", dossier: Dossier | None = None, papers=None,
                       at=None, form_values: dict | None = None) -> tuple[Dossier, bool]:
    """`submit_online`, telling whether this call created the dossier (False: the key was used before).
    `papers`: the procedure's required papers when the caller has read them already.
    `form_values`: the tờ khai điện tử as typed, for a procedure with an e-form: checked, printed
    and stored as the dossier's first paper (None: the tờ khai comes as an uploaded paper)."""
    is_key = is_api_key(actor)
    if is_key:
        ensure_can(actor, "dossier.submit", agency)
    elif not actor.is_authenticated or actor.is_official:
        raise PermissionDenied("Chỉ người dân, doanh nghiệp mới nộp hồ sơ trực tuyến.")
    _check_procedure(procedure, agency)
    if not procedure.files_online:
        raise ValidationError("Thủ tục này không hỗ trợ nộp hồ sơ trực tuyến.", code="not_online")
    key = (idempotency_key or "").strip()[:120]
    if key:
        existing = SubmissionKey.objects.filter(owner=owner_key(actor), key=key).select_related("dossier").first()
        if existing:
            return existing.dossier, False
    clean = _check_applicant(data)
    from_draft = dossier is not None
    papers = list(procedure.papers.all()) if papers is None else papers
    at = now_or(at)
    form_data = None
    if form_values is not None and procedure.form_definition:
        form_data, form_upload = filled_form(procedure=procedure, agency=agency, values=form_values,
                                             papers=papers, signer=clean["applicant_name"], at=at)
        uploads = [form_upload, *uploads]
    if not from_draft:
        # A new dossier holds only these uploads: refuse it before a file is written or a row inserted.
        _refuse_missing(papers, {u.paper_id for u in uploads})
    uploads = list(uploads)
    try:
        with written(uploads) as names, transaction.atomic():
            if dossier is not None:
                if is_key or dossier.applicant_id != actor.pk:
                    raise PermissionDenied()
                dossier = lock(dossier, S.DRAFT)
                dossier.agency = agency  # the one chosen now, checked above, not the draft's
            else:
                dossier = Dossier(procedure=procedure, agency=agency, channel=Dossier.Channel.ONLINE,
                                  applicant=None if is_key else actor)
            for field, value in clean.items():
                setattr(dossier, field, value)
            dossier.status, dossier.submitted_at = S.SUBMITTED, at
            if form_data is not None:
                dossier.form_data = form_data
            # The code at submission, as the national portal gives it, so the citizen can track the
            # dossier at once ("Chờ tiếp nhận"); the legal clock still starts at acceptance.
            dossier.code = next_dossier_code(agency, timezone.localtime(at).date())
            bump(dossier)
            if key:
                fixedsql.insert([SubmissionKey(owner=owner_key(actor), key=key, dossier=dossier)])
            if from_draft:  # these uploads join or replace the papers the draft holds
                _replace_papers(dossier, uploads, names, actor=actor)
                _refuse_missing(papers, set(dossier.files.values_list("paper_id", flat=True)))
                if form_data is not None:
                    _form_first(dossier, names[0])
            else:
                store_files(dossier, uploads, names, actor=actor)
            event(dossier, "submitted", "Nộp hồ sơ trực tuyến", actor=actor, at=at)
            audit(actor, "dossier.submitted", dossier, summary={"procedure": procedure.code})
    except IntegrityError:
        # The same key committed by a parallel request between our check and our insert.
        if key:
            existing = SubmissionKey.objects.filter(owner=owner_key(actor), key=key).first()
            if existing:
                return existing.dossier, False
        raise
    return dossier, True


def _form_first(dossier: Dossier, form_name: str) -> None:
    """The printed tờ khai leads the papers, as on paper: papers the draft held already are
    recorded again after it (same stored files, new rows; papers are listed in row order)."""
    rows = list(DossierFile.objects.filter(dossier=dossier, supplement__isnull=True).order_by("id"))
    form = next(r for r in rows if r.file.name == form_name)
    earlier = [r for r in rows if r.pk < form.pk]
    if earlier:
        DossierFile.objects.filter(pk__in=[r.pk for r in earlier]).delete()
        for row in earlier:
            row.pk = None
        fixedsql.insert(earlier)


def _refuse_missing(papers, dossier_papers: set[int]) -> None:
    missing = [p.name for p in papers if p.mandatory and p.pk not in dossier_papers]
    if missing:
        raise ValidationError("Còn thiếu giấy tờ bắt buộc: " + "; ".join(missing) + ".",
                              code="missing_papers", details={"missing": missing})


def withdraw(*, dossier: Dossier, citizen, reason: str = "", at=None) -> Dossier:
    """The applicant withdraws the dossier (rút hồ sơ) before it is resolved."""
    if dossier.applicant_id is None or dossier.applicant_id != getattr(citizen, "pk", None):
        raise PermissionDenied()
    at = now_or(at)
    with transaction.atomic():
        locked = lock(dossier, S.SUBMITTED, S.RECEIVED, S.IN_PROGRESS, S.WAITING_SUPPLEMENT, S.TRANSFERRED)
        _close_step(locked, DossierStep.Action.WITHDRAWN, citizen, at, reason)
        locked.status, locked.closed_at, locked.paused_at = S.WITHDRAWN, at, None
        locked.refusal_reason = reason.strip()
        bump(locked, dossier)
        event(locked, "withdrawn", "Công dân rút hồ sơ", actor=citizen, note=reason, at=at)
        audit(citizen, "dossier.withdrawn", locked, summary={"reason": reason})
    return dossier


def _close_step(dossier: Dossier, action: str, actor, at, note: str = "") -> DossierStep | None:
    step = dossier.current_step
    if step is None:
        return None
    DossierStep.objects.filter(pk=step.pk).update(
        finished_at=at, action=action, note=note[:2000],
        finished_by=account_of(actor))
    dossier.current_step = None
    return step


# -- counter officers -------------------------------------------------------------------------
def _receive(dossier: Dossier, officer, at: dt.datetime) -> None:
    """Give the locked dossier its due date (and its code, unless it got one when filed online)
    and open its first step."""
    if not dossier.code:
        dossier.code = next_dossier_code(dossier.agency, timezone.localtime(at).date())
    dossier.received_at, dossier.received_by = at, officer if not is_api_key(officer) else None
    dossier.due_at = planning.resolution_due(dossier.procedure, dossier.agency, at)
    dossier.status = S.RECEIVED
    plan = planning.plan_for(dossier.procedure, dossier.agency)
    open_step(dossier, plan, plan[0], at)


def open_step(dossier: Dossier, plan, planned, at, *, assignees=()) -> DossierStep:
    seq = (dossier.steps.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    step = DossierStep.objects.create(
        dossier=dossier, seq=seq, step_order=planned.order, name=planned.name, agency=dossier.agency,
        role=planned.role, department_name=planned.department_name, started_at=at,
        due_at=planning.step_due(dossier, plan, planned.order))
    if assignees:
        step.assignees.set(assignees)
    dossier.current_step = step
    return step


def accept(*, dossier: Dossier, officer, at=None) -> Dossier:
    """Accept a complete online dossier (tiếp nhận): code, due date, first step, receipt."""
    ensure_can(officer, "dossier.intake", dossier.agency)
    at = now_or(at)
    with transaction.atomic():
        locked = lock(dossier, S.SUBMITTED)
        # a supplement asked at intake and not sent is settled by receiving the dossier as it is
        locked.supplements.filter(resumed_at__isnull=True).update(resumed_at=at, paused_office_time=dt.timedelta(0))
        _receive(locked, officer, at)
        bump(locked, dossier)
        event(locked, "received", "Tiếp nhận hồ sơ", actor=officer, at=at)
        audit(officer, "dossier.accepted", locked, summary={"code": locked.code, "due_at": locked.due_at})
        notify(locked, "accepted")
    return dossier


def accept_many(*, officer, dossiers, at=None) -> tuple[list[Dossier], list[tuple[Dossier, str]]]:
    """Accept several online dossiers (tiếp nhận nhiều hồ sơ), each in its own transaction like
    `accept`: one another officer took or refused meanwhile is reported, the others go through.
    Returns (accepted, [(dossier, why not)])."""
    accepted, failed = [], []
    for dossier in dossiers:
        try:
            accepted.append(accept(dossier=dossier, officer=officer, at=at))
        except DomainError as exc:
            failed.append((dossier, exc.message))
    return accepted, failed


def refuse(*, dossier: Dossier, officer, reason: str, at=None) -> Dossier:
    """Refuse to receive the dossier (từ chối tiếp nhận) with a reason the citizen will read."""
    ensure_can(officer, "dossier.intake", dossier.agency)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Cần nêu lý do từ chối tiếp nhận.", code="reason_required")
    at = now_or(at)
    with transaction.atomic():
        locked = lock(dossier, S.SUBMITTED)
        locked.status, locked.refusal_reason = S.REFUSED, reason
        locked.received_at, locked.closed_at = at, at
        locked.received_by = officer if not is_api_key(officer) else None
        bump(locked, dossier)
        event(locked, "refused", "Từ chối tiếp nhận hồ sơ", actor=officer, note=reason, at=at)
        audit(officer, "dossier.refused", locked, summary={"reason": reason})
        notify(locked, "refused")
    return dossier


def register_at_counter(*, officer, procedure, data: dict, uploads: list[CheckedUpload] = (),
                        idempotency_key: str = "", at=None, applicant=None) -> Dossier:
    """Register a walk-in dossier at the counter and receive it at once (tiếp nhận trực tiếp)."""
    official = officer.official_or_none
    if official is None:
        raise PermissionDenied()
    agency = official.agency
    ensure_can(officer, "dossier.intake", agency)
    _check_procedure(procedure, agency)
    clean = _check_applicant(data)
    key = (idempotency_key or "").strip()[:120]
    if key:
        existing = SubmissionKey.objects.filter(owner=owner_key(officer), key=key).select_related("dossier").first()
        if existing:
            return existing.dossier
    at = now_or(at)
    uploads = list(uploads)
    with written(uploads) as names, transaction.atomic():
        dossier = Dossier(procedure=procedure, agency=agency, channel=Dossier.Channel.COUNTER, applicant=applicant,
                          submitted_at=at, **clean)
        dossier.save()
        if key:
            SubmissionKey.objects.create(owner=owner_key(officer), key=key, dossier=dossier)
        store_files(dossier, uploads, names, actor=officer)
        _receive(dossier, officer, at)
        bump(dossier)
        event(dossier, "received", "Tiếp nhận hồ sơ trực tiếp", actor=officer, at=at)
        audit(officer, "dossier.registered", dossier, summary={"code": dossier.code, "procedure": procedure.code})
        notify(dossier, "accepted")
    return dossier


def request_supplement_at_intake(*, dossier: Dossier, officer, missing: list[str], note: str = "",
                                 at=None) -> Dossier:
    """Ask for an online dossier's papers to be supplemented or completed before it is received
    (yêu cầu bổ sung, hoàn thiện hồ sơ khi tiếp nhận): it stays waiting for intake, no clock runs,
    and the citizen sends the papers from their dossier page (workflow.resubmit)."""
    from egov.dossiers.models import SupplementRequest

    ensure_can(officer, "dossier.intake", dossier.agency)
    missing = [m.strip() for m in missing if m and m.strip()]
    if not missing:
        raise ValidationError("Cần liệt kê giấy tờ cần bổ sung.", code="missing_required")
    at = now_or(at)
    with transaction.atomic():
        locked = lock(dossier, S.SUBMITTED)
        if locked.supplements.filter(resumed_at__isnull=True).exists():
            raise StateError("Hồ sơ đang chờ công dân bổ sung.", code="supplement_pending")
        SupplementRequest.objects.create(dossier=locked, missing=missing, note=note.strip(), requested_at=at,
                                         requested_by=officer if not is_api_key(officer) else None)
        bump(locked, dossier)
        event(locked, "supplement_requested", "Yêu cầu bổ sung, hoàn thiện hồ sơ", actor=officer,
              note="; ".join(missing) + (f". {note.strip()}" if note.strip() else ""), at=at)
        audit(officer, "dossier.supplement_requested", locked,
              summary={"missing": missing, "note": note.strip(), "at_intake": True})
        notify(locked, "supplement")
    return dossier


def _counter_agency(officer, procedure):
    official = officer.official_or_none
    if official is None:
        raise PermissionDenied()
    ensure_can(officer, "dossier.intake", official.agency)
    _check_procedure(procedure, official.agency)
    return official.agency


def refuse_at_counter(*, officer, procedure, data: dict, reason: str, at=None) -> Dossier:
    """Refuse a walk-in's dossier at the counter (từ chối tiếp nhận tại bộ phận một cửa): recorded as a
    refused dossier of the counter (no code, no clock), so the refusal form prints from it and the
    statistics count it like a refused online dossier."""
    agency = _counter_agency(officer, procedure)
    clean = _check_applicant(data)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Cần nêu lý do từ chối tiếp nhận.", code="reason_required")
    at = now_or(at)
    with transaction.atomic():
        dossier = Dossier(procedure=procedure, agency=agency, channel=Dossier.Channel.COUNTER, submitted_at=at,
                          status=S.REFUSED, refusal_reason=reason, received_at=at, closed_at=at,
                          received_by=officer, **clean)
        dossier.save()
        bump(dossier)
        event(dossier, "refused", "Từ chối tiếp nhận hồ sơ", actor=officer, note=reason, at=at)
        audit(officer, "dossier.refused", dossier, summary={"reason": reason, "channel": dossier.channel,
                                                            "procedure": procedure.code})
    return dossier


def supplement_at_counter(*, officer, procedure, data: dict, missing: list[str], note: str = "", at=None):
    """Guide a walk-in to supplement or complete the papers (hướng dẫn bổ sung, hoàn thiện hồ sơ): the
    dossier is not received (Decree 61/2018, art. 19), so nothing is stored but the audit entry;
    returns what the printed form says."""
    from egov.dossiers.printed_forms import Applicant, SupplementSlip

    agency = _counter_agency(officer, procedure)
    clean = _check_applicant(data)
    missing = [m.strip() for m in missing if m and m.strip()]
    if not missing:
        raise ValidationError("Cần liệt kê giấy tờ, nội dung cần bổ sung.", code="missing_required")
    at = now_or(at)
    with transaction.atomic():
        audit(officer, "dossier.counter_supplement", procedure, agency=agency,
              summary={"applicant_name": clean["applicant_name"], "missing": missing, "note": note.strip()})
    applicant = Applicant(agency=agency, procedure=procedure, name=clean["applicant_name"],
                          id_number=clean["applicant_id_number"], address=clean["applicant_address"],
                          phone=clean["applicant_phone"], email=clean["applicant_email"])
    return SupplementSlip(applicant=applicant, missing=missing, note=note.strip(),
                          officer_name=officer.display_name, at=at)


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower()


# -- statistics tallies -----------------------------------------------------------------------
def rebuild_tallies(agency=None) -> int:
    """Recompute the statistics tallies from the dossier table: for one agency, several (objects or
    pks), or all (None). For after bulk writes that bypass `bump` (generated history); safe while
    officers work (PostgreSQL holds their tally updates until the recount commits). Returns the
    number of (agency, day, procedure) rows."""
    return tallies.rebuild(agency)


def tally_differences(agency=None) -> list:
    """Tally rows that differ from a recount of the dossier table, as (key, stored, recounted)."""
    return tallies.differences(agency)

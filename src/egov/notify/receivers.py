"""From what happens in the apps below (dossiers, documents, feedback, payments) to notifications.

Each receiver runs inside the service's transaction (the signals are sent there): the notifications
it writes roll back with the change, and the worker sends the emails and SMS after the commit.
Every call names the occurrence in its key, so an event told twice notifies nobody twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from egov.core.registry import egov_modules
from egov.notify.services import Recipient, notify

SMS_LENGTH = 160
RESULT_WITH_LINK = "Ho so {code} da co ket qua. Nhan tai mot cua/truc tuyen. Danh gia: {link}"


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# -- citizens: their dossier -----------------------------------------------------------------------

def _applicant(dossier) -> list[Recipient]:
    return [Recipient(user=dossier.applicant, phone=dossier.applicant_phone, email=dossier.applicant_email)]


def _dossier_link(dossier) -> str:
    if dossier.applicant_id:
        return reverse("dossier-mine-detail", args=[dossier.pk])
    return reverse("dossier-track-code", args=[dossier.code]) if dossier.code else ""


def _dossier_context(dossier) -> dict:
    return {"code": dossier.code or "", "procedure": dossier.procedure.name if dossier.procedure_id else "",
            "agency": dossier.agency.name, "applicant": dossier.applicant_name, "due_date": _date(dossier.due_at)}


def _rating_link(dossier) -> str:
    """The page to rate the service an app above dossiers offers (feedback's dossier_links), when
    the result's SMS still fits one message with it."""
    for module in egov_modules("dossier_links"):
        build = getattr(module, "LINKS", {}).get("result")
        if build is not None:
            link = build(dossier)
            if len(RESULT_WITH_LINK.format(code=dossier.code or "", link=link)) <= SMS_LENGTH:
                return link
    return ""


def _tell_applicant(dossier, event: str, key: str, **extra) -> None:
    notify(event, key=key, recipients=_applicant(dossier), context={**_dossier_context(dossier), **extra},
           agency=dossier.agency, dossier=dossier, link=_dossier_link(dossier))


def _on_notice(dossier, notice: str) -> None:
    if notice == "accepted":
        _tell_applicant(dossier, "dossier.received", f"dossier.received:{dossier.pk}")
    elif notice == "refused":
        _tell_applicant(dossier, "dossier.refused", f"dossier.refused:{dossier.pk}", reason=dossier.refusal_reason)
    elif notice == "supplement":
        request = dossier.supplements.order_by("-requested_at", "-pk").first()
        if request is None:
            return
        reason = "; ".join(request.missing) + (f". {request.note}" if request.note else "")
        _tell_applicant(dossier, "dossier.supplement_requested", f"dossier.supplement_requested:{request.pk}",
                        reason=reason)
    elif notice == "result":
        _tell_applicant(dossier, "dossier.result_ready", f"dossier.result_ready:{dossier.pk}",
                        rating_link=_rating_link(dossier))
    elif notice == "apology":
        letter = dossier.apologies.order_by("-created_at", "-pk").first()
        if letter is None:
            return
        apology_link = settings.SITE_URL + reverse("dossier-apology-pdf", args=[dossier.pk, letter.pk])
        _tell_applicant(dossier, "dossier.overdue", f"dossier.overdue:{letter.pk}",
                        due_date=_date(letter.previous_due_at), new_due_date=_date(letter.new_due_at),
                        reason=letter.reason, apology_link=apology_link)


def on_dossier_event(sender, *, dossier, event, previous_status=None, **kwargs):
    if event == "status_changed":
        # The hot path of online submissions: only the step into "submitted" tells anyone.
        if dossier.status == "submitted" and previous_status != "submitted":
            _tell_applicant(dossier, "dossier.submitted", f"dossier.submitted:{dossier.pk}",
                            submitted_at=timezone.localtime(dossier.submitted_at or timezone.now())
                            .strftime("%d/%m/%Y %H:%M"))
    elif event == "notice":
        _on_notice(dossier, kwargs.get("notice", ""))
    elif event == "step_assigned":
        _on_step_assigned(dossier, kwargs["step"], kwargs.get("actor"))


# -- officials: work given to them -----------------------------------------------------------------

def step_holders(step):
    """The officials who hold a dossier step: its named assignees, else the members of its
    department holding its role, else everyone of its agency holding that role."""
    from egov.org.models import User

    named = list(step.assignees.filter(is_active=True))
    if named:
        return named
    holders = User.objects.filter(is_active=True, official__agency_id=step.agency_id,
                                  official__role_assignments__role=step.role)
    if step.department_id:
        holders = holders.filter(official__department_id=step.department_id)
    return list(holders.distinct())


def _officials(users) -> list[Recipient]:
    return [Recipient(user=user) for user in users]


def _step_context(dossier, step) -> dict:
    procedure = dossier.procedure.name if dossier.procedure_id else "Hồ sơ"
    return {"title": f"{step.name}: {procedure} của {dossier.applicant_name}"[:200], "code": dossier.code or "",
            "due_date": _date(step.due_at)}


def _actor_name(actor) -> str:
    return getattr(actor, "display_name", None) or (str(actor) if actor is not None else "Hệ thống")


def _on_step_assigned(dossier, step, actor) -> None:
    holders = [user for user in step_holders(step) if user.pk != getattr(actor, "pk", None)]
    notify("work.assigned", key=f"work.assigned:dossier_step:{step.pk}", recipients=_officials(holders),
           context={**_step_context(dossier, step), "assigned_by": _actor_name(actor)},
           agency=dossier.agency, dossier=dossier, link=reverse("dossier-detail", args=[dossier.pk]))


def assignment_holders(assignment):
    from egov.org.models import User

    if assignment.assignee_id:
        return [assignment.assignee] if assignment.assignee.is_active else []
    return list(User.objects.filter(is_active=True, official__department_id=assignment.department_id).distinct())


def _document_context(document, due) -> dict:
    return {"title": f"Văn bản: {document.summary}"[:200], "code": document.number_symbol or "",
            "due_date": _day(due)}


def on_document_event(sender, *, document, event, **kwargs):
    if event != "assigned":
        return
    link = reverse("documents:detail", args=[document.pk])
    for assignment in document.assignments.filter(parent__isnull=True).select_related("assignee", "assigned_by"):
        holders = [u for u in assignment_holders(assignment) if u.pk != assignment.assigned_by_id]
        notify("work.assigned", key=f"work.assigned:document_assignment:{assignment.pk}",
               recipients=_officials(holders),
               context={**_document_context(document, assignment.deadline),
                        "assigned_by": _actor_name(assignment.assigned_by)},
               agency=document.agency, link=link)


# -- payments and feedback -------------------------------------------------------------------------

def on_payment_event(sender, *, payment, event, **kwargs):
    if event != "paid":
        return
    dossier = payment.dossier
    paid_at = payment.paid_at or timezone.now()
    notify("payment.confirmed", key=f"payment.confirmed:{payment.pk}", recipients=_applicant(dossier),
           context={**_dossier_context(dossier), "amount": f"{payment.amount:,}".replace(",", "."),
                    "receipt_number": payment.receipt_number or "",
                    "paid_at": timezone.localtime(paid_at).strftime("%d/%m/%Y %H:%M"), "receipt_link": ""},
           agency=dossier.agency, dossier=dossier, link=_dossier_link(dossier))


def on_feedback_event(sender, *, feedback, event, **kwargs):
    if event != "answered":
        return
    link = reverse("feedback-track") + f"?ma={feedback.code}"
    notify("feedback.answered", key=f"feedback.answered:{feedback.pk}:{feedback.answered_at:%Y%m%d%H%M%S}"
           if getattr(feedback, "answered_at", None) else f"feedback.answered:{feedback.pk}",
           recipients=[Recipient(user=feedback.sender, phone=feedback.sender_phone, email=feedback.sender_email)],
           context={"code": feedback.code, "title": feedback.subject, "agency": feedback.agency.name},
           agency=feedback.agency, link=link)


def connect() -> None:
    from egov.documents.signals import document_event
    from egov.dossiers.signals import dossier_event
    from egov.feedback.signals import feedback_event
    from egov.payments.signals import payment_event

    dossier_event.connect(on_dossier_event, dispatch_uid="notify.dossier")
    document_event.connect(on_document_event, dispatch_uid="notify.document")
    feedback_event.connect(on_feedback_event, dispatch_uid="notify.feedback")
    payment_event.connect(on_payment_event, dispatch_uid="notify.payment")


# -- the daily reminders of work due tomorrow or overdue -------------------------------------------

def remind_due(today=None) -> int:
    """Tell the officials holding each open dossier step, and each open document assignment,
    due tomorrow or overdue; once per item and day (the key carries the date), so the sweep may
    run every minute. Returns how many notifications were made."""
    import datetime as dt

    from egov.documents.models import Assignment
    from egov.dossiers.models import DossierStep

    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    made = 0
    steps = (DossierStep.objects.filter(finished_at__isnull=True, due_at__isnull=False,
                                        due_at__date__lte=tomorrow, dossier__current_step=F("pk"))
             .select_related("dossier__procedure", "dossier__agency").order_by("due_at")[:2000])
    for step in steps:
        dossier, due = step.dossier, timezone.localtime(step.due_at).date()
        context = _step_context(dossier, step)
        if due == tomorrow:
            event, key = "work.due_tomorrow", f"work.due_tomorrow:dossier_step:{step.pk}:{today:%Y%m%d}"
        elif due < today or step.due_at < timezone.now():
            event, key = "work.overdue", f"work.overdue:dossier_step:{step.pk}:{today:%Y%m%d}"
            context["days_late"] = max((today - due).days, 0)
        else:
            continue
        made += notify(event, key=key, recipients=_officials(step_holders(step)), context=context,
                       agency=dossier.agency, dossier=dossier, link=reverse("dossier-detail", args=[dossier.pk]))
    assignments = (Assignment.objects.filter(done_at__isnull=True, deadline__lte=tomorrow)
                   .exclude(role=Assignment.Role.INFORM).exclude(status=Assignment.Status.DONE)
                   .select_related("document__agency", "assignee").order_by("deadline")[:2000])
    for assignment in assignments:
        document = assignment.document
        context = _document_context(document, assignment.deadline)
        if assignment.deadline == tomorrow:
            event = "work.due_tomorrow"
        elif assignment.deadline < today:
            event = "work.overdue"
            context["days_late"] = (today - assignment.deadline).days
        else:
            continue
        made += notify(event, key=f"{event}:document_assignment:{assignment.pk}:{today:%Y%m%d}",
                       recipients=_officials(assignment_holders(assignment)), context=context,
                       agency=document.agency, link=reverse("documents:detail", args=[document.pk]))
    return made

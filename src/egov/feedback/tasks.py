"""Background work for feedback: texts to the sender, one-time codes, the overdue sweep."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


def _mail(to: str, subject: str, body: str) -> None:
    send_mail(f"[{settings.SITE_NAME}] {subject}", body, settings.DEFAULT_FROM_EMAIL, [to])


@task()
def notify_sender(feedback_id: int, what: str) -> None:
    """Tell the sender what happened to their feedback (notices.SMS / notices.EMAIL)."""
    from egov.core.texting import send_text as send_sms
    from egov.feedback import notices
    from egov.feedback.models import Feedback

    feedback = Feedback.objects.filter(pk=feedback_id).select_related("duplicate_of").first()
    if feedback is None or what not in notices.SMS:
        return
    values = {"code": feedback.code, "due": _date(feedback.due_at),
              "original": feedback.duplicate_of.code if feedback.duplicate_of_id else ""}
    if feedback.sender_phone:
        send_sms(feedback.sender_phone, notices.SMS[what].format(**values), agency_id=feedback.agency_id)
    elif feedback.sender_email:
        subject, body = notices.EMAIL[what]
        _mail(feedback.sender_email, subject.format(**values), body.format(**values))


@task()
def send_confirmation(confirmation_id: int) -> None:
    """Make the one-time code, keep its hash, send it (once: a retried task sends nothing more)."""
    from egov.core.texting import send_text as send_sms
    from egov.feedback import notices
    from egov.feedback.models import Confirmation

    with transaction.atomic():
        confirmation = (Confirmation.objects.select_for_update().select_related("feedback")
                        .filter(pk=confirmation_id, code_hash="", confirmed_at__isnull=True).first())
        if confirmation is None:
            return
        otp = f"{secrets.randbelow(10**6):06d}"
        confirmation.code_hash = notices.code_hash(confirmation.feedback_id, otp)
        confirmation.save(update_fields=["code_hash"])
    feedback = confirmation.feedback
    values = {"code": feedback.code, "otp": otp, "minutes": settings.FEEDBACK_CODE_MINUTES}
    if confirmation.channel == Confirmation.Channel.SMS:
        # Filed under the receiving office: in demo mode its staff (and administrators) read the
        # code in the SMS log, as the issue asks; no other agency sees it.
        send_sms(confirmation.target, notices.CODE_SMS.format(**values), agency_id=feedback.agency_id)
    else:
        subject, body = notices.CODE_EMAIL
        _mail(confirmation.target, subject.format(**values), body.format(**values))


@task()
def notify_leaders(feedback_id: int) -> None:
    """Tell the leaders of the agency holding an overdue feedback: by email, or SMS without one."""
    from egov.core.texting import send_text as send_sms
    from egov.feedback import notices
    from egov.feedback.models import Feedback
    from egov.org.models import User
    from egov.org.roles import Role

    feedback = Feedback.objects.filter(pk=feedback_id).first()
    if feedback is None:
        return
    values = {"code": feedback.code, "due": _date(feedback.due_at), "subject": feedback.subject[:120],
              "status": feedback.get_status_display()}
    leaders = User.objects.filter(is_active=True, official__agency_id=feedback.agency_id,
                                  official__role_assignments__role=Role.LEADER).distinct()
    for leader in leaders:
        if leader.email:
            subject, body = notices.LEADERS_EMAIL
            _mail(leader.email, subject.format(**values), body.format(**values))
        elif leader.phone:
            send_sms(leader.phone, notices.LEADERS_SMS.format(**values), agency_id=feedback.agency_id)


def sweep_due() -> None:
    """Every minute (core.tasks.sweep): overdue feedback rises to its agency's leaders."""
    from egov.feedback.services import escalate_overdue

    escalate_overdue()

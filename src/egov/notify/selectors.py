"""Reads of SMS messages: each official sees their agencies' messages only."""

from __future__ import annotations

from django.db.models import Q

from egov.notify.models import SmsMessage
from egov.org.permissions import visible_agencies
from egov.org.roles import Role


def sms_for(actor, *, direction: str = "", phone: str = ""):
    """Messages `actor` may read, newest first: about their agencies' dossiers or sent for their
    agencies; a system administrator also reads those of no agency (unknown tracking codes, help)."""
    scope = Q(agency__in=visible_agencies(actor))
    if Role.SYSTEM_ADMIN in actor.role_codes():
        scope |= Q(agency__isnull=True)
    messages = SmsMessage.objects.filter(scope).select_related("dossier")
    if direction in SmsMessage.Direction.values:
        messages = messages.filter(direction=direction)
    if phone:
        messages = messages.filter(phone__contains=phone)
    return messages


def notifications_for(user):
    """The SMS sent to a citizen or business (thông báo của tôi), newest first: those about their
    own dossiers, and account texts (sign-up, locks) sent to their phone since the account exists.
    Not every message to the phone: a number can have had another owner, or be the contact number
    someone else wrote in their dossier."""
    from egov.notify.services import normalize_phone

    mine = Q(dossier__applicant=user)
    phone = normalize_phone(user.phone or "")
    if phone:
        mine |= Q(dossier__isnull=True, phone=phone, created_at__gte=user.date_joined)
    return (SmsMessage.objects.filter(mine, direction=SmsMessage.Direction.OUT)
            .select_related("dossier").order_by("-created_at", "-id"))

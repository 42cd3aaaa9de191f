"""Writes for notifications: outgoing and incoming SMS, each kept in the SmsMessage table."""

from __future__ import annotations

import re

from egov.notify.models import SmsMessage
from egov.notify.sms import SmsError, get_provider

_PHONE = re.compile(r"[^\d+]")


def normalize_phone(phone: str) -> str:
    return _PHONE.sub("", phone or "")[:20]


def send_sms(phone: str, text: str, *, agency_id: int | None = None, dossier_id: int | None = None) -> SmsMessage:
    """Send through the configured provider and keep the message with its outcome, as a message
    of `agency_id` (about `dossier_id`, of that agency): its staff read it; with no agency, only
    system administrators do."""
    provider = get_provider()
    message = SmsMessage(direction=SmsMessage.Direction.OUT, phone=normalize_phone(phone), text=text,
                         provider=provider.name, agency_id=agency_id, dossier_id=dossier_id)
    try:
        message.provider_ref = provider.send(message.phone, text) or ""
        message.status = SmsMessage.Status.SENT
    except SmsError as exc:
        message.status = SmsMessage.Status.FAILED
        message.error = str(exc)[:255]
    message.save()
    return message


def receive_sms(phone: str, text: str, *, agency_id: int | None = None, dossier_id: int | None = None) -> SmsMessage:
    """Keep an inbound SMS, as a message of the agency whose dossier it asks about (see `send_sms`)."""
    return SmsMessage.objects.create(direction=SmsMessage.Direction.IN, phone=normalize_phone(phone),
                                     text=text[:1000], status=SmsMessage.Status.RECEIVED,
                                     agency_id=agency_id, dossier_id=dossier_id)

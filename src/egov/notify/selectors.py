"""Reads of notifications and SMS messages: a person's own in-app notifications (the bell), and
for staff the log of what was sent, each official seeing their agencies' only."""

from __future__ import annotations

from django.db.models import Q

from egov.notify.models import Channel, Notification, SmsMessage
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


def sms_to(user):
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


BELL_CAP = 100  # the bell shows "99+" beyond: counting further would read every unread row


def unread_count(user) -> int:
    """How many in-app notifications `user` has not read, up to BELL_CAP: one COUNT over the
    partial index `notification_unread` (only unread in-app rows are in it), bounded, so the
    bell costs the same on every page however much is unread."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_bounded(user).count()


def unread_bounded(user):
    """`user`'s unread in-app notifications, at most BELL_CAP of them, as a queryset that can still
    be counted among the menu's badges (core.counting.count_each: one statement for all)."""
    first = (Notification.objects.filter(recipient=user, channel=Channel.APP, read_at__isnull=True)
             .order_by().values("pk")[:BELL_CAP])
    return Notification.objects.filter(pk__in=first)


def notifications_for(user):
    """`user`'s in-app notifications (thông báo trên hệ thống), newest first."""
    return Notification.objects.filter(recipient=user, channel=Channel.APP).order_by("-created_at", "-id")


def log_for(actor, *, channel: str = "", status: str = "", address: str = "", event: str = ""):
    """The notifications `actor` may read in the log (nhật ký thông báo), newest first: those of
    their agencies; a system administrator also those of no agency. `address` finds one
    recipient's (a phone, an email, or "user:<id>")."""
    from egov.notify.services import normalize_phone

    scope = Q(agency__in=visible_agencies(actor))
    if Role.SYSTEM_ADMIN in actor.role_codes():
        scope |= Q(agency__isnull=True)
    rows = Notification.objects.filter(scope).select_related("recipient", "dossier")
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    if status in Notification.Status.values:
        rows = rows.filter(status=status)
    if event:
        rows = rows.filter(event=event)
    address = (address or "").strip().lower()[:254]
    if address:
        phone = normalize_phone(address)
        found = Q(address__contains=address)
        if phone and phone != address and len(phone) >= 6:
            found |= Q(address__contains=phone)
        rows = rows.filter(found)
    return rows

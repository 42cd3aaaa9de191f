"""Writes for notifications (thông báo): `notify()` for any event on every channel and `deliver()`
of one email or SMS by the worker; outgoing and incoming SMS, each kept in the SmsMessage table."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from egov.core import audit, outcalls
from egov.core.errors import NotFound, PermissionDenied, ValidationError
from egov.core.tasks import queue
from egov.core.texting import normalize_phone
from egov.notify.channels import DeliveryError, TemplateError, one_line, plain_context, render, sms_text, variables_used
from egov.notify.channels import send as send_on_channel
from egov.notify.events import EVENTS
from egov.notify.models import Channel, Notification, NotificationTemplate, Preference, SmsMessage
from egov.notify.sms import SmsError, get_provider
from egov.org.permissions import ensure_can

logger = logging.getLogger("egov.notify")

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


# -- notifications on every channel (email, SMS, in-app) -----------------------------------------

@dataclass(frozen=True)
class Recipient:
    """Who hears of an event (người nhận): an account, or the phone and email written in a dossier
    or a feedback by someone without one. An account's own phone and email are used unless the
    sender gives others (the contact written in the dossier)."""

    user: object = None
    phone: str = ""
    email: str = ""


MAX_KEY_LENGTH = Notification._meta.get_field("key").max_length
SKIPPED_BY_PREFERENCE = "Người nhận đã tắt kênh này."


def _absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.SITE_URL + (link if link.startswith("/") else "/" + link)


def templates_for(event: str) -> dict[str, tuple[str, str]]:
    """(subject, body) of `event` on each channel it is sent on: the administrators' active
    template, else the default of the event registry."""
    spec = EVENTS[event]
    wording = {channel: spec.default(channel) for channel in Channel.values}
    for row in NotificationTemplate.objects.filter(event=event, is_active=True):
        wording[row.channel] = (row.subject, row.body)
    return {channel: text for channel, text in wording.items() if text[1]}


def _render(event: str, channel: str, wording: tuple[str, str], context: dict) -> tuple[str, str]:
    """The subject and body on `channel`; an administrator's template that fails on this context
    falls back to the default (a notification is never lost to a wording)."""
    try:
        subject, body = (render(wording[0], context), render(wording[1], context))
    except TemplateError:
        logger.exception("Template of %s on %s failed; the default is sent", event, channel)
        default = EVENTS[event].default(channel)
        subject, body = render(default[0], context), render(default[1], context)
    if channel == Channel.SMS:
        return "", sms_text(body)
    if channel == Channel.APP:
        return "", one_line(body, 500)
    return one_line(subject), body.strip() + "\n"


def preference_of(user) -> Preference:
    """The user's channel choices; both on until they say otherwise."""
    found = Preference.objects.filter(user=user).first() if user is not None else None
    return found or Preference(user=user, email=True, sms=True)


def notify(event: str, *, key: str, recipients, context: dict, agency=None, dossier=None, link: str = "") -> int:
    """Tell `recipients` that `event` happened: in the app (accounts only), by SMS and by email
    (when an address is known and the person has not turned the channel off), each in its
    wording rendered with `context`. `key` names this occurrence ("dossier.received:<id>"):
    whoever is told again about the same key on the same channel and address is not notified
    again, however often or concurrently the event is told. In-app notifications are stored as
    sent; the others leave through the worker once the caller's transaction commits.

    Returns how many notifications will reach someone (new ones, not turned off).
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}: add it to notify/events.py or <app>/notices.py")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"A notification key is 1 to {MAX_KEY_LENGTH} characters: {key!r}")
    wording = templates_for(event)
    link = link or ""
    values = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **plain_context(context),
              "link": _absolute(link)}
    texts = {channel: _render(event, channel, text, values) for channel, text in wording.items()}
    texts = {channel: text for channel, text in texts.items() if text[1].strip()}  # nothing to say: not sent
    now = timezone.now()
    rows: dict[tuple[str, str], Notification] = {}

    def add(channel: str, address: str, user, wanted: bool = True) -> None:
        if channel not in texts or not address or (channel, address) in rows:
            return
        subject, body = texts[channel]
        row = Notification(key=key, event=event, channel=channel, recipient=user, address=address, subject=subject,
                           body=body, link=link[:500], agency=agency, dossier=dossier)
        if channel == Channel.APP:
            row.status, row.sent_at = Notification.Status.SENT, now
        elif not wanted:
            row.status, row.last_error = Notification.Status.SKIPPED, SKIPPED_BY_PREFERENCE
        rows[channel, address] = row

    for recipient in recipients:
        user = recipient.user
        if user is not None and not user.is_active:
            continue
        chosen = preference_of(user) if user is not None else None
        if user is not None:
            add(Channel.APP, f"user:{user.pk}", user)
        phone = normalize_phone(recipient.phone or (getattr(user, "phone", "") or ""))
        add(Channel.SMS, phone, user, chosen is None or chosen.sms)
        email = (recipient.email or (getattr(user, "email", "") or "")).strip().lower()
        add(Channel.EMAIL, email, user, chosen is None or chosen.email)

    told = set(Notification.objects.filter(key=key).values_list("channel", "address"))
    created = 0
    for (channel, address), row in rows.items():
        if (channel, address) in told:
            continue
        try:
            with transaction.atomic():  # a savepoint: a concurrent teller's row wins, ours is dropped
                row.save(force_insert=True)
        except IntegrityError:
            continue
        if row.status == Notification.Status.SKIPPED:
            continue
        created += 1
        if row.status == Notification.Status.QUEUED:
            from egov.notify.tasks import deliver as deliver_task

            queue(deliver_task, notification_id=row.pk)
    return created


def max_attempts() -> int:
    return getattr(settings, "NOTIFY_MAX_ATTEMPTS", 6)


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after `attempts` failed tries: a minute doubling up to an hour, jittered."""
    return outcalls.backoff(attempts, base=60, cap=3600)


def _schedule_retry(row: Notification) -> None:
    """The next try at its time, when the task queue can wait; otherwise the sweep brings it."""
    from django_tasks import default_task_backend

    from egov.notify.tasks import deliver as deliver_task

    if default_task_backend.supports_defer:
        task = deliver_task.using(run_after=row.next_attempt_at)
        transaction.on_commit(lambda: task.enqueue(notification_id=row.pk))


def deliver(notification_id: int) -> Notification | None:
    """One try at sending a queued email or SMS; the row as it stands after, or None when it is
    not ours to send (sent, failed, held by another worker, or not due yet).

    The try is claimed first in its own short transaction (one more attempt, the next one already
    scheduled as if this one fails), the channel is called with no transaction open, and the
    outcome recorded after: a worker killed mid-send leaves a row the sweep takes up when due.
    """
    now = timezone.now()
    with transaction.atomic():
        row = (Notification.objects.select_for_update(skip_locked=True)
               .filter(pk=notification_id, status=Notification.Status.QUEUED).first())
        if row is None or (row.next_attempt_at is not None and row.next_attempt_at > now):
            return None
        row.attempts += 1
        row.next_attempt_at = now + retry_delay(row.attempts)
        row.save(update_fields=["attempts", "next_attempt_at"])
    try:
        send_on_channel(row)
        error = ""
    except DeliveryError as exc:
        error = str(exc)[:255] or "Gửi lỗi."
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=row.pk)
        if row.status != Notification.Status.QUEUED:
            return row
        row.last_error = error
        if not error:
            row.status, row.sent_at, row.next_attempt_at = Notification.Status.SENT, timezone.now(), None
        elif row.attempts >= max_attempts():
            row.status, row.next_attempt_at = Notification.Status.FAILED, None
        else:
            _schedule_retry(row)
        row.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error"])
    return row


def retry_due(now=None) -> int:
    """Queue every notification due to be tried (a retry whose time came, or a first try lost with
    its worker); returns how many."""
    from egov.core.tasks import SWEEP_EVERY
    from egov.notify.tasks import deliver as deliver_task

    now = now or timezone.now()
    queued = Notification.objects.filter(status=Notification.Status.QUEUED)
    due = list(queued.filter(Q(next_attempt_at__lte=now)
                             | Q(next_attempt_at__isnull=True, created_at__lte=now - dt.timedelta(seconds=SWEEP_EVERY)))
               .values_list("pk", flat=True)[:1000])
    for pk in due:
        transaction.on_commit(lambda pk=pk: deliver_task.enqueue(notification_id=pk))
    return len(due)


def mark_read(user, ids=None) -> int:
    """Mark `user`'s in-app notifications read: those of `ids`, or all when `ids` is None.
    Another person's ids are ignored. Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, channel=Channel.APP, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=[int(pk) for pk in ids if str(pk).isdigit()][:1000])
    return unread.update(read_at=timezone.now())


# -- the administrators' wording (mẫu thông báo) and each person's channels ----------------------

COMMON_VARIABLES = {"site_name": "Tên cổng", "site_url": "Địa chỉ cổng", "link": "Trang liên quan (địa chỉ đầy đủ)"}


def _channel_of(event: str, channel: str):
    if event not in EVENTS:
        raise NotFound("Không có sự kiện thông báo này.")
    if channel not in Channel.values:
        raise NotFound("Không có kênh thông báo này.")
    return EVENTS[event]


def preview(event: str, channel: str, *, subject: str = "", body: str) -> tuple[str, str]:
    """`subject` and `body` rendered with the event's sample context, as they would be sent
    (an SMS folded and cut). ValidationError, in Vietnamese, for a template that does not render,
    uses a variable the event does not give, or is empty."""
    spec = _channel_of(event, channel)
    if not (body or "").strip():
        raise ValidationError("Nội dung mẫu không được để trống.")
    if channel == Channel.EMAIL and not (subject or "").strip():
        raise ValidationError("Thư điện tử cần có tiêu đề.")
    known = set(spec.variables) | set(COMMON_VARIABLES)
    try:
        unknown = sorted(((variables_used(subject) if subject else set()) | variables_used(body)) - known)
        if unknown:
            raise ValidationError(f"Sự kiện này không có biến: {', '.join(unknown)}. Các biến dùng được: "
                                  f"{', '.join(sorted(known))}.")
        context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **spec.sample,
                   "link": settings.SITE_URL + "/thong-bao/"}
        rendered = render(subject, context), render(body, context)
    except TemplateError as exc:
        raise ValidationError(str(exc)) from exc
    if channel == Channel.SMS:
        return "", sms_text(rendered[1])
    if channel == Channel.APP:
        return "", one_line(rendered[1], 500)
    return one_line(rendered[0]), rendered[1].strip()


def save_template(actor, event: str, channel: str, *, subject: str = "", body: str, is_active: bool = True):
    """Replace the wording of `event` on `channel` after checking it renders (see `preview`)."""
    ensure_can(actor, "notification.templates")
    preview(event, channel, subject=subject, body=body)
    subject = (subject or "").strip()[:255] if channel == Channel.EMAIL else ""
    with transaction.atomic():
        row = NotificationTemplate.objects.select_for_update().filter(event=event, channel=channel).first()
        created = row is None
        row = row or NotificationTemplate(event=event, channel=channel)
        row.subject, row.body, row.is_active, row.updated_by = subject, body.strip(), is_active, actor
        row.save()
        audit.record(actor, "notify.template_saved", row, agency=None,
                     summary={"event": event, "channel": channel, "created": created, "is_active": is_active})
    return row


def reset_template(actor, event: str, channel: str) -> bool:
    """Back to the default wording of the event registry; False when it already was."""
    ensure_can(actor, "notification.templates")
    _channel_of(event, channel)
    with transaction.atomic():
        row = NotificationTemplate.objects.select_for_update().filter(event=event, channel=channel).first()
        if row is None:
            return False
        audit.record(actor, "notify.template_reset", row, agency=None, summary={"event": event, "channel": channel})
        row.delete()
    return True


def set_preferences(user, *, email: bool, sms: bool) -> Preference:
    """A person's choice of channels (in-app notifications are always kept)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Vui lòng đăng nhập.")
    with transaction.atomic():
        Preference.objects.get_or_create(user=user)
        row = Preference.objects.select_for_update().get(user=user)
        if (row.email, row.sms) == (email, sms):
            return row
        row.email, row.sms = email, sms
        row.save()
        audit.record(user, "notify.preferences_changed", user, summary={"email": email, "sms": sms})
    return row

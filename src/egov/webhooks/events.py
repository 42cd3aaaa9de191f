"""From what happened below (dossiers, documents, the exchange, feedback) to deliveries: the receivers.

The dossier receiver runs on every dossier write, online submissions included (hundreds a
second), so each receiver first asks a per-process set of the events anyone subscribes to,
refreshed every REFRESH_SECONDS: with no subscriptions a write costs a set lookup, no query. A
subscription made in another process is seen within that time; one made here at once.
"""

from __future__ import annotations

import threading
import time

REFRESH_SECONDS = 5.0

_lock = threading.Lock()
_subscribed: frozenset[str] = frozenset()
_fresh_until = float("-inf")


def subscribed_events() -> frozenset[str]:
    """The events some active subscription of an active client wants (cached per process)."""
    global _subscribed, _fresh_until
    now = time.monotonic()
    if now < _fresh_until:
        return _subscribed
    with _lock:
        if now >= _fresh_until:
            from egov.webhooks.models import Subscription

            found: set[str] = set()
            for events in Subscription.objects.filter(is_active=True, client__is_active=True).values_list(
                    "events", flat=True):
                found.update(events)
            _subscribed, _fresh_until = frozenset(found), now + REFRESH_SECONDS
    return _subscribed


def forget() -> None:
    """Drop the cached set (a subscription changed in this process)."""
    global _fresh_until
    _fresh_until = float("-inf")


def _dossier_data(dossier, previous_status) -> dict:
    return {"dossier": {"id": dossier.pk, "code": dossier.code, "agency": dossier.agency.code,
                        "procedure": dossier.procedure.code if dossier.procedure_id else None,
                        "status": dossier.status, "previous_status": previous_status,
                        "due_at": dossier.due_at.isoformat() if dossier.due_at else None}}


def _document_data(document) -> dict:
    # A classified document's number and summary say too much: its id and status only.
    shown = document.confidentiality == type(document).Confidentiality.NORMAL
    return {"document": {"id": document.pk, "agency": document.agency.code, "direction": document.direction,
                         "status": document.status, "number_symbol": document.number_symbol if shown else None}}


def on_dossier_event(sender, *, dossier, event, previous_status=None, **kwargs):
    name = "dossier." + event
    if name not in subscribed_events():
        return
    from egov.webhooks.services import emit

    data = _dossier_data(dossier, previous_status)
    if event == "result_ready":
        data["dossier"].pop("previous_status")
    emit(name, data, agency=dossier.agency)


def on_document_event(sender, *, document, event, **kwargs):
    wanted = subscribed_events()
    names = ["document.received"] if event == "registered" else []
    names.append("document.status_changed")
    names = [name for name in names if name in wanted]
    if not names:
        return
    from egov.webhooks.services import emit

    for name in names:
        data = _document_data(document)
        data["event"] = event
        emit(name, data, agency=document.agency)


def on_status_received(sender, *, recipient, status, **kwargs):
    if "exchange.status_received" not in subscribed_events():
        return
    from egov.webhooks.services import emit

    document = recipient.document
    data = _document_data(document)
    data["recipient"] = {"id": recipient.pk, "agency": recipient.agency.code if recipient.agency_id else None,
                         "code": recipient.external_code or None}
    data["status"] = {"code": status.code, "description": status.description,
                      "reported_at": status.reported_at.isoformat()}
    emit("exchange.status_received", data, agency=document.agency)


def _iso(value):
    return value.isoformat() if value else None


def _feedback_data(feedback) -> dict:
    # Never the sender (name, phone, email, address) nor the text: a code, a state and times.
    return {"feedback": {"code": feedback.code, "status": feedback.status,
                         "agency": feedback.agency.code if feedback.agency_id else None,
                         "field": feedback.field.code if feedback.field_id else None,
                         "created_at": _iso(feedback.created_at), "confirmed_at": _iso(feedback.confirmed_at),
                         "due_at": _iso(feedback.due_at), "answered_at": _iso(feedback.answered_at),
                         "reopen_count": feedback.reopen_count}}


def on_feedback_event(sender, *, feedback, event, **kwargs):
    """feedback.received once a feedback reaches the receiving office (confirmed), feedback.answered
    when a leader approves its answer; other steps are not published as events."""
    name = {"received": "feedback.received", "answered": "feedback.answered"}.get(event)
    if name is None or name not in subscribed_events():
        return
    from egov.webhooks.services import emit

    emit(name, _feedback_data(feedback), agency=feedback.agency)


def connect() -> None:
    from egov.documents.signals import document_event
    from egov.dossiers.signals import dossier_event
    from egov.exchange.signals import status_received
    from egov.feedback.signals import feedback_event

    dossier_event.connect(on_dossier_event, dispatch_uid="webhooks.dossier")
    document_event.connect(on_document_event, dispatch_uid="webhooks.document")
    status_received.connect(on_status_received, dispatch_uid="webhooks.exchange_status")
    feedback_event.connect(on_feedback_event, dispatch_uid="webhooks.feedback")

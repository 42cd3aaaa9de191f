"""Reads for the exchange pages (liên thông): the inbox, outbox, quarantine, peers and their health,
the senders' pending requests, and the panels on a document's page.

Every list is scoped by the reader's agencies (`org.permissions.visible_agencies`) through the
document a row is about; rows about no document of ours (a refused message, a status for nobody)
are a system administrator's only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from egov.core.errors import NotFound
from egov.exchange.edxml import STATUS_LABELS, StatusCode
from egov.exchange.models import Delivery, Message, Peer, Received, RecipientStatus, RemoteAgency, Request
from egov.org.permissions import can, visible_agencies
from egov.org.roles import Role

BUSINESS_LABELS = {0: "Văn bản mới", 1: "Thu hồi", 2: "Cập nhật", 3: "Thay thế"}


def status_label(code: str) -> str:
    try:
        return STATUS_LABELS[StatusCode(code)]
    except ValueError:
        return code or "—"


def _is_system_admin(actor) -> bool:
    return Role.SYSTEM_ADMIN in actor.role_codes()


def _message_scope(actor) -> Q:
    """Messages about a document of `actor`'s agencies: the one it carries or is about, or a copy
    it was registered as (one message may be registered for several of our agencies)."""
    if _is_system_admin(actor):
        return Q()
    agencies = visible_agencies(actor)
    registered = Received.objects.filter(message=OuterRef("pk"), document__agency__in=agencies)
    return Q(document__agency__in=agencies) | Q(Exists(registered))


def inbox(actor, *, state: str = Message.State.ACCEPTED, kind: str = ""):
    """Inbound messages (hộp thư đến), newest first, each with the documents registered from it."""
    states = (Message.State.ACCEPTED, Message.State.QUARANTINED)
    messages = Message.objects.filter(_message_scope(actor), direction=Message.Direction.IN,
                                      state__in=[state] if state in states else states)
    if kind in Message.Kind.values:
        messages = messages.filter(kind=kind)
    return messages.select_related("peer", "document").prefetch_related(
        Prefetch("registered", queryset=_registered_rows()))


def _registered_rows():
    return Received.objects.select_related("document", "document__agency").order_by("id")


def quarantine(actor):
    """Refused inbound messages (cách ly), newest first."""
    return Message.objects.filter(_message_scope(actor), direction=Message.Direction.IN,
                                  state=Message.State.QUARANTINED).select_related("peer", "api_key")


def get_message(actor, pk) -> Message:
    try:
        return (Message.objects.filter(_message_scope(actor)).select_related("peer", "api_key", "document")
                .prefetch_related(Prefetch("registered", queryset=_registered_rows()),
                                  Prefetch("deliveries", queryset=Delivery.objects.select_related("peer")))
                .get(pk=pk))
    except (Message.DoesNotExist, ValueError, TypeError):
        raise NotFound("Không tìm thấy gói tin liên thông.") from None


def outbox(actor, *, state: str = ""):
    """Outgoing deliveries (hộp thư đi), newest first."""
    deliveries = Delivery.objects.all()
    if not _is_system_admin(actor):
        deliveries = deliveries.filter(message__document__agency__in=visible_agencies(actor))
    if state in Delivery.State.values:
        deliveries = deliveries.filter(state=state)
    return deliveries.select_related("peer", "message", "message__document", "recipient")


def get_delivery(actor, pk) -> Delivery:
    try:
        return outbox(actor).get(pk=pk)
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise NotFound("Không tìm thấy lượt gửi liên thông.") from None


def remote_names(codes) -> dict[str, str]:
    """Identifier code -> the remote agency's name, for the codes given."""
    return dict(RemoteAgency.objects.filter(code__in=set(codes)).values_list("code", "name"))


def peers_with_health(*, now: dt.datetime | None = None):
    """Every peer with what an administrator checks first: deliveries waiting and failed, messages
    in and out over the last 24 hours (last success and failure are on the row)."""
    since = (now or timezone.now()) - dt.timedelta(hours=24)
    return Peer.objects.select_related("api_key").prefetch_related("agencies").annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.PENDING), distinct=True),
        failed_count=Count("deliveries", filter=Q(deliveries__state__in=(Delivery.State.FAILED, Delivery.State.HELD)),
                           distinct=True),
        recent_count=Count("messages", filter=Q(messages__created_at__gte=since), distinct=True),
    )


def pending_requests(actor):
    """Senders' recall / update / replace requests waiting for an answer, on documents of the
    agencies where `actor` registers documents (a system administrator reads them all)."""
    requests = Request.objects.filter(state=Request.State.PENDING).select_related(
        "received", "received__document", "received__document__agency", "received__peer")
    if _is_system_admin(actor):
        return requests
    agencies = [a for a in visible_agencies(actor) if can(actor, "documents.register", a)]
    return requests.filter(received__document__agency__in=agencies)


def can_answer(actor, request: Request) -> bool:
    return request.state == Request.State.PENDING and can(actor, "documents.register",
                                                          request.received.document.agency)


# --- the panels on a document's page --------------------------------------------------------------

def recipient_statuses(document) -> list[dict]:
    """One row per recipient of our outgoing `document`: the statuses it reported, latest first, and
    how its copy left us (the outbox delivery) or, for one of our own agencies, the status of the
    copy delivered to it."""
    rows = []
    recipients = document.recipients.select_related("agency", "delivered").prefetch_related(
        Prefetch("exchange_statuses", queryset=RecipientStatus.objects.order_by("-reported_at", "-id")),
        Prefetch("exchange_deliveries", queryset=Delivery.objects.filter(
            message__kind=Message.Kind.DOCUMENT).select_related("message").order_by("-created_at", "-id")))
    names = remote_names(r.external_code for r in recipients if r.external_code)
    for recipient in recipients:
        statuses = [{"code": s.code, "label": status_label(s.code), "at": s.reported_at,
                     "description": s.description, "staff": s.staff} for s in recipient.exchange_statuses.all()]
        deliveries = list(recipient.exchange_deliveries.all())
        rows.append({
            "recipient": recipient,
            "name": str(recipient) if not recipient.external_code else names.get(recipient.external_code, str(recipient)),
            "code": recipient.external_code or (recipient.agency.code if recipient.agency_id else ""),
            "local": recipient.delivered if recipient.agency_id else None,
            "statuses": statuses,
            "latest": statuses[0] if statuses else None,
            "delivery": deliveries[0] if deliveries else None,
        })
    return rows


def received_origin(document):
    """For a document that came by edXML: where from (the Received row, with its message and peer)
    and the sender's pending request, if any."""
    received = Received.objects.select_related("message", "peer").filter(document=document).first()
    if received is None:
        return None, None
    pending = received.requests.filter(state=Request.State.PENDING).select_related("message").first()
    return received, pending

"""The exchange's panels on a document's page (documents.panels) and its directory of agencies
outside this instance for the drafting form (documents.directory), hooked in by ExchangeConfig.ready()."""

from __future__ import annotations

from django.template.loader import render_to_string

from egov.documents import directory
from egov.documents import panels as document_panels
from egov.documents.models import Document
from egov.exchange import selectors
from egov.exchange.models import RemoteAgency, Request
from egov.org.permissions import can


def recipient_status_panel(request, document) -> str | None:
    """On an outgoing document we issued: each recipient's latest reported status (đã đến, đã
    tiếp nhận, phân công, đang xử lý, hoàn thành, từ chối...), its history, and how it was sent."""
    if document.is_incoming or document.status != Document.Status.ISSUED:
        return None
    rows = [row for row in selectors.recipient_statuses(document)
            if row["recipient"].agency_id or row["recipient"].external_code]
    if not rows:
        return None
    return render_to_string("exchange/_recipient_status_panel.html", {"rows": rows, "document": document},
                            request=request)


def received_panel(request, document) -> str | None:
    """On a document received by edXML: where it came from, and the sender's pending recall or
    update with the clerk's Đồng ý / Từ chối."""
    if not document.is_incoming:
        return None
    received, pending = selectors.received_origin(document)
    if received is None:
        return None
    if pending is not None:
        pending.answerable = selectors.can_answer(request.user, pending)
    sender = RemoteAgency.objects.filter(code=received.sender_code).values_list("name", flat=True).first()
    return render_to_string("exchange/_received_panel.html", {
        "document": document, "received": received, "message": received.message, "pending": pending,
        "sender_name": sender or document.issuer_name,
        "answered": received.requests.exclude(state=Request.State.PENDING).select_related("answered_by"),
        "can_view_message": can(request.user, "exchange.view"),
    }, request=request)


def remote_agencies() -> list[tuple[str, str]]:
    return list(RemoteAgency.objects.filter(peer__is_active=True).order_by("name", "code")
                .values_list("code", "name"))


def register() -> None:
    for panel in (recipient_status_panel, received_panel):
        if panel not in document_panels.PANELS:
            document_panels.PANELS.append(panel)
    directory.provider = remote_agencies

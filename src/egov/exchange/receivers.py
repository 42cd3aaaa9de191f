"""What the exchange does when a document changes (documents.signals.document_event), inside the
document service's transaction: the outbox rows it writes commit or roll back with the change."""

from __future__ import annotations

from egov.exchange import edxml, outbox
from egov.exchange.models import Received

# An incoming document's events and the status each sends back to its sender, once each.
# ("registered": 01 and 03 are sent by the inbound endpoint, which registers the document.)
STATUS_FOR_EVENT = {
    "assigned": edxml.StatusCode.ASSIGNED,  # 04 phân công
    "progress": edxml.StatusCode.IN_PROGRESS,  # 05 đang xử lý
    "done": edxml.StatusCode.DONE,  # 06 hoàn thành
}


def on_document_event(sender, *, document, event, **kwargs) -> None:
    if event == "issued":
        for recipient in outbox._remote_recipients(document):
            outbox.send_document(document, recipient)
        return
    code = STATUS_FOR_EVENT.get(event)
    if code is None:
        return
    received = Received.objects.select_related("document__agency").filter(document=document).first()
    if received is not None:
        outbox.send_status(received, code.value)

"""What happens to a document, for the apps above documents (exchange, webhooks) to act on.

Sent by the services inside their transaction, after the change: a receiver that writes rows (an
outbox row, a status message to queue) writes them in the same transaction, so nothing is sent
for a change that rolls back, and nothing the change implies is lost when it commits. Receivers
that call out queue a task (`core.tasks.queue`), which runs after the commit.
"""

from django.dispatch import Signal

# kwargs: document, event. Events of an incoming document (văn bản đến) and the edXML status each
# becomes for its sender: "registered" (03 đã tiếp nhận), "assigned" (04 phân công, the first
# assignment), "progress" (05 đang xử lý, the first progress note), "done" (06 hoàn thành).
# Of an outgoing one: "issued" (phát hành; its recipients are fixed).
document_event = Signal()

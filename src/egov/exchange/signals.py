"""What the exchange tells the apps above it (webhooks) about, sent inside the writing transaction."""

from django.dispatch import Signal

# kwargs: recipient (documents.Recipient of our outgoing document), status (exchange.RecipientStatus):
# a recipient reported a status (01 đã đến ... 06 hoàn thành, 02 từ chối, 15/16 on a recall).
status_received = Signal()

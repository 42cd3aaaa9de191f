"""What happens to a payment, for the apps above payments (notify, webhooks) to act on.

Sent by the services inside their transaction, after the change: a receiver writes its rows in the
same transaction and queues anything it sends (`core.tasks.queue`), so nothing leaves for a change
that rolls back.
"""

from django.dispatch import Signal

# kwargs: payment, event. "paid" (the gateway confirmed it, or an officer took it at the counter),
# "failed" (the gateway reported a failure), "expired" (nobody paid in time), "refunded".
payment_event = Signal()

EVENTS = ("paid", "failed", "expired", "refunded")

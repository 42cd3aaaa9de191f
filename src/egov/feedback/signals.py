"""What happens to a feedback, for the apps above feedback (webhooks) to act on.

Sent inside the service's transaction, after the change: a receiver writes its rows in the same
transaction (nothing for a change that rolls back) and queues any call out for after the commit.
"""

from django.dispatch import Signal

# kwargs: feedback, event: "received" (confirmed, or sent by a signed-in citizen: it reaches the
# receiving office), "assigned" (routed or transferred to an agency), "answered", "reopened",
# "closed" (closed without action, not competent, or a duplicate), "escalated" (overdue).
feedback_event = Signal()

EVENTS = ("received", "assigned", "answered", "reopened", "closed", "escalated")

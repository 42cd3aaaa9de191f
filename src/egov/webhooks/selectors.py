from __future__ import annotations

from django.shortcuts import get_object_or_404

from egov.api.selectors import clients_visible_to
from egov.webhooks.models import Subscription, WebhookDelivery


def subscriptions_visible_to(user):
    return (Subscription.objects.filter(client__in=clients_visible_to(user))
            .select_related("client__agency").order_by("-is_active", "-created_at"))


def get_visible_subscription(user, pk: int) -> Subscription:
    return get_object_or_404(subscriptions_visible_to(user), pk=pk)


def get_visible_delivery(user, pk: int) -> WebhookDelivery:
    return get_object_or_404(WebhookDelivery.objects.select_related("subscription__client__agency")
                             .filter(subscription__in=subscriptions_visible_to(user)), pk=pk)


def deliveries_of(subscription: Subscription):
    return subscription.deliveries.all()

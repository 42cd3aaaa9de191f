"""Webhook secrets in the signing vault. `rotate` is called by `egov keys rotate`
(signing.services.rotate_vault_key) inside its transaction: without it every subscription's
secret would stop opening after a rotation, and no webhook could be signed."""

from __future__ import annotations

from egov.signing import vault
from egov.webhooks.delivery import secret_context
from egov.webhooks.models import Subscription


def rotate(old: bytes) -> tuple[int, int]:
    """Re-seal every subscription's secret under the current key; (re-sealed, already current)."""
    subscriptions = Subscription.objects.select_for_update().exclude(secret_sealed=b"").order_by("pk")
    return vault.reseal(subscriptions, field="secret_sealed", context=secret_context,
                        describe=lambda subscription: f"Khóa bí mật webhook #{subscription.pk} ({subscription.url})",
                        old=old)

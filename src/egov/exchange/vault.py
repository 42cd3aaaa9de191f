"""The exchange's secrets in the signing vault: the keys we call peers with. `rotate` is called by
`egov keys rotate` (signing.services.rotate_vault_key) inside its transaction."""

from __future__ import annotations

from egov.exchange.models import Peer
from egov.signing import vault


def rotate(old: bytes) -> tuple[int, int]:
    """Re-seal every peer's outbound key under the current key; (re-sealed, already current)."""
    peers = Peer.objects.select_for_update().filter(outbound_key_sealed__isnull=False).order_by("pk")
    return vault.reseal(peers, field="outbound_key_sealed", context=lambda peer: f"exchange.peer:{peer.pk}",
                        describe=lambda peer: f"Khóa gọi đầu mối liên thông #{peer.pk} ({peer.name})", old=old)

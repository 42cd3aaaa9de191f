"""The exchange's secrets in the signing vault: the keys we call peers with. `rotate` is called by
`egov keys rotate` (signing.services.rotate_vault_key) inside its transaction."""

from __future__ import annotations

from egov.exchange.models import Peer
from egov.signing import vault
from egov.signing.errors import SigningError


def rotate(old: bytes) -> tuple[int, int]:
    """Re-seal every peer's outbound key under the current key; (re-sealed, already current)."""
    rotated = unchanged = 0
    for peer in Peer.objects.select_for_update().filter(outbound_key_sealed__isnull=False).order_by("pk"):
        context = f"exchange.peer:{peer.pk}"
        try:
            vault.open_sealed(peer.outbound_key_sealed, context=context)
        except SigningError:
            pass
        else:
            unchanged += 1
            continue
        try:
            plain = vault.open_sealed(peer.outbound_key_sealed, context=context, secret=old)
        except SigningError as exc:
            raise SigningError(f"Khóa gọi đầu mối liên thông #{peer.pk} ({peer.name}) không mở được bằng khóa cũ "
                               "lẫn khóa mới; chưa đổi khóa cho mục nào.", code="vault_mismatch") from exc
        peer.outbound_key_sealed = vault.seal(plain, context=context)
        peer.save(update_fields=["outbound_key_sealed"])
        rotated += 1
    return rotated, unchanged

from __future__ import annotations

from django.db import transaction

from egov.api.models import ApiKey
from egov.api.scopes import SCOPES
from egov.core.audit import record
from egov.core.errors import ValidationError
from egov.org.permissions import ensure_can


def create_api_key(*, actor, name: str, agency, scopes: list[str]) -> tuple[ApiKey, str]:
    """Create a key for an external system; returns the key row and the raw key (shown once)."""
    if actor is not None:
        ensure_can(actor, "apikey.manage", agency)
    name = (name or "").strip()
    if not name:
        raise ValidationError("Cần nhập tên hệ thống.")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValidationError("Phạm vi không hợp lệ: " + (", ".join(unknown) or "chưa chọn phạm vi nào") + ".")
    raw, prefix, key_hash = ApiKey.generate()
    with transaction.atomic():
        key = ApiKey.objects.create(name=name, agency=agency, prefix=prefix, key_hash=key_hash,
                                    scopes=sorted(set(scopes)),
                                    created_by=actor if getattr(actor, "pk", None) else None)
        record(actor, "apikey.created", key, agency=agency, summary={"name": name, "scopes": key.scopes})
    return key, raw


def revoke_api_key(*, actor, key: ApiKey) -> ApiKey:
    ensure_can(actor, "apikey.manage", key.agency)
    with transaction.atomic():
        key.is_active = False
        key.save(update_fields=["is_active"])
        record(actor, "apikey.revoked", key, agency=key.agency)
    return key

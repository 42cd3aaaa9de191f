from __future__ import annotations

from django.db import transaction

from egov.api.models import ApiKey
from egov.api.scopes import SCOPES
from egov.core.audit import record
from egov.core.errors import StateError, ValidationError
from egov.org.permissions import ensure_can

MAX_RATE_LIMIT = 1_000_000


def _clean_scopes(scopes) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValidationError("Phạm vi không hợp lệ: " + (", ".join(unknown) or "chưa chọn phạm vi nào") + ".")
    return sorted(set(scopes))


def _clean_rate_limit(rate_limit) -> int | None:
    if rate_limit in (None, ""):
        return None
    try:
        value = int(rate_limit)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_RATE_LIMIT:
        raise ValidationError(f"Giới hạn phải là số yêu cầu mỗi phút, từ 1 đến {MAX_RATE_LIMIT:,}".replace(",", ".")
                              + ", hoặc để trống nếu không giới hạn.")
    return value


def create_api_key(*, actor, name: str, agency, scopes: list[str],
                   rate_limit: int | None = None) -> tuple[ApiKey, str]:
    """Create a key for an external system; returns the key row and the raw key (shown once)."""
    if actor is not None:
        ensure_can(actor, "apikey.manage", agency)
    name = (name or "").strip()
    if not name:
        raise ValidationError("Cần nhập tên hệ thống.")
    scopes = _clean_scopes(scopes)
    rate_limit = _clean_rate_limit(rate_limit)
    raw, prefix, key_hash = ApiKey.generate()
    with transaction.atomic():
        key = ApiKey.objects.create(name=name, agency=agency, prefix=prefix, key_hash=key_hash, scopes=scopes,
                                    rate_limit=rate_limit, created_by=actor if getattr(actor, "pk", None) else None)
        record(actor, "apikey.created", key, agency=agency,
               summary={"name": name, "scopes": key.scopes, "rate_limit": rate_limit})
    return key, raw


def update_api_key(*, actor, key: ApiKey, scopes: list[str], rate_limit: int | None) -> ApiKey:
    """Change what a key may do and how often; the next call with the key obeys (keys are read
    on every call)."""
    ensure_can(actor, "apikey.manage", key.agency)
    scopes = _clean_scopes(scopes)
    rate_limit = _clean_rate_limit(rate_limit)
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if not key.is_active:
            raise StateError("Khóa API đã bị thu hồi, không sửa được nữa.")
        before = {"scopes": key.scopes, "rate_limit": key.rate_limit}
        key.scopes, key.rate_limit = scopes, rate_limit
        key.save(update_fields=["scopes", "rate_limit"])
        record(actor, "apikey.updated", key, agency=key.agency,
               summary={"before": before, "after": {"scopes": scopes, "rate_limit": rate_limit}})
    return key


def revoke_api_key(*, actor, key: ApiKey) -> ApiKey:
    ensure_can(actor, "apikey.manage", key.agency)
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if not key.is_active:
            return key
        key.is_active = False
        key.save(update_fields=["is_active"])
        record(actor, "apikey.revoked", key, agency=key.agency)
    return key

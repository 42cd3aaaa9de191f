"""The one list shape of the API: `?limit=&offset=`, answering `{"items": [...], "count": N}`."""

from __future__ import annotations

from ninja import Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import Field

from egov.core.limits import MAX_OFFSET, MAX_PAGE_SIZE

LIMIT_DESCRIPTION = f"Số mục tối đa trả về (1–{MAX_PAGE_SIZE})."
OFFSET_DESCRIPTION = f"Bỏ qua bao nhiêu mục đầu (0–{MAX_OFFSET:,}).".replace(",", ".")


def limit_field(default: int = MAX_PAGE_SIZE):
    return Field(default, ge=1, le=MAX_PAGE_SIZE, description=LIMIT_DESCRIPTION)


def offset_field():
    return Field(0, ge=0, le=MAX_OFFSET, description=OFFSET_DESCRIPTION)


class Page(LimitOffsetPagination):
    """Ninja's limit/offset pagination with both bounded: an offset past 2^63 overflowed the
    database's integers (500)."""

    class Input(Schema):
        limit: int = limit_field()
        offset: int = offset_field()

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)

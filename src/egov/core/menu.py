"""The staff menu: each app lists its entries in `<app>/menu.py` as `MENU = [MenuItem(...)]`.

`org.access.menu_for` shows a user the entries whose permission they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from egov.core.registry import egov_modules


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    permission: str | None = None  # None: every signed-in official; "citizen": citizens only
    order: int = 100


@lru_cache(maxsize=1)
def all_items() -> tuple[MenuItem, ...]:
    items: list[MenuItem] = []
    for module in egov_modules("menu"):
        items.extend(getattr(module, "MENU", ()))
    return tuple(sorted(items, key=lambda item: (item.order, item.label)))

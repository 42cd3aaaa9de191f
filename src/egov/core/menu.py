"""The staff menu: each app lists its entries in `<app>/menu.py` as `MENU = [MenuItem(...)]`.

A user sees an entry only when they hold its permission, so the menu never offers a page that
would answer "forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, reverse

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


def menu_for(user) -> list[dict]:
    from egov.org.permissions import can

    entries = []
    is_official = getattr(user, "is_official", False)
    for item in all_items():
        if item.permission == "citizen":
            if is_official:
                continue
        elif not is_official:
            continue
        elif item.permission and not can(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append({"label": item.label, "url": url, "name": item.url_name})
    return entries

"""The staff menu: each app lists its entries in `<app>/menu.py` as `MENU = [MenuItem(...)]`.

`org.access.menu_for` shows a user the entries whose permission they hold. An app may also give
`counts(user) -> {"<app>.<name>": int}`: the work waiting for the user (the home page's figures),
which an entry shows as a badge by naming one in `badge`.
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
    # Keys of work_counts(user), summed and shown next to the label when not zero.
    badge: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def all_items() -> tuple[MenuItem, ...]:
    items: list[MenuItem] = []
    for module in egov_modules("menu"):
        items.extend(getattr(module, "MENU", ()))
    return tuple(sorted(items, key=lambda item: (item.order, item.label)))


def work_counts(user) -> dict[str, int]:
    """Every app's counts of the work waiting for `user` (each app's `menu.counts`), once per
    request: the menu on every staff page and the home page read them, so they are kept on the
    request's user object (a new one each request)."""
    counts = getattr(user, "_work_counts", None)
    if counts is None:
        counts = {}
        for module in egov_modules("menu"):
            provider = getattr(module, "counts", None)
            if provider is not None:
                counts.update(provider(user))
        user._work_counts = counts
    return counts

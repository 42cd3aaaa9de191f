"""The staff menu: each app lists its entries in `<app>/menu.py` as `MENU = [MenuItem(...)]`.

`org.access.menu_for` shows a user the entries whose permission they hold. An app may also give
`counts(user) -> {"<app>.<name>": queryset}`: the work waiting for the user (the home page's
figures), which an entry shows as a badge by naming keys in `badge`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from egov.core.counting import count_each
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
    """Every app's counts of the work waiting for `user` (each app's `menu.counts` querysets),
    counted in ONE statement once per request: the menu on every staff page and the home page
    read them, so they are kept on the request's user object (a new one each request)."""
    counts = getattr(user, "_work_counts", None)
    if counts is None:
        querysets = {}
        for module in egov_modules("menu"):
            provider = getattr(module, "counts", None)
            if provider is not None:
                querysets.update(provider(user))
        counts = count_each(**querysets)
        user._work_counts = counts
    return counts


@dataclass(frozen=True)
class Figure:
    """A figure of the staff home page (/can-bo/): the sum of some work_counts keys, linking to the
    list they count. Apps list theirs in `<app>/menu.py` as `FIGURES`; a user sees those whose
    keys their counts hold (their roles give them that work)."""

    label: str
    keys: tuple[str, ...]
    url_name: str
    query: str = ""
    order: int = 100
    late: bool = False  # shown in red when not zero
    name: str = ""  # names it on the page (data-figure); its first key by default


@lru_cache(maxsize=1)
def all_figures() -> tuple[Figure, ...]:
    figures: list[Figure] = []
    for module in egov_modules("menu"):
        figures.extend(getattr(module, "FIGURES", ()))
    return tuple(sorted(figures, key=lambda figure: figure.order))

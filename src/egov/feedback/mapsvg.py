"""A schematic map (sơ đồ) of the province's communes and wards for the feedback form.

We ship no boundaries, only the units' codes and names, so the map is a cartogram: one square
tile a unit, in code order (codes follow the official geography roughly, neighbours get near
codes), each labelled with its name's initials and titled with the whole name. Tapping a tile
picks the unit and the point (`map_x`, `map_y`: 0–1 across the whole drawing); feedback.js does
that, and without JavaScript the page keeps the unit select alone (the map stays hidden).

The SVG is the same for every visitor of a province, so it is rendered once per set of units.
"""

from __future__ import annotations

import math
from functools import lru_cache

from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from egov.core.errors import DomainError
from egov.org.models import AdministrativeUnit

TILE = 40
GAP = 4
# Words that name the kind of unit, not the unit: left out of the tile's initials.
KIND_WORDS = {"phường", "xã", "đặc", "khu", "thị", "trấn"}


def province() -> AdministrativeUnit | None:
    """The province the portal serves: that of the receiving office (selectors.receiving_office)."""
    from egov.feedback import selectors

    try:
        office = selectors.receiving_office()
    except (DomainError, ObjectDoesNotExist):  # no office yet (an empty database): no map, no units
        return None
    unit = getattr(office, "unit", None)
    while unit is not None and unit.level != AdministrativeUnit.Level.PROVINCE:
        unit = unit.parent
    return unit


def province_units(of: AdministrativeUnit | None = None):
    """The communes and wards of the province, in code order (a queryset; empty without a province)."""
    of = of if of is not None else province()
    if of is None:
        return AdministrativeUnit.objects.none()
    return AdministrativeUnit.objects.filter(parent=of, level=AdministrativeUnit.Level.COMMUNE).order_by("code")


def initials(name: str) -> str:
    words = [w for w in name.split() if w.lower() not in KIND_WORDS] or name.split()
    if len(words) == 1:
        return words[0][:3]
    return "".join(w[0] for w in words[:3]).upper()


def grid(count: int) -> tuple[int, int]:
    """Columns and rows for `count` tiles: about square, so that on a 360 px phone a tile of a
    province of some forty units stays near a thumb's 44 px (6 × 7 for Huế's 40 units)."""
    if count <= 0:
        return 0, 0
    cols = max(1, min(count, math.ceil(math.sqrt(count * 0.9))))
    return cols, math.ceil(count / cols)


def render(units) -> SafeString:
    """The map's SVG for `units` (AdministrativeUnit rows, in the order to draw), or "" for none."""
    return _render(tuple((u.pk, u.code, u.name) for u in units))


@lru_cache(maxsize=8)
def _render(units: tuple[tuple[int, str, str], ...]) -> SafeString:
    if not units:
        return mark_safe("")
    cols, rows = grid(len(units))
    step = TILE + GAP
    width, height = cols * step - GAP, rows * step - GAP
    tiles = []
    for index, (pk, code, name) in enumerate(units):
        x, y = (index % cols) * step, (index // cols) * step
        tiles.append(
            f'<g class="fb-tile" data-unit="{pk}" data-code="{escape(code)}" data-name="{escape(name)}">'
            f"<title>{escape(name)}</title>"
            f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="4"/>'
            f'<text x="{x + TILE / 2:g}" y="{y + TILE / 2 + 4:g}" text-anchor="middle">{escape(initials(name))}</text>'
            "</g>")
    return mark_safe(
        f'<svg class="fb-map" viewBox="0 0 {width} {height}" data-width="{width}" data-height="{height}" '
        f'role="group" aria-label="Sơ đồ các xã, phường" xmlns="http://www.w3.org/2000/svg">'
        + "".join(tiles)
        + '<circle class="fb-marker" r="5" cx="-20" cy="-20"/></svg>')

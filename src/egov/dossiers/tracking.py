"""The public tracking card (tra cứu hồ sơ): what the page shows of a `Tracking`, rendered once
per distinct content.

The page is the busiest public HTML path, and Django's `date` filter and template loop cost more
than the two queries behind it (docs/benchmarks.md). So the view turns the `Tracking` into a
`Card` of ready strings (local dates formatted once, in Python) and the card's HTML comes from a
small per-process LRU keyed by the card itself. The card is the template's whole input: a changed
dossier, a new step, the overdue flag flipping or another time zone is another card, hence another
entry, never a stale one. The fragment is rendered without the request (no user, CSRF token or
messages), so an entry holds nothing that belongs to one visitor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from egov.core.ratelimit import check_rate
from egov.dossiers.models import Dossier
from egov.dossiers.selectors import Tracking

TEMPLATE = "dossiers/_tracking.html"
PAGE_TEMPLATE = "dossiers/track.html"
# About 5 KB a card (its key and HTML, measured): 1,024 cards keep a worker within 5 MB. At 4,096
# the cache filling was most of the growth the 10-minute soak measured (20 MB a worker); lookups of
# codes nobody asked for lately miss it either way, while citizens checking again still hit it.
CACHED_CARDS = 1024


@dataclass(frozen=True)
class Step:
    name: str
    agency: str
    started_at: str
    due_at: str
    finished_at: str
    action: str


@dataclass(frozen=True)
class Card:
    code: str
    status_label: str
    overdue: bool
    procedure_code: str
    procedure_name: str
    agency_name: str
    received_at: str
    due_at: str
    resolved_at: str
    outcome_label: str
    returned_at: str
    steps: tuple[Step, ...]
    waiting: bool = False  # filed online, not yet accepted (chờ tiếp nhận): no legal clock yet
    submitted_at: str = ""


def check_tracking_rate(client: str) -> None:
    """Count one lookup by `client` (web, API and SMS share the budget, EGOV_RATE_TRACKING);
    RateLimited past it. Dossier codes are sequential per agency and day: this slows guessing."""
    rate = settings.RATE_TRACKING
    if rate is not None:
        check_rate("tracking", client, limit=rate.limit, window=rate.window)


def card_of(result: Tracking) -> Card:
    zone = timezone.get_current_timezone()

    def local(value: dt.datetime | None) -> str:
        # The same text as `{{ value|date:"d/m/Y H:i" }}`: the active time zone, empty for none.
        return value.astimezone(zone).strftime("%d/%m/%Y %H:%M") if value is not None else ""

    return Card(
        code=result.code, status_label=str(result.status_label), overdue=result.overdue,
        procedure_code=result.procedure_code, procedure_name=result.procedure_name,
        agency_name=result.agency_name, received_at=local(result.received_at), due_at=local(result.due_at),
        resolved_at=local(result.resolved_at), outcome_label=str(result.outcome_label),
        returned_at=local(result.returned_at),
        steps=tuple(Step(s.name, s.agency, local(s.started_at), local(s.due_at), local(s.finished_at), s.action)
                    for s in result.steps),
        waiting=result.status == Dossier.Status.SUBMITTED,
        submitted_at=local(result.submitted_at) if result.status == Dossier.Status.SUBMITTED else "")


def render_card(card: Card) -> SafeString:
    """The card's HTML, without the cache: what every cached entry must equal."""
    return mark_safe(get_template(TEMPLATE).render({"card": card}))


_cached_card = lru_cache(maxsize=CACHED_CARDS)(render_card)


def tracking_html(result: Tracking) -> SafeString:
    """The tracking result's HTML for the public page (the same for every visitor)."""
    return _cached_card(card_of(result))


def render_page(request, code: str, result: Tracking | None, *, refused: str = "") -> str:
    """The whole tracking page, rendered for this request (`refused`: why the lookup was not made)."""
    return render_to_string(PAGE_TEMPLATE, {"code": code, "result": result, "refused": refused,
                                            "tracking": tracking_html(result) if result else ""}, request=request)


# Markers standing for the searched code and the card while the anonymous layout is rendered.
_CODE, _CARD = "\x00egov-code\x00", "\x00egov-card\x00"
_shells: dict[tuple, tuple[str, str, str] | None] = {}


def page_for_anonymous(request, code: str, result: Tracking) -> str:
    """The page of a found dossier for a visitor who is not signed in and has no message waiting.

    That page is the same for every such visitor (base.html gives anonymous pages no CSRF token),
    so the layout around the search box's value and the card is rendered once per process and
    language, and each request puts in the two: what `render_page` gives, at a fraction of the
    cost (tests compare the two for several dossiers, the layout built from another code's request).
    """
    key = (translation.get_language(), settings.SITE_NAME, settings.DEMO_MODE)
    if key not in _shells:
        html = render_to_string(PAGE_TEMPLATE, {"code": _CODE, "result": True, "tracking": mark_safe(_CARD)},
                                request=request)
        head, found, rest = html.partition(_CODE)
        middle, found_card, tail = rest.partition(_CARD)
        # A layout that shows the code twice, or not at all, is rendered whole instead.
        ok = found and found_card and _CODE not in rest and _CARD not in tail
        _shells[key] = (head, middle, tail) if ok else None
    shell = _shells[key]
    if shell is None:
        return render_page(request, code, result)
    return shell[0] + escape(code) + shell[1] + tracking_html(result) + shell[2]

"""Near-duplicate feedback (phản ánh trùng lặp), suggested to a sender before sending.

Ten people report the same pothole: the sender is shown the reports already made at the same
place with similar words, and may follow one of them instead of sending another. A report is
suggested only if it could be published anyway: open or answered, the sender agreed to publish,
and a moderator has neither hidden it nor made it private.

Cheap by construction: the candidates are the newest reports of one administrative unit in the
last 90 days, read along the index `feedback_unit_created` (unit, created_at) and capped at
CANDIDATES rows; the words are compared in Python. A report without a unit is compared by its
folded address among the newest reports without a unit (the same index, unit IS NULL).
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import pairwise

from django.utils import timezone

from egov.core.text import fold
from egov.feedback.models import Feedback
from egov.org.models import AdministrativeUnit

WINDOW_DAYS = 90
CANDIDATES = 200
# Half the Dice coefficient of the subjects' terms plus half that of the whole texts (words and
# word pairs, the place's own words left out): from it, "probably the same".
THRESHOLD = 0.3
# Only the start of a long content is compared: the subject and the first lines say what it is about.
_CONTENT_CHARS = 600
_WORD = re.compile(r"[a-z0-9]+")
# Folded syllables too common in any Vietnamese sentence to say anything about the subject.
STOP_WORDS = frozenset("""
a ai anh ban bi bo cac cach cho chi chua co con cua da dang de den di do duoc gi gium hay hien
kien khi khong la lai lam len luc ma minh mot nay neu nghi ngay nhieu nhu nhung noi o phan phai
qua ra rang rat roi sao se tai thi theo thu tren trong tu tuy va van ve vi viec voi vui xin
""".split())
_SUGGESTABLE = (Feedback.Status.NEW, Feedback.Status.ASSIGNED, Feedback.Status.REVIEW, Feedback.Status.ANSWERED)


def terms(text: str) -> frozenset[str]:
    """The folded words of `text` that carry meaning, and each pair of neighbours ("o ga",
    "den duong": Vietnamese words are often two syllables)."""
    words = _WORD.findall(fold(text))
    meaningful = frozenset(w for w in words if w not in STOP_WORDS and (len(w) > 1 or w.isdigit()))
    pairs = frozenset(f"{a} {b}" for a, b in pairwise(words)
                      if a not in STOP_WORDS or b not in STOP_WORDS)
    return meaningful | pairs


def score(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def address_key(address: str) -> str:
    return " ".join(_WORD.findall(fold(address)))


def _unit(unit) -> AdministrativeUnit | None:
    if unit is None or unit == "":
        return None
    if isinstance(unit, AdministrativeUnit):
        return unit
    lookup = {"pk": unit} if isinstance(unit, int) else {"code": str(unit)}
    # An unknown unit matches nothing rather than everything.
    return AdministrativeUnit.objects.filter(**lookup).first() or AdministrativeUnit(pk=0, name="")


class _Text:
    """One report's terms: of its subject, and of its subject with the start of its content."""

    def __init__(self, subject: str, content: str):
        self.subject = terms(subject or "")
        self.whole = self.subject | terms((content or "")[:_CONTENT_CHARS])

    def likeness(self, other: _Text, place: frozenset[str]) -> float:
        # The street named in every report at that place says nothing about what is wrong there.
        return (score(self.subject - place, other.subject - place)
                + score(self.whole - place, other.whole - place)) / 2


def similar(*, subject: str, content: str, unit=None, address: str = "", limit: int = 5,
            exclude=None) -> list[Feedback]:
    """Reports like this one at the same place (`unit`: AdministrativeUnit, id or code; else the
    same `address` once folded), most alike first, then newest; at most `limit`.

    `exclude`: a feedback (or its id) left out, for staff looking for the original of one."""
    unit = _unit(unit)
    unit_id = unit.pk if unit is not None else None
    key = address_key(address)
    if limit <= 0 or (unit_id is None and not key):
        return []
    place = terms(address) | terms(unit.name if unit is not None else "")
    wanted = _Text(subject, content)
    if not wanted.whole - place:
        return []
    since = timezone.now() - dt.timedelta(days=WINDOW_DAYS)
    candidates = Feedback.objects.filter(created_at__gte=since)
    candidates = (candidates.filter(unit_id=unit_id) if unit_id is not None
                  else candidates.filter(unit__isnull=True))
    candidates = (candidates.filter(status__in=_SUGGESTABLE, publish_consent=True, is_hidden=False,
                                    is_private=False)
                  .only("id", "code", "subject", "content", "status", "created_at", "unit_id", "address",
                        "answered_at", "agency_id")
                  .order_by("-created_at", "-id"))
    if exclude is not None:
        candidates = candidates.exclude(pk=getattr(exclude, "pk", exclude))
    ranked, places = [], {}
    for feedback in candidates[:CANDIDATES]:
        if unit_id is None and address_key(feedback.address) != key:
            continue
        if feedback.address not in places:  # the reports of a street mostly share its address
            places[feedback.address] = place | terms(feedback.address)
        alike = wanted.likeness(_Text(feedback.subject, feedback.content), places[feedback.address])
        if alike >= THRESHOLD:
            ranked.append((alike, feedback))
    # The list is already newest first, and sort is stable: equal scores stay newest first.
    ranked.sort(key=lambda pair: -pair[0])
    return [feedback for _, feedback in ranked[:limit]]

"""Feedback codes (mã phản ánh): `PA-<yymmdd>-<daily sequence, 4 digits or more>`, by the local day.

One counter row per day for the whole province (feedback is numbered before it is routed), taken
with the same single upsert as dossier codes (`core.counters`): gapless, never repeated, and a
rolled-back submission gives its number back.
"""

from __future__ import annotations

import datetime as dt
import re

from egov.core.counters import next_value
from egov.feedback.models import DailyCounter

PREFIX = "PA"
CODE_RE = re.compile(r"^PA-\d{6}-\d{4,}$")


def next_feedback_code(day: dt.date) -> str:
    """The next code for `day`; call inside the transaction that stores it."""
    return format_code(day, next_value(DailyCounter, day=day))


def format_code(day: dt.date, seq: int) -> str:
    return f"{PREFIX}-{day:%y%m%d}-{seq:04d}"


def normalized(code: str) -> str:
    """A code as typed (spaces, lower case) in the form it is stored."""
    return re.sub(r"\s+", "", code or "").upper()[:30]

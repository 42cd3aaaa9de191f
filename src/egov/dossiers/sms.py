"""SMS commands about dossiers: `TRACUU <code>` (also "TRA CUU", any case, with or without
diacritics) answers with the dossier's status in one short unaccented message."""

from __future__ import annotations

import re

from django.utils import timezone

from egov.core.text import fold
from egov.dossiers import selectors

_COMMAND = re.compile(r"^\s*tra\s*cuu\b[\s:,.-]*(?P<code>\S*)", re.IGNORECASE)
HELP = "De tra cuu ho so, soan: TRACUU <ma ho so>, vi du TRACUU 000.00.12.H57-261124-0007"


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


def reply_for(text: str) -> str:
    """The reply to an inbound SMS; <= 160 characters for every status with a typical code."""
    match = _COMMAND.match(fold(text))
    if not match:
        return HELP
    code = match.group("code").strip().upper()
    if not code:
        return HELP
    tracking = selectors.track(code)
    if tracking is None:
        return f"Khong tim thay ho so {code[:40]}. Kiem tra ma tren giay tiep nhan va soan lai: TRACUU <ma ho so>"
    status = fold(tracking.status_label).capitalize()
    parts = [f"Ho so {tracking.code}: {status}"]
    if tracking.resolved_at:
        parts.append(f"co ket qua {_date(tracking.resolved_at)}")
    elif tracking.due_at:
        parts.append(f"hen tra {_date(tracking.due_at)}" + (" (qua han)" if tracking.overdue else ""))
    return ", ".join(parts) + "."

"""SMS commands about dossiers: `TRACUU <code>` (also "TRA CUU", any case, with or without
diacritics) answers with the dossier's status in one short unaccented message."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from egov.core.ratelimit import RateLimited
from egov.core.text import fold
from egov.core.texting import normalize_phone, receive_text, send_text
from egov.dossiers import selectors, tracking

_COMMAND = re.compile(r"^\s*tra\s*cuu\b[\s:,.-]*(?P<code>\S*)", re.IGNORECASE)
HELP = "De tra cuu ho so, soan: TRACUU <ma ho so>, vi du TRACUU 000.00.12.H57-261124-0007"


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


def answer(phone: str, text: str) -> str:
    """Keep an inbound SMS and send the reply, both filed under the agency of the dossier asked
    about (whose staff may read them); a message about no dossier only system administrators read."""
    reply, found = _reply(phone, text)
    owner = {"agency_id": found.agency_id, "dossier_id": found.dossier_id} if found else {}
    with transaction.atomic():
        receive_text(phone, text, **owner)
        send_text(phone, reply, **owner)
    return reply


def _reply(phone: str, text: str) -> tuple[str, selectors.Tracking | None]:
    """The reply to an inbound SMS (<= 160 characters for every status with a typical code) and
    the dossier it is about, if any. Lookups count against the sender's tracking limit."""
    match = _COMMAND.match(fold(text))
    if not match:
        return HELP, None
    code = match.group("code").strip().upper()
    if not code:
        return HELP, None
    try:
        tracking.check_tracking_rate("sms:" + normalize_phone(phone))
    except RateLimited as exc:
        minutes = -(-exc.details["retry_after"] // 60)
        return f"Ban da tra cuu qua nhieu lan. Vui long thu lai sau {minutes} phut.", None
    found = selectors.track(code)
    if found is None:
        return f"Khong tim thay ho so {code[:40]}. Kiem tra ma tren giay tiep nhan va soan lai: TRACUU <ma ho so>", None
    status = fold(found.status_label).capitalize()
    parts = [f"Ho so {found.code}: {status}"]
    if found.resolved_at:
        parts.append(f"co ket qua {_date(found.resolved_at)}")
    elif found.due_at:
        parts.append(f"hen tra {_date(found.due_at)}" + (" (qua han)" if found.overdue else ""))
    return ", ".join(parts) + ".", found

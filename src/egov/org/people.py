"""Citizen and business lookup by ID number (tra cứu công dân, doanh nghiệp theo số định danh),
for other agencies' systems holding the `people:read` scope.

What is returned, and why: accounts belong to the instance, not to an agency (a citizen files
with any agency under one account), so every `people:read` key sees the same answer and the
scope is the boundary; what a key's agency handles for the person (dossiers) stays behind the
dossier API and its own scopes. An answer confirms the person has an account here and names
it (the caller already holds the ID number); the phone and email are masked (enough to tell a
citizen "the account with 09xx…678" without handing out contact data); the address is left out.
Every lookup is audited with the key's name and the number asked, found or not.
"""

from __future__ import annotations

from django.db import transaction

from egov.core.audit import record
from egov.org.models import User
from egov.org.permissions import ensure_can

PERSON_KINDS = (User.Kind.CITIZEN, User.Kind.BUSINESS)


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    return phone[:3] + "*" * max(len(phone) - 6, 1) + phone[-3:] if len(phone) > 6 else "*" * len(phone)


def mask_email(email: str) -> str | None:
    if not email or "@" not in email:
        return None
    local, domain = email.rsplit("@", 1)
    return (local[:2] if len(local) > 2 else local[:1]) + "***@" + domain


def look_up(*, actor, id_number: str) -> list[User]:
    """The citizen and business accounts registered with `id_number` (usually one; the number
    is not unique across accounts), the lookup audited either way."""
    ensure_can(actor, "people.lookup")
    id_number = id_number.strip()
    accounts = list(User.objects.filter(identity_number=id_number, kind__in=PERSON_KINDS).order_by("date_joined"))
    with transaction.atomic():
        record(actor, "people.looked_up", agency=getattr(actor, "acting_agency", None),
               object_type="org.person", object_id=id_number,
               summary={"client": getattr(actor, "name", None) or getattr(actor, "display_name", ""),
                        "id_number": id_number, "found": len(accounts)})
    return accounts

from __future__ import annotations

from django.db.models import Q

from egov.core.models import AuditEntry
from egov.core.text import fold
from egov.org.permissions import visible_agencies
from egov.org.roles import Role


def audit_entries_for(actor, *, query: str = "", action: str = ""):
    """Audit entries the actor may read: their agencies' (system-wide ones for system admins)."""
    entries = AuditEntry.objects.select_related("agency").order_by("-at", "-id")
    scope = Q(agency__in=visible_agencies(actor))
    if Role.SYSTEM_ADMIN in actor.role_codes():
        scope |= Q(agency__isnull=True)
    entries = entries.filter(scope)
    if action:
        entries = entries.filter(action=action)
    if query:
        folded = fold(query)
        entries = entries.filter(Q(object_repr__icontains=query) | Q(actor_label__icontains=query)
                                 | Q(object_id=query) | Q(action__icontains=folded))
    return entries

from __future__ import annotations

from django.db.models import Q

from egov.core.errors import NotFound
from egov.core.models import AuditEntry
from egov.core.text import fold, search_terms
from egov.org.models import Agency, Department, Official
from egov.org.permissions import visible_agencies
from egov.org.roles import Role


def search_agencies(query: str = ""):
    """Active agencies whose name, short name or code matches every word (diacritics ignored)."""
    agencies = Agency.objects.filter(is_active=True).select_related("parent").order_by("path")
    for term in search_terms(query):
        agencies = agencies.filter(Q(name_folded__contains=term) | Q(code__icontains=term)
                                   | Q(short_name__iexact=term))
    return agencies


def officials_visible_to(actor, query: str = ""):
    officials = (Official.objects.filter(agency__in=visible_agencies(actor))
                 .select_related("user", "agency", "department").prefetch_related("role_assignments")
                 .order_by("agency__path", "user__full_name"))
    for term in search_terms(query):
        officials = officials.filter(Q(user__username__icontains=term) | Q(user__full_name__icontains=term)
                                     | Q(position__icontains=term) | Q(agency__name_folded__contains=term))
    return officials


def official_visible_to(actor, pk: int) -> Official:
    """One official the actor administers; NotFound (404) outside their agencies, so another
    agency's staff are not even confirmed to exist."""
    official = officials_visible_to(actor).filter(pk=pk).first()
    if official is None:
        raise NotFound("Không tìm thấy cán bộ.")
    return official


def agency_visible_to(actor, pk: int) -> Agency:
    agency = visible_agencies(actor).filter(pk=pk).first()
    if agency is None:
        raise NotFound("Không tìm thấy cơ quan.")
    return agency


def department_visible_to(actor, pk: int) -> Department:
    department = Department.objects.select_related("agency").filter(
        pk=pk, agency__in=visible_agencies(actor)).first()
    if department is None:
        raise NotFound("Không tìm thấy phòng ban.")
    return department


def calendar_exceptions_for(actor, year: int):
    """The year's calendar exceptions the actor sees: national ones and their agencies'."""
    from egov.core.models import CalendarException

    return (CalendarException.objects.filter(date__year=year)
            .filter(Q(agency__isnull=True) | Q(agency__in=visible_agencies(actor)))
            .select_related("agency").order_by("date", "agency__path"))


def agency_by_code(code: str) -> Agency | None:
    return Agency.objects.filter(code=code).first()


def agencies_by_codes(codes) -> list[Agency]:
    """The agencies with these identifier codes; NotFound naming every code that matches none."""
    agencies = list(Agency.objects.filter(code__in=codes))
    missing = set(codes) - {a.code for a in agencies}
    if missing:
        raise NotFound("Không tìm thấy cơ quan: " + ", ".join(sorted(missing)))
    return agencies


__all__ = ["agencies_by_codes", "agency_by_code", "agency_visible_to", "audit_entries_for",
           "calendar_exceptions_for", "department_visible_to", "fold", "official_visible_to",
           "officials_visible_to", "search_agencies"]


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

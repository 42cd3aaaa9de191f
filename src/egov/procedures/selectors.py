"""Reads of the procedures catalogue shared by the pages, the API, the dossiers app and the CLI."""

from __future__ import annotations

from django.db.models import Prefetch

from egov.core.text import search_terms
from egov.org.models import Agency
from egov.procedures.models import (
    AgencyProcedure,
    Field,
    Procedure,
    Process,
    ProcessStep,
)

TRUE_WORDS = {"1", "true", "yes", "co", "có", "on"}
FALSE_WORDS = {"0", "false", "no", "khong", "không", "off"}


def _field(value) -> Field | bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, Field):
        return value
    return Field.objects.filter(code=str(value)).first() or False


def _agency(value) -> Agency | bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, Agency):
        return value
    return Agency.objects.filter(code=str(value)).first() or False


def search_procedures(q: str | None = "", field=None, agency=None, level: str | None = None,
                      online: str | bool | None = None, *, active_only: bool = True):
    """Procedures matching every word of `q` (diacritics ignored; the code matches too).

    `field` and `agency` are objects or codes; an unknown code matches nothing. `level` is
    "province" or "commune". `online`: True/"1" for procedures filed online, False/"0" for the
    others, or an online service type ("full", "partial", "none").
    """
    procedures = Procedure.objects.select_related("field")
    if active_only:
        procedures = procedures.filter(is_active=True)
    for term in search_terms(q):
        procedures = procedures.filter(name_folded__contains=term)
    field, agency = _field(field), _agency(agency)
    if field is False or agency is False:
        return procedures.none()
    if field is not None:
        procedures = procedures.filter(field=field)
    if agency is not None:
        procedures = procedures.filter(agency_links__agency=agency, agency_links__is_active=True)
    if level:
        if level not in Procedure.Level.values:
            return procedures.none()
        # JSON list of level codes; the codes do not contain one another, so a text match is exact.
        procedures = procedures.filter(levels__icontains=f'"{level}"')
    if online is not None and online != "":
        word = str(online).strip().lower() if not isinstance(online, bool) else ("1" if online else "0")
        if word in Procedure.OnlineService.values:
            procedures = procedures.filter(online_service=word)
        elif word in TRUE_WORDS:
            procedures = procedures.exclude(online_service=Procedure.OnlineService.NONE)
        elif word in FALSE_WORDS:
            procedures = procedures.filter(online_service=Procedure.OnlineService.NONE)
        else:
            return procedures.none()
    return procedures.order_by("field__name", "name", "code")


def procedure_by_code(code: str, *, active_only: bool = True) -> Procedure | None:
    procedures = Procedure.objects.select_related("field").prefetch_related("papers", "fees")
    if active_only:
        procedures = procedures.filter(is_active=True)
    return procedures.filter(code=code).first()


def _steps():
    return Prefetch("steps", queryset=ProcessStep.objects.order_by("order"))


def process_for(procedure: Procedure, agency: Agency | None) -> Process | None:
    """The process a dossier of `procedure` follows in `agency`: the agency's own, else the default."""
    processes = Process.objects.filter(procedure=procedure).prefetch_related(_steps())
    if agency is not None:
        own = processes.filter(agency=agency).first()
        if own is not None:
            return own
    return processes.filter(agency__isnull=True).first()


def agencies_for(procedure: Procedure):
    """Active agencies handling the procedure, each flagged with whether it has its own process."""
    links = (AgencyProcedure.objects.filter(procedure=procedure, is_active=True, agency__is_active=True)
             .select_related("agency").order_by("agency__path"))
    own = set(Process.objects.filter(procedure=procedure, agency__isnull=False).values_list("agency_id", flat=True))
    agencies = []
    for link in links:
        link.agency.has_own_process = link.agency_id in own
        agencies.append(link.agency)
    return agencies


def agency_handles(agency: Agency, procedure: Procedure) -> bool:
    return AgencyProcedure.objects.filter(agency=agency, procedure=procedure, is_active=True).exists()


def fields_in_use():
    """Fields with at least one active procedure, for filters."""
    return Field.objects.filter(procedures__is_active=True).distinct().order_by("name")


def agencies_with_procedures():
    return (Agency.objects.filter(is_active=True, procedure_links__is_active=True).distinct().order_by("path"))


def procedures_for_manager(actor, q: str = "", agency=None):
    """The catalogue as seen on the staff page, with which of the actor's agencies handle each."""
    procedures = search_procedures(q, agency=agency, active_only=False)
    return procedures.prefetch_related(
        Prefetch("agency_links", queryset=AgencyProcedure.objects.filter(is_active=True).select_related("agency"),
                 to_attr="active_links"))


__all__ = [
    "agencies_for",
    "agencies_with_procedures",
    "agency_handles",
    "fields_in_use",
    "procedure_by_code",
    "procedures_for_manager",
    "process_for",
    "search_procedures",
]

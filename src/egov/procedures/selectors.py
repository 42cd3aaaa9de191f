"""Reads of the procedures catalogue shared by the pages, the API, the dossiers app and the CLI."""

from __future__ import annotations

import difflib
import functools
import operator
import re
from collections import Counter

from django.db.models import Case, CharField, F, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Concat, Replace

from egov.core.text import fold, search_terms
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
    """Procedures matching the words of `q`, best first (diacritics ignored; the code matches too):
    see `_ranked`.

    `field` and `agency` are objects or codes; an unknown code matches nothing. `level` is
    "province" or "commune". `online`: True/"1" for procedures filed online, False/"0" for the
    others, or an online service type ("full", "partial", "none").
    """
    procedures = Procedure.objects.select_related("field")
    if active_only:
        procedures = procedures.filter(is_active=True)
    terms = search_terms(q)
    if terms:
        procedures = _ranked(procedures, terms)
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
    if terms:
        return procedures.order_by("-search_matched", "-search_phrase", "-search_words", "name", "code")
    return procedures.order_by("field__name", "name", "code")


GLUED = 5  # shorter words written together are rare, and short ones match inside too much


def _ranked(procedures, terms: list[str]):
    """Rank by the words matched instead of requiring all of them (tìm kiếm xếp hạng): a name is
    listed when it holds at least half of the words (rounded up, so one stray or mistyped word
    does not empty the list, while a common word alone, "cấp", "thủ tục", does not list the whole
    catalogue), the most words first, then names holding the words as one run, then whole words
    over the start of a word ("con" the word before "công"). A word matches where a word of the
    name starts with it (not inside one: "hai" is not in "khai"); one of GLUED letters or more also
    matches the name with its spaces taken out, so "khaisinh" finds "khai sinh". The catalogue is a few thousand rows: these
    LIKEs over the folded name cost less than a separate index would to keep."""
    name = F("name_folded")
    procedures = procedures.annotate(
        search_padded=Concat(Value(" "), name, Value(" "), output_field=CharField()),
        search_compact=Replace(name, Value(" "), Value(""), output_field=CharField()))
    hits, words = [], []
    for term in terms:
        hit = Q(search_padded__contains=f" {term}")  # a word starting with it: "khai si", "1.0011"
        if len(term) >= GLUED:
            hit |= Q(search_compact__contains=term)
        hits.append(Case(When(hit, then=1), default=0, output_field=IntegerField()))
        words.append(Case(When(search_padded__contains=f" {term} ", then=1), default=0, output_field=IntegerField()))
    phrase = "".join(terms)
    return (procedures.annotate(
        search_matched=functools.reduce(operator.add, hits),
        search_words=functools.reduce(operator.add, words),
        search_phrase=Case(When(search_compact__contains=phrase, then=1), default=0, output_field=IntegerField()))
        .filter(search_matched__gte=(len(terms) + 1) // 2))


_WORD = re.compile(r"[\w.]+")


def suggest_query(q: str | None) -> str:
    """A query to offer when `q` finds nothing (gợi ý tìm kiếm): each word that is in no procedure
    name replaced by the closest word of the catalogue, or two adjacent words when it is them
    written as one ("khaisihn" -> "khai sinh"), with its diacritics; "" when there is nothing
    better to offer. Runs only on an empty result, so it reads the names then."""
    terms = search_terms(q)
    if not terms:
        return ""
    spelled: dict[str, Counter] = {}  # folded word or glued pair -> its spellings in names
    for name in Procedure.objects.filter(is_active=True).values_list("name", flat=True).iterator():
        words = _WORD.findall(name.lower())
        folded = [fold(w) for w in words]
        for i, key in enumerate(folded):
            spelled.setdefault(key, Counter())[words[i]] += 1
            if i + 1 < len(words):
                spelled.setdefault(key + folded[i + 1], Counter())[f"{words[i]} {words[i + 1]}"] += 1
    offered, changed = [], False
    for term in terms:
        if term in spelled:
            offered.append(spelled[term].most_common(1)[0][0])
            continue
        # Two letters swapped in a short word ("hno") are a third of it: a looser bar for those.
        close = difflib.get_close_matches(term, spelled.keys(), n=1, cutoff=0.6 if len(term) <= 4 else 0.75)
        if close:
            offered.append(spelled[close[0]].most_common(1)[0][0])
        changed = True  # replaced, or left out: in no name and like none of their words
    suggestion = " ".join(offered)
    if not changed or not suggestion or not search_procedures(suggestion).exists():
        return ""
    return suggestion


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
    "suggest_query",
]

"""Full-text search over documents: one interface, SQLite FTS5 or PostgreSQL tsvector underneath.

The indexed text is folded (no diacritics, lower case) by `egov.core.text.fold`, and so is the
query, so "quyet dinh" and "Quyết định" find the same documents on both engines.

Speed at a province's ten-year volume (a million documents), whatever the words:
- the filters every search has (the actor's agency, the type, the years) are also tokens in the
  indexed text (`filter_tokens`), so the text index narrows by them itself;
- matches are taken newest first straight from the index and cut at RANK_WINDOW; only that
  window is ranked (bm25 / ts_rank), so the cost is bounded by the window, not by how common a
  word is; the other filters (status, dates, handler, visibility) are indexed columns checked
  on those rows;
- no COUNT(*) over everything: the count is exact up to the window (or COUNT_CAP for searches
  without words) and "more than N" beyond it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection

from egov.core.text import fold, search_terms

COUNT_CAP = 1000
# Matches ranked by relevance: the newest this many (see `run`).
RANK_WINDOW = 1000
# A word of the query: letters and digits; FTS syntax characters are dropped.
_WORD = re.compile(r"[0-9a-z]+")
_SYMBOL = re.compile(r"\d\s*/\s*\w")


def filter_tokens(*, agency_id, type_code: str | None, year: int | None) -> str:
    """Tokens for the filters every search uses, indexed with the words, so the text index
    narrows by agency, type and year itself instead of handing out every match of a common
    word to be checked against the table ("zag12 ztyqd zyr2026"; no user types those)."""
    parts = [f"zag{agency_id}"]
    if type_code:
        parts.append(f"zty{words_only(type_code).replace(' ', '')}")
    if year:
        parts.append(f"zyr{year}")
    return " ".join(parts)


def document_text(document, *, extra_text: str = "") -> str:
    """What a document is found by: its metadata and the text of its files."""
    parts = [document.number_symbol, document.doc_type.name if document.doc_type_id else "",
             document.issuer_name, document.summary, document.signer_name, extra_text]
    tokens = filter_tokens(agency_id=document.agency_id, type_code=document.doc_type.code if document.doc_type_id else None,
                           year=document.issued_on.year if document.issued_on else None)
    return tokens + " " + words_only(" ".join(p for p in parts if p))


def words_only(text: str) -> str:
    """Folded words separated by single spaces. Both engines then see the same tokens:
    PostgreSQL's parser would otherwise read "838/qd-ubnd" as one file-path token."""
    return " ".join(_WORD.findall(fold(text)))


def index_document(document, *, extra_text: str | None = None) -> None:
    """Create or refresh the document's search text (inside the caller's transaction).

    `extra_text` is the files' text; None keeps the text already indexed from its files.
    """
    from egov.documents.models import SearchText

    old = SearchText.objects.filter(pk=document.pk).first()
    if extra_text is None and old is not None:
        extra_text = old.body.split("\x1f", 1)[1] if "\x1f" in old.body else ""
    body = document_text(document) + "\x1f" + words_only(extra_text or "")
    if old is not None and old.body == body:
        return
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            if old is not None:
                # External-content FTS5: a row is removed by giving back its old text.
                cursor.execute("INSERT INTO documents_fts(documents_fts, rowid, body) VALUES('delete', %s, %s)",
                               [document.pk, old.body])
            cursor.execute("INSERT INTO documents_fts(rowid, body) VALUES (%s, %s)", [document.pk, body])
    SearchText.objects.update_or_create(pk=document.pk, defaults={"body": body, "agency_id": document.agency_id})


@dataclass(frozen=True)
class Scope:
    """Filters the text index can apply itself (see filter_tokens); None where not narrowed."""

    agency_id: int | None = None
    type_code: str | None = None
    years: tuple[int, ...] = ()


MAX_YEAR_TOKENS = 6


def fts_query(query: str, scope: Scope | None = None) -> tuple[str, list[str]]:
    """The engine's query for the words of `query` (all must match; the last one as a prefix),
    narrowed by the scope's tokens."""
    words = [w for term in search_terms(query) for w in _WORD.findall(term)]
    if not words:
        return "", words
    sqlite = connection.vendor == "sqlite"
    tokens: list[str] = []
    if scope is not None:
        # SQLite needs the agency inside the FTS query; PostgreSQL's GIN index holds agency_id
        # already, and an extra common token there makes the planner read every match of a
        # common word (bitmap scan) instead of walking the newest documents backwards.
        if scope.agency_id and sqlite:
            tokens.append(f"zag{scope.agency_id}")
        if scope.type_code:
            tokens.append(f"zty{words_only(scope.type_code).replace(' ', '')}")
        if 0 < len(scope.years) <= MAX_YEAR_TOKENS:
            years = [f"zyr{y}" for y in scope.years]
            tokens.append("(" + (" OR " if sqlite else " | ").join(years) + ")" if len(years) > 1 else years[0])
    # Whole words, except the last one which may be half typed ("chuyen doi s"): a prefix on
    # every short word ("ho*" for "hộ") would match half the vocabulary and slow the search.
    # A number and symbol (838/QĐ-UBND) is typed whole, and "ubnd*" would read a huge list.
    prefix = 0 if _SYMBOL.search(query) else 1
    exact, last = (words, []) if not prefix else (words[:-1], words[-1:])
    if sqlite:
        parts = tokens + [f'"{w}"' for w in exact] + [f'"{w}"*' for w in last]
        return " AND ".join(parts), words
    parts = tokens + list(exact) + [f"{w}:*" for w in last]
    return " & ".join(parts), words


@dataclass
class SearchPage:
    """One page of results; `total` is exact up to COUNT_CAP, else None with `more_than`."""

    results: list
    number: int
    per_page: int
    has_next: bool
    total: int | None
    more_than: int | None = None
    words: list[str] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def apply_text(queryset, match: str, words: list[str]):
    """`queryset` narrowed to documents whose text matches (`match` from fts_query)."""
    if connection.vendor == "sqlite":
        # Ordering by the FTS table's own rowid lets FTS5 hand matches out newest first and the
        # LIMIT stop the scan early; ordering by documents_document.id would sort every match.
        return queryset.extra(tables=["documents_fts"], select={"text_id": "documents_fts.rowid"},
                              where=["documents_fts.rowid = documents_document.id", "documents_fts MATCH %s"],
                              params=[match])
    if connection.vendor == "postgresql":
        return queryset.extra(tables=["documents_searchtext"],
                              where=["documents_searchtext.document_id = documents_document.id",
                                     # lets the planner carry the agency filter into the GIN index
                                     "documents_searchtext.agency_id = documents_document.agency_id",
                                     "documents_searchtext.vector @@ to_tsquery('simple', %s)"],
                              params=[match])
    for word in words:  # any other engine: folded text contains every word (correct, not fast)
        queryset = queryset.filter(search_text__body__contains=word)
    return queryset


def rank(ids: list[int], match: str) -> list[int]:
    """`ids` ordered by relevance to `match` (best first; newer first among equals)."""
    if not ids or connection.vendor not in ("sqlite", "postgresql"):
        return ids
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # FTS5 re-runs the whole MATCH for each value of "rowid IN (...)"; a rowid range is
            # one pass. Matches of other agencies inside the range are dropped here.
            wanted = set(ids)
            cursor.execute("SELECT rowid, rank FROM documents_fts WHERE documents_fts MATCH %s "
                           "AND rowid >= %s AND rowid <= %s", [match, min(ids), max(ids)])
            scored = [(score, -rowid) for rowid, score in cursor.fetchall() if rowid in wanted]
            return [-negated for _, negated in sorted(scored)]
        else:
            cursor.execute("SELECT document_id FROM documents_searchtext WHERE document_id = ANY(%s) "
                           "ORDER BY ts_rank(vector, to_tsquery('simple', %s)) DESC, document_id DESC", [ids, match])
        return [row[0] for row in cursor.fetchall()]


def run(queryset, *, query: str = "", page: int = 1, per_page: int = 25, scope: Scope | None = None) -> SearchPage:
    """One page of `queryset` (already scoped and filtered) matching the words of `query`.

    With words: the newest RANK_WINDOW matches (walking the text index in id order, which both
    engines do without sorting), ranked by relevance; the count is exact up to the window, else
    "more than". The cost is bounded by the window, not by how common a word is. Without words:
    newest first by date, on the (agency, issued_on) index, count capped likewise.
    """
    from egov.documents.models import Document

    match, words = fts_query(query, scope)
    page = max(1, page)
    offset = (page - 1) * per_page
    if words:
        matched = apply_text(queryset, match, words)
        newest = matched.order_by("-text_id") if connection.vendor == "sqlite" else matched.order_by("-id")
        window = list(newest.values_list("id", flat=True)[:RANK_WINDOW + 1])
        more = len(window) > RANK_WINDOW
        window = window[:RANK_WINDOW]
        ordered = rank(window, match)
        rows = ordered[offset:offset + per_page + 1]
        total, more_than = (None, RANK_WINDOW) if more else (len(window), None)
    else:
        rows = list(queryset.order_by("-issued_on", "-id").values_list("id", flat=True)[offset:offset + per_page + 1])
        if len(rows) <= per_page:
            total, more_than = offset + len(rows), None
        else:
            counted = len(queryset.order_by().values_list("id", flat=True)[:COUNT_CAP + 1])
            total, more_than = (counted, None) if counted <= COUNT_CAP else (None, COUNT_CAP)
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    found = {d.pk: d for d in Document.objects.filter(pk__in=rows).select_related("doc_type", "agency")}
    return SearchPage(results=[found[pk] for pk in rows if pk in found], number=page, per_page=per_page,
                      has_next=has_next, total=total, more_than=more_than, words=words)

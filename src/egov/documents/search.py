"""Full-text search over documents: one interface, SQLite FTS5 or PostgreSQL tsvector underneath.

The indexed text is folded (no diacritics, lower case) by `egov.core.text.fold`, and so is the
query, so "quyet dinh" and "Quyết định" find the same documents on both engines.

Speed at a province's ten-year volume (a million documents), whatever the words:
- the filters every search has (the actor's agency, the type, the years) are also tokens in the
  indexed text (`filter_tokens`), so the text index narrows by them itself;
- the newest RANK_WINDOW matches (by id) are ranked (bm25 / ts_rank), the rest never are; FTS5
  hands matches out newest first itself (with prefix indexes for the half-typed last word);
  PostgreSQL's GIN does not, so `newest_postgres` reads them a slice of ids at a time, or walks
  the documents newest first for very common words: the cost follows the window, not how
  common a word is; the other filters (status, dates, handler, visibility) are indexed columns
  checked on those rows;
- no COUNT(*) over everything: the count is exact up to the window (or COUNT_CAP for searches
  without words) and "more than N" beyond it.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

from django.db import connection

from egov.core.limits import MAX_OFFSET
from egov.core.text import fold, limit_terms, search_terms

COUNT_CAP = 1000
# Matches ranked by relevance: the newest this many (see `run`).
RANK_WINDOW = 1000
# A word of the query: letters and digits; FTS syntax characters are dropped.
_WORD = re.compile(r"[0-9a-z]+")
_SYMBOL = re.compile(r"\d\s*/\s*\w")


# Each document also carries a token for its agency and its slice of SLICE_IDS document ids
# ("zs12x15"): PostgreSQL finds the newest matches of a middling word one slice at a time,
# reading a slice's few hundred matches instead of all of them (see `_newest_sliced`).
SLICE_BITS = 16
SLICE_IDS = 1 << SLICE_BITS


def slice_token(agency_id, document_id: int) -> str:
    return f"zs{agency_id}x{document_id >> SLICE_BITS}"


def filter_tokens(*, agency_id, type_code: str | None, year: int | None, document_id: int | None = None) -> str:
    """Tokens for the filters every search uses, indexed with the words, so the text index
    narrows by agency, type and year itself instead of handing out every match of a common
    word to be checked against the table ("zs12x15 zag12 ztyqd zyr2026"; no user types those)."""
    parts = [slice_token(agency_id, document_id)] if document_id else []
    parts.append(f"zag{agency_id}")
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
                           year=document.issued_on.year if document.issued_on else None, document_id=document.pk)
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


@dataclass(frozen=True)
class Terms:
    """A query taken apart: scope tokens, whole words, and the last word matched as a prefix."""

    tokens: tuple[str, ...]
    exact: tuple[str, ...]
    prefix: str | None

    def postgres(self, *, lead: tuple[str, ...] = (), prefix: bool = True) -> str:
        """A PostgreSQL tsquery of `lead` tokens, the terms, and the prefix word when `prefix`."""
        parts = [*lead, *self.tokens, *self.exact]
        if prefix and self.prefix:
            parts.append(f"{self.prefix}:*")
        return " & ".join(parts)


def query_terms(query: str, scope: Scope | None = None) -> tuple[Terms, list[str]]:
    words = limit_terms(w for term in search_terms(query) for w in _WORD.findall(term))
    sqlite = connection.vendor == "sqlite"
    tokens: list[str] = []
    if scope is not None:
        # SQLite needs the agency inside the FTS query; PostgreSQL adds its agency tokens per
        # plan (`_newest_postgres`).
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
    if not words or _SYMBOL.search(query):
        return Terms(tuple(tokens), tuple(words), None), words
    return Terms(tuple(tokens), tuple(words[:-1]), words[-1]), words


def fts_query(query: str, scope: Scope | None = None) -> tuple[str, list[str]]:
    """The engine's query for the words of `query` (all must match; the last one as a prefix),
    narrowed by the scope's tokens."""
    terms, words = query_terms(query, scope)
    return _engine_query(terms, words), words


def _engine_query(terms: Terms, words: list[str]) -> str:
    if not words:
        return ""
    if connection.vendor == "sqlite":
        parts = [*terms.tokens, *(f'"{w}"' for w in terms.exact)] + ([f'"{terms.prefix}"*'] if terms.prefix else [])
        return " AND ".join(parts)
    return terms.postgres()


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


# PostgreSQL plans (`newest_postgres`): a query matching this share of documents walks them
# newest first; a last (prefix) word this common is tested on rows rather than read from the
# index; when older matches are expected to be fewer than PLAIN_FACTOR times what is still
# needed, they are read at once.
WALK_SHARE = 0.2
PREFIX_SHARE = 0.02
PLAIN_FACTOR = 3
# Slices read by one query at most: GIN reads every listed slice token in full ("zs1x14 | zs1x13
# | ..."), so a long list costs more than the matches it holds; the estimate is redone after each.
MAX_SLICES = 3
STATISTICS_SECONDS = 600
_statistics: dict = {}


def lexeme_shares() -> dict[str, float]:
    """The share of documents holding each common word or token, from PostgreSQL's own
    statistics of the vector column (kept by ANALYZE; empty before the first one). Cached
    for a few minutes: they only steer the plan, never the result."""
    now = time.monotonic()
    if _statistics.get("until", 0) > now:
        return _statistics["shares"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                       "WHERE tablename = 'documents_searchtext' AND attname = 'vector'")
        row = cursor.fetchone()
    shares = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    _statistics.update(until=now + STATISTICS_SECONDS, shares=shares)
    return shares


def _share(word: str, shares: dict[str, float], *, prefix: bool = False) -> float:
    if prefix:
        return min(1.0, sum(f for lexeme, f in shares.items() if lexeme.startswith(word)))
    # A word missing from the statistics is rarer than the rarest one listed.
    return shares.get(word, min(shares.values(), default=0.0))


def newest_postgres(queryset, terms: Terms, agency_id: int, limit: int) -> list[int]:
    """The ids of the newest `limit` documents of `queryset` (all of one agency) matching
    `terms`, newest first: ORDER BY id DESC LIMIT over every match, read more cheaply.

    GIN hands out every match of a word at once, in no useful order, and each one costs a heap
    visit: a word in 4% of a million documents is 40,000 visits to keep the newest thousand.
    So, by how common the words are (PostgreSQL's statistics of the vector column):
    - very common, type and years included (WALK_SHARE): walk the agency's documents newest
      first, testing each; the matches needed come within a few thousand documents;
    - otherwise by slices of document ids, newest first (`slice_token` in the index query):
      the newest slice, then as many older slices as the matches seen so far say are needed,
      and everything older at once (`zag<agency>`) when few matches are expected there;
    - a last word read as a prefix and as common as PREFIX_SHARE ("so*" is "so", "song",
      "son" ...) is tested on the rows the other words find instead of read from the index.
    The plan changes the cost, never the result.
    """
    shares = lexeme_shares()
    common = [_share(w, shares) for w in terms.exact]
    prefix_share = _share(terms.prefix, shares, prefix=True) if terms.prefix else None
    if prefix_share is not None:
        common.append(prefix_share)
    # The words of a query go together (a phrase: the rarest one counts); the type and the
    # years do not depend on them, and a walk meets the matches of all of them.
    walked = min(common, default=0.0)
    for token in terms.tokens:
        walked *= min(1.0, sum(_share(t, shares) for t in _WORD.findall(token)))
    if walked >= WALK_SHARE:
        return _matches(queryset, None, terms.postgres(), limit)
    check = terms.postgres() if terms.exact and prefix_share is not None and prefix_share >= PREFIX_SHARE else None
    in_index = {"prefix": check is None}
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(document_id) FROM documents_searchtext")
        top = cursor.fetchone()[0]
    if top is None:
        return []
    found: list[int] = []
    newest = top >> SLICE_BITS  # the newest slice not read yet
    count = 1
    while newest >= 0:
        oldest = max(0, newest - count + 1)
        lead = [slice_token(agency_id, s << SLICE_BITS) for s in range(newest, oldest - 1, -1)]
        group = lead[0] if len(lead) == 1 else "(" + " | ".join(lead) + ")"
        found += _matches(queryset, terms.postgres(lead=(group,), **in_index), check, limit - len(found))
        if len(found) >= limit:
            return found
        newest = oldest - 1
        read_ids = top + 1 - (oldest << SLICE_BITS)
        left_ids = oldest << SLICE_BITS
        needed = limit - len(found)
        expected = len(found) * left_ids / read_ids
        if expected <= PLAIN_FACTOR * needed:
            break
        count = math.ceil(needed * 1.25 * read_ids / len(found) / SLICE_IDS)
        if count > newest:
            break
        count = min(count, MAX_SLICES)
    if newest >= 0:
        found += _matches(queryset, terms.postgres(lead=(f"zag{agency_id}",), **in_index), check,
                          limit - len(found), below=(newest + 1) << SLICE_BITS)
    return found


def _matches(queryset, index_query: str | None, check: str | None, limit: int, *, below: int | None = None) -> list[int]:
    """Ids of `queryset` whose text matches `index_query` (read from the GIN index) and
    `check` (tested on each row: the planner cannot use the index for a function call), newest
    first, at most `limit`."""
    where, params = ["documents_searchtext.document_id = documents_document.id"], []
    if index_query:
        where.append("documents_searchtext.vector @@ to_tsquery('simple', %s)")
        params.append(index_query)
    if check:
        where.append("ts_match_vq(documents_searchtext.vector, to_tsquery('simple', %s))")
        params.append(check)
    if below is not None:
        where.append("documents_searchtext.document_id < %s")
        params.append(below)
    matched = queryset.extra(tables=["documents_searchtext"], where=where, params=params)
    return list(matched.order_by("-id").values_list("id", flat=True)[:limit])


def run(queryset, *, query: str = "", page: int = 1, per_page: int = 25, offset: int | None = None,
        scope: Scope | None = None) -> SearchPage:
    """One page of `queryset` (already scoped and filtered) matching the words of `query`.

    With words: the newest RANK_WINDOW matches (walking the text index in id order, which both
    engines do without sorting), ranked by relevance; the count is exact up to the window, else
    "more than". The cost is bounded by the window, not by how common a word is. Without words:
    newest first by date, on the (agency, issued_on) index, count capped likewise.
    """
    from egov.documents.models import Document

    terms, words = query_terms(query, scope)
    match = _engine_query(terms, words)
    if offset is None:
        offset = (max(1, page) - 1) * per_page
    # SQL's OFFSET is a 64-bit integer: a page number typed in the address bar could overflow it.
    offset = min(offset, MAX_OFFSET)
    page = offset // per_page + 1
    if words and connection.vendor == "postgresql" and scope is not None and scope.agency_id:
        window = newest_postgres(queryset, terms, scope.agency_id, RANK_WINDOW + 1)
    elif words:
        matched = apply_text(queryset, match, words)
        newest = matched.order_by("-text_id") if connection.vendor == "sqlite" else matched.order_by("-id")
        window = list(newest.values_list("id", flat=True)[:RANK_WINDOW + 1])
    if words:
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

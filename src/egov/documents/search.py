"""Full-text search over documents: one interface, SQLite FTS5 or PostgreSQL tsvector underneath.

The indexed text is folded (no diacritics, lower case) by `egov.core.text.fold`, and so is the
query, so "quyet dinh" and "Quyết định" find the same documents on both engines.

Speed at a province's ten-year volume (a million documents) comes from: filters on indexed
columns first (agency, direction, type, dates, status), the text index for the words, a page of
ids ranked and cut with LIMIT, and never a COUNT(*) over everything that matches: we count up to
`COUNT_CAP` and show "more than N" beyond it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection

from egov.core.text import fold, search_terms

COUNT_CAP = 1000
# A word of the query: letters and digits; FTS syntax characters are dropped.
_WORD = re.compile(r"[0-9a-z]+")


def document_text(document, *, extra_text: str = "") -> str:
    """What a document is found by: its metadata and the text of its files."""
    parts = [document.number_symbol, document.doc_type.name if document.doc_type_id else "",
             document.issuer_name, document.summary, document.signer_name, extra_text]
    return words_only(" ".join(p for p in parts if p))


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
    SearchText.objects.update_or_create(pk=document.pk, defaults={"body": body})


def fts_query(query: str) -> tuple[str, list[str]]:
    """The engine's query for the words of `query` (each a prefix; all must match)."""
    words = [w for term in search_terms(query) for w in _WORD.findall(term)]
    if connection.vendor == "sqlite":
        return " AND ".join(f'"{w}"*' for w in words), words
    return " & ".join(f"{w}:*" for w in words), words


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


def apply_text(queryset, query: str):
    """`queryset` narrowed to documents whose text matches every word of `query`, with `rank`
    (lower is better) selected for ordering. Unchanged when the query has no words."""
    match, words = fts_query(query)
    if not words:
        return queryset, False
    if connection.vendor == "sqlite":
        queryset = queryset.extra(
            tables=["documents_fts"],
            where=["documents_fts.rowid = documents_document.id", "documents_fts MATCH %s"],
            params=[match], select={"rank": "documents_fts.rank"})
    elif connection.vendor == "postgresql":
        queryset = queryset.extra(
            tables=["documents_searchtext"],
            where=["documents_searchtext.document_id = documents_document.id",
                   "documents_searchtext.vector @@ to_tsquery('simple', %s)"],
            params=[match],
            select={"rank": "-ts_rank(documents_searchtext.vector, to_tsquery('simple', %s))"},
            select_params=[match])
    else:  # any other engine: folded text contains every word (correct, not fast)
        for word in words:
            queryset = queryset.filter(search_text__body__contains=word)
        return queryset, False
    return queryset, True


def run(queryset, *, query: str = "", page: int = 1, per_page: int = 25) -> SearchPage:
    """Rank (when there are words) or order by date, then cut one page; count up to the cap."""
    queryset, ranked = apply_text(queryset, query)
    order = ["rank", "-issued_on", "-id"] if ranked else ["-issued_on", "-id"]
    page = max(1, page)
    offset = (page - 1) * per_page
    ids_qs = queryset.order_by(*order)
    rows = list(ids_qs.values_list("id", flat=True)[offset:offset + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if not has_next:
        total = offset + len(rows)
        more = None
    else:
        capped = queryset.order_by()[:COUNT_CAP + 1].values_list("id", flat=True)
        counted = len(list(capped))
        total, more = (counted, None) if counted <= COUNT_CAP else (None, COUNT_CAP)
    from egov.documents.models import Document

    found = {d.pk: d for d in Document.objects.filter(pk__in=rows).select_related("doc_type", "agency")}
    _, words = fts_query(query)
    return SearchPage(results=[found[pk] for pk in rows if pk in found], number=page, per_page=per_page,
                      has_next=has_next, total=total, more_than=more, words=words)

"""Vietnamese text helpers: diacritic-insensitive folding for search, slugs, display."""

from __future__ import annotations

import re
import unicodedata

from egov.core.limits import MAX_QUERY_LENGTH, MAX_SEARCH_TERMS

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip Vietnamese diacritics and collapse spaces: "Quyết định" -> "quyet dinh".

    Stored beside searchable fields so that a plain LIKE/contains finds a word typed with or
    without diacritics, on SQLite and PostgreSQL alike, without database extensions.
    """
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def search_terms(query: str | None) -> list[str]:
    """The folded words of a search box query; every word must match.

    Every search box and API `q` goes through here, so the bounds hold for all of them: the
    query is cut at MAX_QUERY_LENGTH characters and its first MAX_SEARCH_TERMS distinct words are
    kept (a thousand words built a filter deeper than SQLite's expression limit).
    """
    return limit_terms(fold((query or "")[:MAX_QUERY_LENGTH]).split(" "))


def limit_terms(words) -> list[str]:
    """The first MAX_SEARCH_TERMS distinct non-empty words, in order."""
    return list(dict.fromkeys(word for word in words if word))[:MAX_SEARCH_TERMS]

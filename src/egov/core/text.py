"""Vietnamese text helpers: diacritic-insensitive folding for search, slugs, display."""

from __future__ import annotations

import re
import unicodedata

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
    """The folded words of a search box query; every word must match."""
    return [word for word in fold(query).split(" ") if word]

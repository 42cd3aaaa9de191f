"""Registers (sổ văn bản): gapless numbers per agency per year, and symbols per Decree 30/2020."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from egov.documents.models import DocumentType, RegisterCounter


def next_number(agency, kind: str, year: int) -> int:
    """Take the next number of `agency`'s `kind` register in `year`, inside the caller's transaction.

    The counter row is locked (SELECT ... FOR UPDATE) until the caller's transaction ends, so
    concurrent registrations queue on one agency's row and a rolled-back one gives its number
    back. Decree 30/2020, art. 15: numbers start from 01 on 1 January each year.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that stores the number")
    counter = RegisterCounter.objects.select_for_update().filter(agency=agency, kind=kind, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():  # savepoint: another transaction may create it first
                RegisterCounter.objects.create(agency=agency, kind=kind, year=year, last_number=0)
        except IntegrityError:
            pass
        counter = RegisterCounter.objects.select_for_update().get(agency=agency, kind=kind, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def build_symbol(*, number: int, doc_type: DocumentType, issuer_short: str, unit_short: str = "",
                 year: int | None = None) -> str:
    """Số, ký hiệu per Decree 30/2020, Appendix I: 838/QĐ-UBND; letters 7303/UBND-VP.

    Numbers below 10 get a leading zero (05/QĐ-UBND). Legal documents carry the year
    (12/2025/NĐ-CP).
    """
    printed = f"{number:02d}"
    issuer = issuer_short.strip()
    if doc_type.is_letter:
        symbol = f"{issuer}-{unit_short.strip()}" if unit_short.strip() else issuer
    else:
        symbol = f"{doc_type.abbreviation}-{issuer}"
    if doc_type.symbol_has_year and year:
        return f"{printed}/{year}/{symbol}"
    return f"{printed}/{symbol}"

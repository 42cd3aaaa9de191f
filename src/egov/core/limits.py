"""Input limits (giới hạn dữ liệu vào): the bounds that forms, API schemas and query builders share.

Whatever a person or a program types reaches the database and the working-day calendar only in a
shape they can handle: a search of a thousand words would build a query deeper than SQLite
accepts, a year 9999 overflows the calendar's arithmetic, an id past 2^63 − 1 overflows the
database's integers. Each bound is declared once here and enforced where input enters: the API
schemas use the annotated types (so the OpenAPI schema describes the bound too), the forms use
`DateField`, `text.search_terms` caps the words of every search box.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from django import forms
from django.core.exceptions import ValidationError as FormValidationError
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

# A search box: more words than this only slow the query down, they never narrow it usefully.
MAX_SEARCH_TERMS = 10
MAX_QUERY_LENGTH = 200

# Dates people may type: the calendar, the statistics and the database all handle these years,
# with room for a deadline of MAX_WORKING_DAYS after the last one.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)
DATE_MESSAGE = "Ngày phải nằm trong khoảng từ 01/01/1900 đến 31/12/2999."
# ISO dates of those years: the OpenAPI schema says it, so generated clients stay inside.
DATE_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATETIME_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"

# Row ids and counts fit a signed 64-bit integer (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1
# API lists: a page holds at most MAX_PAGE_SIZE rows and starts at most MAX_OFFSET rows in.
MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000


def parse_id(value) -> int | None:
    """A row id typed in a query string or a form, or None when it is not one (letters, 0, 2^64)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def date_in_range(value: dt.date | dt.datetime | None) -> bool:
    if value is None:
        return True
    day = value.date() if isinstance(value, dt.datetime) else value
    return MIN_DATE <= day <= MAX_DATE


def _iso_text(pattern: str, kind: str):
    # Pydantic also reads a number as a Unix time ("0" is 1 January 1970): only the ISO text the
    # schema documents is a date here.
    compiled = re.compile(pattern)

    def checked(value):
        if isinstance(value, str) and not compiled.match(value):
            raise PydanticCustomError(kind, "Input should be an ISO date")
        if isinstance(value, (int, float)):
            raise PydanticCustomError(kind, "Input should be an ISO date")
        return value

    return BeforeValidator(checked)


def _checked_date(value):
    if not date_in_range(value):
        raise PydanticCustomError("date_range", DATE_MESSAGE)
    return value


# For API schemas: a date (or date and time) in the years above, with the bound in the schema.
Date = Annotated[dt.date, _iso_text(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "date_parsing"), AfterValidator(_checked_date),
                 WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN})]
DateTime = Annotated[dt.datetime, _iso_text(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T", "datetime_parsing"), AfterValidator(_checked_date),
                     WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN})]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def validate_date(value) -> None:
    """Django validator: the date is one the calendar and the database handle."""
    if not date_in_range(value):
        raise FormValidationError(DATE_MESSAGE, code="date_range")


class DateField(forms.DateField):
    """A form's date (a date picker) in the years above."""

    default_validators = [validate_date]

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date", "min": MIN_DATE.isoformat(),
                                                           "max": MAX_DATE.isoformat()}))
        super().__init__(**kwargs)

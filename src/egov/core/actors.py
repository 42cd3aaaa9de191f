"""Who acts (tác nhân): a signed-in account or an external system's API key.

Services, selectors and the audit trail take either as `actor`; both satisfy `Actor`, so a caller
never asks which it holds beyond `is_api_key`. Some callers also pass nobody (None: the system),
an anonymous visitor or a plain label: `is_api_key()` and `account_of()` answer for those too.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Actor(Protocol):
    """What `org.User` and `api.ApiKey` both answer."""

    is_api_key: bool
    is_authenticated: bool

    @property
    def display_name(self) -> str:
        """How pages and the audit trail name it."""

    @property
    def official_or_none(self) -> Any:
        """The official acting (None for a citizen, a business or a key)."""

    @property
    def acting_agency(self) -> Any:
        """The agency it acts for: the key's, the official's (None for citizens)."""

    @property
    def account(self) -> Any:
        """The account kept as "who did it" on rows (None for a key: rows name people)."""

    def role_codes(self) -> frozenset[str]:
        """Its staff roles (none for a key: a key holds scopes)."""


def is_api_key(actor: Actor | Any | None) -> bool:
    """Whether `actor` is an external system's key (nobody, a visitor or a label is not)."""
    return getattr(actor, "is_api_key", False)


def account_of(actor: Actor | Any | None):
    """The account to keep as who did something (received_by, uploaded_by ...): None for a key,
    nobody, a visitor or a label."""
    return getattr(actor, "account", None)


def agency_of(actor: Actor | Any | None):
    """The agency `actor` acts for, or None."""
    return getattr(actor, "acting_agency", None)

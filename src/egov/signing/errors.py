"""Errors raised by the signing core (ký số)."""

from __future__ import annotations

from egov.core.errors import DomainError


class SigningError(DomainError, ValueError):
    """A signing or verification request that cannot be carried out, with a Vietnamese message."""

    code = "signing_error"
    status = 422

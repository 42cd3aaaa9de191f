"""Errors raised by the signing core (ký số)."""

from __future__ import annotations


# Written before egov.core.errors existed: same contract as DomainError (`code`, `message`,
# `details`, `as_dict()`), so rebasing onto it is a one-line change.
class SigningError(ValueError):
    """A signing or verification request that cannot be carried out, with a Vietnamese message."""

    code = "signing_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.details:
            data["details"] = self.details
        return data

"""Domain errors: raised by services, turned into page messages by views and JSON by the API.

Each error carries a stable machine `code` (for API clients) and a Vietnamese `message` (for
people). Views never catch `Exception`; they catch `DomainError`.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

# The database cannot be reached (restarting, failing over, a lost connection; SQLite's lock held
# too long): a passing state, answered 503 with Retry-After (web and API), never a 500.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = "10"


class DomainError(Exception):
    code = "domain_error"
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


class ValidationError(DomainError):
    code = "invalid"
    status = 422


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403

    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này.", **kwargs):
        super().__init__(message, **kwargs)


class NotFound(DomainError):
    code = "not_found"
    status = 404

    def __init__(self, message: str = "Không tìm thấy dữ liệu yêu cầu.", **kwargs):
        super().__init__(message, **kwargs)


class StateError(DomainError):
    """The object moved on (another officer acted first, or the step is over)."""

    code = "conflict"
    status = 409

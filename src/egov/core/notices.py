"""Events that notify people (sự kiện thông báo): each app lists its own in `<app>/notices.py` as
`NOTICES = [Notice(...)]`, found as menus and permissions are (core.registry).

The definition lives in core, not in notify, so that an app below or beside notify (dossiers,
feedback, payments) can describe its events without importing notify; notify reads them all
through `all_notices()` and sends them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured

from egov.core.registry import egov_modules


@dataclass(frozen=True)
class Notice:
    """One event and its default wording on each channel (a Django template each, rendered with
    the context the sender gives; `variables` documents that context for the template editor and
    `sample` fills it in for the preview). An empty text means the event is not sent on that
    channel. The SMS text is sent without diacritics, cut to 160 characters."""

    code: str
    label: str
    audience: str  # "citizen" or "official"
    variables: dict[str, str] = field(default_factory=dict)
    sample: dict[str, object] = field(default_factory=dict)
    email_subject: str = ""
    email_body: str = ""
    sms: str = ""
    app: str = ""

    def default(self, channel: str) -> tuple[str, str]:
        """(subject, body) of the default template on `channel`; ("", "") when not sent there."""
        if channel == "email":
            return self.email_subject, self.email_body
        return "", {"sms": self.sms, "app": self.app}.get(channel, "")

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(channel for channel in ("app", "email", "sms") if self.default(channel)[1])


@lru_cache(maxsize=1)
def all_notices() -> dict[str, Notice]:
    """Every app's NOTICES by code, in INSTALLED_APPS order; a code defined twice is a mistake."""
    found: dict[str, Notice] = {}
    for module in egov_modules("notices"):
        for notice in getattr(module, "NOTICES", ()):
            if notice.code in found:
                raise ImproperlyConfigured(f"Notice {notice.code!r} is defined twice ({module.__name__}).")
            found[notice.code] = notice
    return found

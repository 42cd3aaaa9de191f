"""Text messages (tin nhắn SMS) for the layers below the app that carries them.

Accounts (org) must reach a citizen's phone, but the SMS log, its providers and its scoping live
in `notify`, a domain app above org. notify plugs its sender in here when it loads, so org can
send a text without importing upward.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_sender: Callable[..., object] | None = None
_receiver: Callable[..., object] | None = None
_PHONE = re.compile(r"[^\d+]")


def normalize_phone(phone: str) -> str:
    """A phone number as the SMS log keeps it: digits and "+" only."""
    return _PHONE.sub("", phone or "")[:20]


def provide(sender: Callable[..., object], receiver: Callable[..., object] | None = None) -> None:
    """Called once by the app that delivers texts (notify) when Django loads it."""
    global _sender, _receiver
    _sender = sender
    _receiver = receiver or _receiver


def send_text(phone: str, text: str, **owner) -> None:
    """Send and log one SMS; `owner` (agency_id, dossier_id) files it where its staff read it."""
    if _sender is None:
        raise RuntimeError("No SMS sender is installed: egov.notify must be in INSTALLED_APPS.")
    _sender(phone, text, **owner)


def receive_text(phone: str, text: str, **owner) -> None:
    """Log one inbound SMS (see `send_text`)."""
    if _receiver is None:
        raise RuntimeError("No SMS sender is installed: egov.notify must be in INSTALLED_APPS.")
    _receiver(phone, text, **owner)

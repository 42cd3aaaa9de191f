"""Text messages (tin nhắn SMS) for the layers below the app that carries them.

Accounts (org) must reach a citizen's phone, but the SMS log, its providers and its scoping live
in `notify`, a domain app above org. notify plugs its sender in here when it loads, so org can
send a text without importing upward.
"""

from __future__ import annotations

from collections.abc import Callable

_sender: Callable[[str, str], object] | None = None


def provide(sender: Callable[[str, str], object]) -> None:
    """Called once by the app that delivers texts (notify) when Django loads it."""
    global _sender
    _sender = sender


def send_text(phone: str, text: str) -> None:
    if _sender is None:
        raise RuntimeError("No SMS sender is installed: egov.notify must be in INSTALLED_APPS.")
    _sender(phone, text)

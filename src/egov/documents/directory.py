"""Agencies outside this instance that an outgoing document may go to (nơi nhận ngoài hệ thống),
as the app that reaches them (the exchange, liên thông) lists them, without documents importing it.

The exchange sets `provider` in its AppConfig.ready() to a callable returning (identifier code,
name) pairs; with none set there are no such agencies and the drafting form does not offer them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

provider: Callable[[], Iterable[tuple[str, str]]] | None = None


def remote_agencies() -> list[tuple[str, str]]:
    """(code, name) of every agency outside this instance a draft may be addressed to."""
    return list(provider()) if provider is not None else []

"""Panels the apps above documents add to a document's page (the exchange's recipient status
table, where a received document came from), without documents importing them.

An app appends a callable `panel(request, document) -> str | None` to `PANELS` in its
AppConfig.ready(); the page shows each non-empty result (already-escaped HTML, as
`render_to_string` returns it) below the document's details, in the order they were added."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

PANELS: list[Callable[[HttpRequest, object], str | None]] = []


def render_panels(request: HttpRequest, document) -> list[str]:
    return [html for panel in PANELS if (html := panel(request, document))]

"""Sending one outbox row: the transport is filled in with the peers' adapters (issue 10, outbox)."""

from __future__ import annotations


def attempt(delivery_id: int) -> None:
    """Until the adapters land, a queued delivery stays pending in the outbox."""

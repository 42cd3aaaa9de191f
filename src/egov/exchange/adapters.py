"""How a message reaches a peer (bộ kết nối liên thông): one interface, one implementation per
kind of peer.

- `EgovHttpAdapter`: another egov instance, or any system that takes edXML the same way: POST the
  message to the peer's endpoint with its key. Working.
- `NationalAxisAdapter`: the national document exchange (trục liên thông văn bản quốc gia), whose
  client sends by a web service and fetches what arrived by polling. Its place behind the same
  interface is kept here; it is not connected in this instance (see docs/exchange.md).

An adapter only moves bytes and says how it went: the outbox (`egov.exchange.delivery`) decides
what an answer means for the delivery (sent, retry later, failed).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from egov.core import outcalls
from egov.core.errors import DomainError
from egov.exchange.models import Peer
from egov.signing import vault

XML = "application/xml"
# What a peer's answer may tell us, kept on the delivery for the administrator: enough to read an
# error message, never a whole page.
BODY_LIMIT = 2000


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # the peer may take it later: 5xx, 408, 429, a timeout, no connection
    PERMANENT = "permanent"  # the peer refused it for good: another 4xx; sending again changes nothing


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    status: int | None = None  # the HTTP status, None when no answer came
    body: str = ""  # the start of the answer, or what went wrong when none came


class NotConfigured(DomainError):
    code = "exchange_not_configured"
    status = 409


class Adapter(Protocol):
    def send(self, peer: Peer, data: bytes, *, idempotency_key: str) -> SendResult:
        """Hand `data` (an edXML message) to `peer`; the same key for every try of the same delivery."""

    def fetch_received(self, peer: Peer) -> list[bytes]:
        """The messages waiting for us at `peer` (a polling peer; a pushing peer has none)."""

    def update_status(self, peer: Peer, data: bytes) -> None:
        """Tell `peer` a status message was taken (a polling peer keeps messages until told)."""


def outbound_key(peer: Peer) -> str:
    """The key we call `peer` with, opened from the vault for this call only."""
    if not peer.outbound_key_sealed:
        return ""
    return vault.open_sealed(peer.outbound_key_sealed, context=f"exchange.peer:{peer.pk}").decode()


def classify(status: int) -> Outcome:
    if status in (200, 201, 202):
        return Outcome.DELIVERED
    if status in (408, 425, 429) or status >= 500:
        return Outcome.RETRY
    return Outcome.PERMANENT


def _body(raw: bytes) -> str:
    return raw[:BODY_LIMIT].decode("utf-8", "replace")


class EgovHttpAdapter:
    """Another egov instance (or a system speaking the same HTTP): `POST <endpoint>` with
    `Authorization: Bearer <key>`, `Content-Type: application/xml` and `Idempotency-Key`. The peer
    answers 201 for a new message, 200 for one it already had (the same sender and DocumentId), so
    a retry after a lost answer is harmless."""

    def send(self, peer: Peer, data: bytes, *, idempotency_key: str) -> SendResult:
        if not peer.endpoint:
            raise NotConfigured(f"Đầu mối liên thông {peer.name} chưa có địa chỉ nhận.")
        reply = outcalls.post(peer.endpoint, data, {
            "Content-Type": XML, "Accept": "application/json", "Idempotency-Key": idempotency_key,
            "Authorization": f"Bearer {outbound_key(peer)}", "User-Agent": "egov-exchange/1"},
            timeout=settings.EXCHANGE_TIMEOUT, keep=BODY_LIMIT)
        if reply.status is None:
            return SendResult(Outcome.RETRY, None, reply.error[:BODY_LIMIT])
        return SendResult(classify(reply.status), reply.status, _body(reply.head))

    def fetch_received(self, peer: Peer) -> list[bytes]:
        return []  # an egov peer pushes to our POST /api/v1/exchange/edxml

    def update_status(self, peer: Peer, data: bytes) -> None:
        return None  # nothing to acknowledge: the peer's 200/201 was the acknowledgement


class NationalAxisAdapter:
    """The national document exchange (trục liên thông văn bản quốc gia, VDXP): messages are sent
    to its web service and the ones addressed to us are fetched by polling, then acknowledged with
    `update_status` so the axis stops offering them. Connecting needs the axis' credentials and
    certificates issued to the province; until then every call says so."""

    MESSAGE = ("Chưa kết nối trục liên thông văn bản quốc gia: cần tài khoản, chứng thư và địa chỉ dịch vụ "
               "do Bộ Khoa học và Công nghệ cấp cho tỉnh (xem docs/exchange.md).")

    def send(self, peer: Peer, data: bytes, *, idempotency_key: str) -> SendResult:
        raise NotConfigured(self.MESSAGE)

    def fetch_received(self, peer: Peer) -> list[bytes]:
        raise NotConfigured(self.MESSAGE)

    def update_status(self, peer: Peer, data: bytes) -> None:
        raise NotConfigured(self.MESSAGE)


ADAPTERS: dict[str, type] = {
    Peer.Kind.EGOV: EgovHttpAdapter,
    Peer.Kind.OTHER: EgovHttpAdapter,
    Peer.Kind.NATIONAL: NationalAxisAdapter,
}


def adapter_for(peer: Peer) -> Adapter:
    return ADAPTERS.get(peer.kind, EgovHttpAdapter)()

"""Who is asking: the client's address (địa chỉ IP của người dùng), the one way to read it.

Behind a reverse proxy every connection comes from the proxy, so the client is in the proxy's
`X-Forwarded-For`. That header is anyone's to write: it is read only when the connection comes
from an address in `EGOV_TRUSTED_PROXIES`, and then only as far back as the chain of trusted
proxies goes. Rate limits, sign-in lockouts and audit entries all ask `client_address`.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(f"EGOV_TRUSTED_PROXIES: {exc}") from exc


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(request) -> str:
    """The address of the client that sent `request` ("" when unknown).

    The peer itself unless it is a trusted proxy; then the right-most address of X-Forwarded-For
    that is not a trusted proxy (each proxy appends the address it saw, so everything left of
    that one was written by the client and proves nothing).
    """
    peer = request.META.get("REMOTE_ADDR", "") or ""
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    hop = _parse(peer)
    if hop is None or not _is_trusted(hop, networks):
        return str(hop) if hop is not None else peer[:64]
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _parse(entry)
        if address is None:
            break  # written by someone we cannot vouch for: the last trusted hop is all we know
        hop = address
        if not _is_trusted(address, networks):
            break
    return str(hop)


def _is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)

"""Peers and the directory of remote agencies (đầu mối liên thông, danh bạ cơ quan ngoài hệ thống).

A peer is a system we exchange with: its API key (the one it calls us with), the endpoint and
the key we call it with, the agency codes it relays to, whether its messages must be signed. The
outbound key is sealed in the signing vault and never shown again. `route(code)` finds the peer
behind an agency code. Writes are the system administrator's (`exchange.manage`), audited;
`actor=None` is the system itself (the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction

from egov.api.models import ApiKey
from egov.core.audit import record
from egov.core.errors import StateError, ValidationError
from egov.exchange.models import Peer, RemoteAgency
from egov.org.models import Agency
from egov.org.permissions import ensure_can
from egov.signing import vault

_UNSET = object()


def _authorize(actor) -> None:
    if actor is not None:
        ensure_can(actor, "exchange.manage")


def _check_endpoint(endpoint: str) -> str:
    endpoint = (endpoint or "").strip()
    if endpoint:
        try:
            URLValidator(schemes=["http", "https"])(endpoint)
        except DjangoValidationError:
            raise ValidationError("Địa chỉ nhận của đầu mối phải là địa chỉ http(s) hợp lệ.",
                                  code="invalid_endpoint", details={"field": "endpoint"}) from None
    return endpoint


def _check_api_key(api_key: ApiKey | None, peer: Peer | None = None) -> None:
    if api_key is None:
        return
    if not api_key.has_scope("exchange:write"):
        raise ValidationError("Khóa API của đầu mối phải có phạm vi exchange:write.", code="invalid_api_key",
                              details={"field": "api_key"})
    taken = Peer.objects.filter(api_key=api_key).exclude(pk=peer.pk if peer else None).first()
    if taken is not None:
        raise ValidationError(f"Khóa API này đã gắn với đầu mối {taken.name}.", code="api_key_taken",
                              details={"field": "api_key"})


def _clean_agencies(agency_codes: Iterable[tuple[str, str]]) -> dict[str, str]:
    agencies: dict[str, str] = {}
    for code, name in agency_codes:
        code, name = (code or "").strip(), (name or "").strip()
        if not code:
            continue
        if len(code) > 40:
            raise ValidationError(f"Mã định danh {code[:40]}… dài quá 40 ký tự.", code="invalid_agency_code")
        agencies[code] = (name or code)[:255]
    return agencies


def _seal(peer: Peer, outbound_key: str) -> None:
    peer.outbound_key_sealed = vault.seal(outbound_key.encode(), context=f"exchange.peer:{peer.pk}")


def _write_agencies(peer: Peer, agencies: dict[str, str]) -> None:
    """The codes behind `peer` become exactly `agencies`. A code of one of our own agencies, or one
    another peer relays, is refused: a code routes to one place."""
    own = sorted(Agency.objects.filter(code__in=agencies).values_list("code", flat=True))
    if own:
        raise ValidationError("Mã định danh thuộc cơ quan trong hệ thống này: " + ", ".join(own) + ".",
                              code="agency_is_local", details={"codes": own})
    elsewhere = list(RemoteAgency.objects.filter(code__in=agencies).exclude(peer=peer)
                     .select_related("peer").order_by("code"))
    if elsewhere:
        raise ValidationError("Mã định danh đã thuộc đầu mối khác: "
                              + ", ".join(f"{r.code} ({r.peer.name})" for r in elsewhere) + ".",
                              code="agency_taken", details={"codes": [r.code for r in elsewhere]})
    peer.agencies.exclude(code__in=agencies).delete()
    existing = {r.code: r for r in peer.agencies.all()}
    for code, name in agencies.items():
        row = existing.get(code)
        if row is None:
            RemoteAgency.objects.create(peer=peer, code=code, name=name)
        elif row.name != name:
            row.name = name
            row.save(update_fields=["name"])


def create_peer(*, actor, name: str, kind: str = Peer.Kind.EGOV, endpoint: str = "", outbound_key: str = "",
                api_key: ApiKey | None = None, require_signature: bool = False,
                agency_codes: Iterable[tuple[str, str]] = ()) -> Peer:
    """A new peer. `outbound_key` is the key the peer issued to us (for an egov peer: an
    exchange:write key of its own); it is sealed at once and never shown again."""
    _authorize(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError("Cần nhập tên đầu mối liên thông.", code="name_required", details={"field": "name"})
    if kind not in Peer.Kind.values:
        raise ValidationError("Loại đầu mối không hợp lệ.", code="invalid_kind", details={"field": "kind"})
    endpoint = _check_endpoint(endpoint)
    _check_api_key(api_key)
    agencies = _clean_agencies(agency_codes)
    with transaction.atomic():
        peer = Peer.objects.create(name=name[:120], kind=kind, endpoint=endpoint, api_key=api_key,
                                   require_signature=require_signature)
        if outbound_key:
            _seal(peer, outbound_key.strip())
            peer.save(update_fields=["outbound_key_sealed"])
        _write_agencies(peer, agencies)
        record(actor, "exchange.peer_created", peer,
               summary={"name": peer.name, "kind": kind, "endpoint": endpoint, "require_signature": require_signature,
                        "api_key": api_key.prefix if api_key else "", "outbound_key": bool(outbound_key),
                        "agencies": sorted(agencies)})
    return peer


def update_peer(*, actor, peer: Peer, name=_UNSET, endpoint=_UNSET, outbound_key=_UNSET, api_key=_UNSET,
                require_signature=_UNSET, is_active=_UNSET) -> Peer:
    """Change what is given; an `outbound_key` given replaces the sealed one ("" removes it)."""
    _authorize(actor)
    changes: dict = {}
    with transaction.atomic():
        peer = Peer.objects.select_for_update().get(pk=peer.pk)
        if name is not _UNSET:
            name = (name or "").strip()
            if not name:
                raise ValidationError("Cần nhập tên đầu mối liên thông.", code="name_required",
                                      details={"field": "name"})
            changes["name"], peer.name = name, name[:120]
        if endpoint is not _UNSET:
            changes["endpoint"] = peer.endpoint = _check_endpoint(endpoint)
        if api_key is not _UNSET:
            _check_api_key(api_key, peer)
            peer.api_key = api_key
            changes["api_key"] = api_key.prefix if api_key else ""
        if require_signature is not _UNSET:
            changes["require_signature"] = peer.require_signature = bool(require_signature)
        if is_active is not _UNSET:
            changes["is_active"] = peer.is_active = bool(is_active)
        if outbound_key is not _UNSET:
            if outbound_key:
                _seal(peer, outbound_key.strip())
            else:
                peer.outbound_key_sealed = None
            changes["outbound_key"] = "đã thay" if outbound_key else "đã xóa"
        peer.save()
        record(actor, "exchange.peer_updated", peer, summary=changes)
    return peer


def set_agencies(*, actor, peer: Peer, agency_codes: Iterable[tuple[str, str]]) -> Peer:
    """The agencies behind `peer` become exactly `agency_codes` (code, name)."""
    _authorize(actor)
    agencies = _clean_agencies(agency_codes)
    with transaction.atomic():
        peer = Peer.objects.select_for_update().get(pk=peer.pk)
        before = sorted(peer.agencies.values_list("code", flat=True))
        _write_agencies(peer, agencies)
        record(actor, "exchange.peer_agencies_set", peer,
               summary={"added": sorted(set(agencies) - set(before)), "removed": sorted(set(before) - set(agencies))})
    return peer


def add_agencies(*, actor, peer: Peer, agency_codes: Iterable[tuple[str, str]]) -> Peer:
    """Add (or rename) agencies behind `peer`, keeping the others."""
    current = dict(peer.agencies.values_list("code", "name"))
    return set_agencies(actor=actor, peer=peer, agency_codes=[*current.items(), *agency_codes])


def deactivate_peer(*, actor, peer: Peer) -> Peer:
    """Stop sending through `peer`: new deliveries to its agencies are held until it is active
    again or another peer relays them; deliveries already queued are held at their next try."""
    _authorize(actor)
    with transaction.atomic():
        peer = Peer.objects.select_for_update().get(pk=peer.pk)
        if not peer.is_active:
            raise StateError("Đầu mối liên thông đã ngừng hoạt động.")
        peer.is_active = False
        peer.save(update_fields=["is_active"])
        record(actor, "exchange.peer_deactivated", peer, summary={"name": peer.name})
    return peer


def route(code: str) -> Peer | None:
    """The peer that relays to the agency with identifier code `code`, active or not (None: unknown)."""
    row = RemoteAgency.objects.select_related("peer").filter(code=(code or "").strip()).first()
    return row.peer if row is not None else None



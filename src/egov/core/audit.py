"""Audit trail (nhật ký): every state-changing service call appends an entry in its transaction.

Entries form hash chains (one per agency, so appends scale with agencies instead of queuing on
one global lock). Each entry stores the hash of the previous one in its chain; `verify_chains`
recomputes them and reports the first broken link, so an edited, deleted or inserted row shows.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from egov.core import fixedsql
from egov.core.actors import account_of, agency_of
from egov.core.models import AuditChain, AuditEntry

# Who is calling from where: set by the request middleware or the CLI, read when recording.
client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("egov_client_ip", default="")

SYSTEM_CHAIN = "system"


def _canonical(entry: AuditEntry) -> bytes:
    data = {
        "chain": entry.chain,
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "roles": entry.roles,
        "agency": entry.agency_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": str(entry.object_id),
        "object_repr": entry.object_repr,
        "summary": entry.summary,
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def record(actor, action: str, obj=None, *, agency=None, summary: dict | None = None,
           object_type: str | None = None, object_id: str | None = None) -> AuditEntry:
    """Append an audit entry for `actor` doing `action` on `obj`, inside the caller's transaction."""
    if agency is None:
        agency = getattr(obj, "agency", None) if obj is not None else None
        if agency is None:
            agency = agency_of(actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    chain_key = f"agency:{agency.pk}" if agency is not None else SYSTEM_CHAIN
    # No savepoint: an error here fails the caller's transaction anyway, and an entry is written
    # on every service call (savepoint and release are two more statements each time).
    with transaction.atomic(savepoint=False):
        last_seq, last_hash = _lock_head(chain_key)
        entry = AuditEntry(
            chain=chain_key,
            seq=last_seq + 1,
            at=timezone.now(),
            # An API key is recorded by name: audit actors are accounts.
            actor=account_of(actor),
            actor_label=_actor_label(actor),
            roles=",".join(sorted(actor.role_codes())) if hasattr(actor, "role_codes") else "",
            agency=agency,
            action=action,
            object_type=object_type or "",
            object_id=object_id or "",
            object_repr=str(obj)[:255] if obj is not None else "",
            summary=json.loads(json.dumps(summary or {}, default=str)),
            ip=client_ip.get(),
            prev_hash=last_hash,
        )
        entry.hash = entry_hash(entry)
        fixedsql.insert([entry])
        _move_head(chain_key, entry.seq, entry.hash)
    return entry


# The chain head is read and moved by two fixed statements: every service call appends an entry,
# and building the equivalent ORM queries cost ten times what the database does with them.
_head_statements: dict = {}


def _head_sql() -> tuple[str, str]:
    found = _head_statements.get((connection.alias, connection.vendor))
    if found is None:
        q = connection.ops.quote_name
        table, key, seq, hash_ = (q(AuditChain._meta.db_table), q("key"), q("last_seq"), q("last_hash"))
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        found = _head_statements[(connection.alias, connection.vendor)] = (
            f"SELECT {seq}, {hash_} FROM {table} WHERE {key} = %s{lock}",
            f"UPDATE {table} SET {seq} = %s, {hash_} = %s WHERE {key} = %s")
    return found


def _lock_head(key: str) -> tuple[int, str]:
    """The chain's last (seq, hash), its row locked until commit (so links never fork); a new
    chain's head row is created first."""
    with fixedsql.cursor() as cursor:
        cursor.execute(_head_sql()[0], [key])
        row = cursor.fetchone()
    if row is None:
        chain, _ = AuditChain.objects.select_for_update().get_or_create(key=key)
        return chain.last_seq, chain.last_hash
    return int(row[0]), row[1]


def _move_head(key: str, seq: int, hash_: str) -> None:
    with fixedsql.cursor() as cursor:
        cursor.execute(_head_sql()[1], [seq, hash_, key])


def _actor_label(actor) -> str:
    if actor is None:
        return "Hệ thống"
    if isinstance(actor, str):
        return actor
    return (getattr(actor, "display_name", None) or str(actor))[:200]


@dataclass
class BrokenLink:
    chain: str
    seq: int
    entry_id: int | None
    reason: str


def verify_chains() -> tuple[int, list[BrokenLink]]:
    """Recompute every chain; return (entries checked, first broken link of each broken chain)."""
    checked = 0
    broken: list[BrokenLink] = []
    for chain in AuditChain.objects.order_by("key"):
        expected_prev, expected_seq, problem = "", 1, None
        for entry in AuditEntry.objects.filter(chain=chain.key).order_by("seq").iterator(chunk_size=2000):
            checked += 1
            if entry.seq != expected_seq:
                problem = BrokenLink(chain.key, expected_seq, entry.pk, "missing entry (gap in sequence)")
            elif entry.prev_hash != expected_prev:
                problem = BrokenLink(chain.key, entry.seq, entry.pk, "previous-hash link does not match")
            elif entry_hash(entry) != entry.hash:
                problem = BrokenLink(chain.key, entry.seq, entry.pk, "entry content changed after it was written")
            if problem:
                break
            expected_prev, expected_seq = entry.hash, entry.seq + 1
        if problem is None and (chain.last_seq != expected_seq - 1 or chain.last_hash != expected_prev):
            problem = BrokenLink(chain.key, expected_seq, None, "entries removed from the end of the chain")
        if problem:
            broken.append(problem)
    return checked, broken


def history_of(obj, *, limit: int = 200):
    """An object's audit entries, oldest first (shown on its page)."""
    return (AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
            .select_related("actor").order_by("at", "id")[:limit])

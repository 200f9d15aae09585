"""The append-only audit log in the store: append, head and verify.

Appends join the caller's transaction, so an audited change and its entry commit
or roll back together. They serialise: on PostgreSQL through a transaction-scoped
advisory lock, on SQLite by becoming the database's single writer before reading
the head. ``seq`` is the head's plus one and the table's primary key, so even a
writer that bypassed the lock could only fail on a duplicate key, never fork the
chain. On SQLite, a transaction that read other tables before appending should be
opened with :func:`corpcredit.store.begin_write`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from corpcredit.audit.chain import (
    GENESIS_HASH,
    AuditError,
    ChainBroken,
    Head,
    canonical_content,
    canonical_json,
    entry_hash,
)
from corpcredit.store.schema import audit_log

__all__ = ["AuditEntry", "ChainProblem", "VerifyResult", "append", "head", "verify"]

# pg_advisory_xact_lock key for appends ("corpaudt" in ASCII).
_APPEND_LOCK = 0x636F727061756474


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit log, as stored."""

    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainProblem:
    """The first entry that does not verify: its ``seq``, which field, and how."""

    seq: int
    field: str
    message: str


@dataclass(frozen=True)
class VerifyResult:
    """``entries`` verified in order up to ``head``; ``problem`` is the first failure."""

    entries: int
    head: Head
    problem: ChainProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def raise_for_problem(self) -> None:
        """Raise :class:`ChainBroken` naming the first bad entry, if there is one."""
        if self.problem is not None:
            p = self.problem
            raise ChainBroken(
                f"audit chain broken at entry {p.seq} ({p.field}): {p.message}",
                details={"seq": p.seq, "field": p.field},
            )


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_APPEND_LOCK)))
    else:
        # SQLite allows one writer at a time. A write statement, even one matching no
        # row, makes this transaction the writer until it ends, so the head read
        # next is the latest and stays so until commit.
        conn.execute(sa.update(audit_log).where(audit_log.c.seq < 0).values(seq=audit_log.c.seq))


def head(conn: Connection) -> Head:
    """The newest entry's ``(seq, hash)``; ``(0, GENESIS_HASH)`` for an empty log."""
    row = conn.execute(
        sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return Head(0, GENESIS_HASH) if row is None else Head(int(row.seq), str(row.hash))


def append(
    conn: Connection,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    payload: Mapping[str, Any],
    *,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry within the caller's transaction and return it."""
    for name, value in (
        ("actor", actor),
        ("action", action),
        ("object_type", object_type),
        ("object_id", object_id),
    ):
        if not isinstance(value, str) or not value:
            raise AuditError(f"audit {name} must be a non-empty string, got {value!r}")
    if not isinstance(payload, Mapping):
        raise AuditError(f"audit payload must be a mapping, got {type(payload).__name__}")
    payload_json = canonical_json(payload)
    stored_payload = json.loads(payload_json)  # exactly what verify will read back
    if at is not None and (at.tzinfo is None or at.utcoffset() is None):
        raise AuditError(f"audit time must be timezone-aware, got {at!r}")
    at = (at or datetime.now(UTC)).astimezone(UTC)
    _lock(conn)
    prev = head(conn)
    content = canonical_content(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        payload=stored_payload,
        at=at,
    )
    entry = AuditEntry(
        seq=prev.seq + 1,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        payload=stored_payload,
        prev_hash=prev.hash,
        hash=entry_hash(prev.hash, content),
    )
    conn.execute(audit_log.insert().values({**asdict(entry), "payload": payload_json}))
    return entry


def verify(
    conn: Connection, *, expected_head: Head | None = None, batch_size: int = 1000
) -> VerifyResult:
    """Walk the chain in ``seq`` order, streaming, and report the first bad entry.

    With ``expected_head`` (a head published earlier) the chain must also contain
    that entry unchanged, which catches entries removed from the end.
    """
    at_column: Any = audit_log.c.at
    if conn.dialect.name == "sqlite":
        # SQLite would accept any text here; read it raw so a mangled value is
        # reported as a bad entry instead of failing the whole walk.
        at_column = sa.type_coerce(audit_log.c.at, sa.String()).label("at")
    columns = [c if c.key != "at" else at_column for c in audit_log.c]
    stmt = sa.select(*columns).order_by(audit_log.c.seq).execution_options(yield_per=batch_size)
    count, last = 0, Head(0, GENESIS_HASH)
    result = conn.execute(stmt)
    try:
        for row in result:
            problem = _check(row, last)
            if (
                problem is None
                and expected_head
                and row.seq == expected_head.seq
                and row.hash != expected_head.hash
            ):
                problem = ChainProblem(
                    row.seq, "hash", f"differs from the published head {expected_head.hash}"
                )
            if problem is not None:
                return VerifyResult(count, last, problem)
            count, last = count + 1, Head(int(row.seq), str(row.hash))
    finally:
        result.close()
    if expected_head and expected_head.seq > last.seq:
        missing = ChainProblem(
            last.seq + 1,
            "seq",
            f"entry is missing: the chain ends at {last.seq} "
            f"but the published head is entry {expected_head.seq}",
        )
        return VerifyResult(count, last, missing)
    return VerifyResult(count, last)


def _parse_at(value: Any) -> datetime:
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _check(row: Row[Any], prev: Head) -> ChainProblem | None:
    """What is wrong with ``row`` given the entry before it, or ``None``."""
    seq = prev.seq + 1
    if row.seq != seq:
        return ChainProblem(seq, "seq", f"entry is missing: entry {row.seq} follows {prev.seq}")
    if row.prev_hash != prev.hash:
        before = "the genesis hash" if prev.seq == 0 else f"the hash of entry {prev.seq}"
        return ChainProblem(seq, "prev_hash", f"{row.prev_hash!r} is not {before} {prev.hash}")
    try:
        at = _parse_at(row.at)
    except (TypeError, ValueError):
        return ChainProblem(seq, "at", f"{row.at!r} is not a timestamp")
    try:
        payload = json.loads(row.payload)
        canonical_payload = canonical_json(payload)
    except (TypeError, ValueError, AuditError):
        return ChainProblem(seq, "payload", "is not valid JSON")
    if canonical_payload != row.payload:
        return ChainProblem(seq, "payload", "is not in canonical form: it was rewritten")
    content = canonical_content(
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        payload=payload,
        at=at,
    )
    computed = entry_hash(prev.hash, content)
    if computed != row.hash:
        return ChainProblem(
            seq, "hash", f"stored {row.hash!r} does not match the content's hash {computed}"
        )
    return None

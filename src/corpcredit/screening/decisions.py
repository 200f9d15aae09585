"""Reviewers' decisions: "not this one", remembered and honoured by later screenings.

A decision is keyed by the query's normalised form (:attr:`NameForm.key`), so it
holds for every spelling of the same name (``华信（杭州）科技`` and
``杭州華信科技有限公司`` alike) and for the same organisation only. Each decision
and each withdrawal is appended to the audit log in the same transaction; open
the connection with :func:`corpcredit.store.begin_write`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit import audit, ids
from corpcredit.screening.errors import ScreeningInputError, UnknownDecision
from corpcredit.screening.normalise import normalise
from corpcredit.screening.schema import screening_decisions as t
from corpcredit.store.schema import entities

__all__ = ["Decision", "list_decisions", "not_this_one", "rejected_for", "withdraw"]

_CHUNK = 500


@dataclass(frozen=True)
class Decision:
    """One stored decision (``withdrawn_at`` set once withdrawn)."""

    id: int
    query_key: str
    usci: str
    decision: str
    query: str
    note: str | None
    decided_by: str
    decided_at: datetime
    withdrawn_at: datetime | None


def _key(query: str) -> str:
    form = normalise(query)
    if not form.core:
        raise ScreeningInputError(f"{query!r} has no name left to decide about once normalised")
    return form.key


def _usci(conn: Connection, usci: str) -> str:
    code = ids.validate(usci)
    found = conn.execute(sa.select(entities.c.usci).where(entities.c.usci == code)).first()
    if found is None:
        raise UnknownDecision(f"{code} is not in the registry")
    return code


def not_this_one(
    conn: Connection,
    query: str,
    usci: str,
    *,
    by: str,
    note: str | None = None,
    at: datetime | None = None,
) -> Decision:
    """Record that ``usci`` is not the organisation meant by ``query`` (idempotent)."""
    key, code = _key(query), _usci(conn, usci)
    at = at or datetime.now(UTC)
    values = {"query": query, "note": note, "decided_by": by, "decided_at": at}
    existing = conn.execute(
        sa.select(t.c.id).where(t.c.query_key == key, t.c.usci == code)
    ).scalar_one_or_none()
    if existing is None:
        conn.execute(t.insert().values(query_key=key, usci=code, decision="not_this_one", **values))
    else:
        conn.execute(t.update().where(t.c.id == existing).values(withdrawn_at=None, **values))
    audit.append(
        conn, by, "screening.not_this_one", "screening_decision", code,
        {"query": query, "query_key": key, "note": note}, at=at,
    )  # fmt: skip
    return _one(conn, key, code)


def withdraw(
    conn: Connection, query: str, usci: str, *, by: str, at: datetime | None = None
) -> bool:
    """Withdraw an active decision; ``False`` when there was none."""
    key, code = _key(query), ids.validate(usci)
    at = at or datetime.now(UTC)
    done = conn.execute(
        t.update()
        .where(t.c.query_key == key, t.c.usci == code, t.c.withdrawn_at.is_(None))
        .values(withdrawn_at=at)
    ).rowcount
    if done:
        audit.append(
            conn, by, "screening.decision_withdrawn", "screening_decision", code,
            {"query": query, "query_key": key}, at=at,
        )  # fmt: skip
    return bool(done)


def _one(conn: Connection, key: str, usci: str) -> Decision:
    row = conn.execute(sa.select(t).where(t.c.query_key == key, t.c.usci == usci)).one()
    return Decision(**row._mapping)


def rejected_for(conn: Connection, keys: Iterable[str]) -> dict[str, set[str]]:
    """For each query key, the organisations reviewers ruled out (active decisions)."""
    wanted = sorted(set(keys))
    found: dict[str, set[str]] = {}
    for i in range(0, len(wanted), _CHUNK):
        q = sa.select(t.c.query_key, t.c.usci).where(
            t.c.query_key.in_(wanted[i : i + _CHUNK]), t.c.withdrawn_at.is_(None)
        )
        for key, usci in conn.execute(q):
            found.setdefault(key, set()).add(usci)
    return found


def list_decisions(conn: Connection, *, include_withdrawn: bool = False) -> list[Decision]:
    """Every decision, newest first."""
    q = sa.select(t).order_by(t.c.decided_at.desc(), t.c.id.desc())
    if not include_withdrawn:
        q = q.where(t.c.withdrawn_at.is_(None))
    return [Decision(**r._mapping) for r in conn.execute(q)]

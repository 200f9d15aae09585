"""Reading the present :class:`~corpcredit.monitoring.changes.WatchState` of organisations.

From the materialised results (score, grade, list flags), the records (public
ones: a general or serious tier, or a tax grade C or D, not withdrawn), record
events (``repaired``, ``withdrawn``) and repair cases that were decided
(approved, rejected, revoked).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.monitoring.changes import WatchState
from corpcredit.store.schema import record_events, records, results
from corpcredit.store.schema_cases import repair_cases

__all__ = ["current_states"]

_CHUNK = 500
_PUBLIC_TIERS = ("general", "serious")
_DECIDED = ("refused_at_intake", "approved", "rejected", "revoked")


def _key(source: str, record_id: str) -> str:
    return f"{source}/{record_id}"


def current_states(conn: Connection, uscis: Iterable[str]) -> dict[str, WatchState]:
    """The present state of each of ``uscis`` that the registry holds."""
    wanted = sorted(set(uscis))
    out: dict[str, WatchState] = {}
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        public: dict[str, set[str]] = {u: set() for u in chunk}
        repairs: dict[str, set[str]] = {u: set() for u in chunk}
        withdrawn: dict[str, set[str]] = {u: set() for u in chunk}
        q = sa.select(
            records.c.usci, records.c.source, records.c.record_id, records.c.tier,
            records.c.kind, records.c.grade,
        ).where(records.c.usci.in_(chunk))  # fmt: skip
        for r in conn.execute(q):
            if r.tier in _PUBLIC_TIERS or (r.kind == "tax_grade" and r.grade in ("C", "D")):
                public[r.usci].add(_key(r.source, r.record_id))
        ev = (
            sa.select(records.c.usci, records.c.source, records.c.record_id, record_events.c.event)
            .select_from(
                record_events.join(
                    records,
                    sa.and_(
                        records.c.source == record_events.c.source,
                        records.c.record_id == record_events.c.record_id,
                    ),
                )
            )
            .where(records.c.usci.in_(chunk), record_events.c.event.in_(("repaired", "withdrawn")))
        )
        for e in conn.execute(ev):
            key = _key(e.source, e.record_id)
            (repairs if e.event == "repaired" else withdrawn)[e.usci].add(f"{key} {e.event}")
        cases = sa.select(repair_cases.c.usci, repair_cases.c.case_id, repair_cases.c.state).where(
            repair_cases.c.usci.in_(chunk), repair_cases.c.state.in_(_DECIDED)
        )
        for c in conn.execute(cases):
            repairs[c.usci].add(f"case {c.case_id} {c.state}")
        scored = {
            r["usci"]: r
            for r in conn.execute(sa.select(results).where(results.c.usci.in_(chunk))).mappings()
        }
        for usci in chunk:
            res = scored.get(usci)
            lists = frozenset(x for x in ("black", "red", "abnormal") if res is not None and res[x])
            out[usci] = WatchState(
                score=None if res is None else res["score"],
                grade=None if res is None else (res["grade"] or None),
                lists=lists,
                public=frozenset(public[usci] - {w.rsplit(" ", 1)[0] for w in withdrawn[usci]}),
                repairs=frozenset(repairs[usci]),
                withdrawn=frozenset(w.rsplit(" ", 1)[0] for w in withdrawn[usci]),
            )
    return out

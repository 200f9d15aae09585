"""Change events: found by a scan after each rescore, stored, listed by cursor.

:func:`scan` compares every watched organisation (or those given: the ones a
rescore touched) with its remembered state, stores one event per change, queues
one webhook delivery per event and receiver of each watching account, and
remembers the new state — all in the caller's transaction (open it with
:func:`corpcredit.store.begin_write`). The first scan of an organisation only
records its state. Rescoring calls :func:`scan_rescored` with the organisations it
rescored, so every rescore (ingestion, repair and objection decisions, the daily
refresh, a full rescore) emits its events without a separate ``watch scan``.
:func:`list_events` pages through an account's events with a ``since`` cursor
(the last event id seen).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.monitoring.changes import WatchState, describe, diff
from corpcredit.monitoring.schema import monitor_events as ev
from corpcredit.monitoring.schema import (
    watch_states,
    watchlist_entries,
    webhook_deliveries,
    webhooks,
)
from corpcredit.monitoring.state import current_states
from corpcredit.monitoring.watchlist import account_id, watchers
from corpcredit.store.schema import entities

__all__ = ["MAX_PAGE", "MonitorEvent", "list_events", "recent_events", "scan", "scan_rescored"]

MAX_PAGE = 500


@dataclass(frozen=True)
class MonitorEvent:
    """One stored change of one organisation."""

    id: int
    usci: str
    name: str
    kind: str
    detail: dict[str, Any]
    occurred_at: datetime

    @property
    def summary(self) -> str:
        return describe(self.kind, self.detail)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "usci": self.usci,
            "name": self.name,
            "kind": self.kind,
            "detail": self.detail,
            "summary": self.summary,
            "occurred_at": self.occurred_at.isoformat(),
        }


def _remembered(conn: Connection, uscis: list[str]) -> dict[str, WatchState]:
    q = sa.select(watch_states.c.usci, watch_states.c.state).where(watch_states.c.usci.in_(uscis))
    return {usci: WatchState.from_json(state) for usci, state in conn.execute(q)}


def scan(
    conn: Connection, uscis: Iterable[str] | None = None, *, at: datetime | None = None
) -> list[int]:
    """Store the changes of watched organisations; return the new events' ids."""
    at = at or datetime.now(UTC)
    watching = watchers(conn, None if uscis is None else list(uscis))
    wanted = sorted(watching)
    states = current_states(conn, wanted)
    remembered = _remembered(conn, wanted)
    receivers: dict[int, list[int]] = {}
    for acc, hook in conn.execute(
        sa.select(webhooks.c.account_id, webhooks.c.id).where(webhooks.c.disabled_at.is_(None))
    ):
        receivers.setdefault(int(acc), []).append(int(hook))
    new: list[int] = []
    for usci in wanted:
        before, after = remembered.get(usci), states[usci]
        for change in diff(before, after):
            event_id = conn.execute(
                ev.insert()
                .values(usci=usci, kind=change.kind, detail=change.detail, occurred_at=at)
                .returning(ev.c.id)
            ).scalar_one()
            new.append(int(event_id))
            hooks = [h for acc, _ in watching[usci] for h in receivers.get(acc, [])]
            if hooks:
                conn.execute(
                    webhook_deliveries.insert(),
                    [
                        {"webhook_id": h, "event_id": event_id, "state": "pending",
                         "attempts": 0, "next_attempt_at": at}
                        for h in sorted(set(hooks))
                    ],
                )  # fmt: skip
        if before is None:
            conn.execute(watch_states.insert().values(usci=usci, state=after.to_json(), seen_at=at))
        elif before != after:
            conn.execute(
                watch_states.update()
                .where(watch_states.c.usci == usci)
                .values(state=after.to_json(), seen_at=at)
            )
    return new


def scan_rescored(
    conn: Connection, scope: sa.Select[Any] | None = None, *, at: datetime | None = None
) -> list[int]:
    """:func:`scan` the watched organisations among ``scope`` (a select of USCIs: what
    a rescore just touched), or all watched ones; nothing when none is watched."""
    if scope is None:
        return scan(conn, at=at)
    q = sa.select(watchlist_entries.c.usci).where(watchlist_entries.c.usci.in_(scope)).distinct()
    wanted = list(conn.execute(q).scalars())
    return scan(conn, wanted, at=at) if wanted else []


def _account_events(conn: Connection, account: str | int) -> sa.Select[Any]:
    acc = account_id(conn, account)
    w = watchlist_entries
    return (
        sa.select(ev.c.id, ev.c.usci, entities.c.name, ev.c.kind, ev.c.detail, ev.c.occurred_at)
        .select_from(
            ev.join(w, sa.and_(w.c.usci == ev.c.usci, w.c.account_id == acc)).join(
                entities, entities.c.usci == ev.c.usci
            )
        )
        .where(ev.c.occurred_at >= w.c.added_at)
    )


def list_events(
    conn: Connection, account: str | int, *, since: int = 0, limit: int = 100
) -> list[MonitorEvent]:
    """The account's events after event ``since`` (oldest first), for organisations it
    watched when they happened."""
    q = (
        _account_events(conn, account)
        .where(ev.c.id > since)
        .order_by(ev.c.id)
        .limit(max(1, min(limit, MAX_PAGE)))
    )
    return [MonitorEvent(**r._mapping) for r in conn.execute(q)]


def recent_events(conn: Connection, account: str | int, *, limit: int = 50) -> list[MonitorEvent]:
    """The account's latest ``limit`` events, oldest first (a feed, a page)."""
    q = _account_events(conn, account).order_by(ev.c.id.desc()).limit(max(1, min(limit, MAX_PAGE)))
    return [MonitorEvent(**r._mapping) for r in reversed(conn.execute(q).all())]

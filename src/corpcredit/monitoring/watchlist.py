"""Watchlists: which organisations each account watches.

Accounts are those of :mod:`corpcredit.cases.accounts`, named by username or
given by id (an API token bound to an account knows the id). Adding an
organisation the registry does not hold is refused; adding one twice is a no-op
that keeps the first label and date. When nobody watched the organisation
before, its present state becomes the baseline the next scan compares with, so
the very next rescore that changes it makes an event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit import ids
from corpcredit.errors import NotFound
from corpcredit.monitoring.schema import watch_states
from corpcredit.monitoring.schema import watchlist_entries as w
from corpcredit.monitoring.state import current_states
from corpcredit.store.schema import entities
from corpcredit.store.schema_cases import accounts

__all__ = ["UnknownAccount", "Watched", "account_id", "unwatch", "watch", "watched", "watchers"]


_CHUNK = 500


class UnknownAccount(NotFound):
    code = "account.not_found"


@dataclass(frozen=True)
class Watched:
    """One watchlist entry, with the organisation's registered name."""

    usci: str
    name: str
    label: str | None
    added_at: datetime


def account_id(conn: Connection, account: str | int) -> int:
    """The id of an account (given by username or id), or :class:`UnknownAccount`."""
    column = accounts.c.id if isinstance(account, int) else accounts.c.username
    found = conn.execute(sa.select(accounts.c.id).where(column == account)).scalar_one_or_none()
    if found is None:
        raise UnknownAccount(f"there is no account {account!r}")
    return int(found)


def _baseline(conn: Connection, usci: str, at: datetime) -> None:
    """Remember the organisation's present state (replacing a stale one)."""
    state = current_states(conn, [usci])[usci]
    conn.execute(watch_states.delete().where(watch_states.c.usci == usci))
    conn.execute(watch_states.insert().values(usci=usci, state=state.to_json(), seen_at=at))


def watch(
    conn: Connection, account: str | int, usci: str, *, label: str | None = None,
    at: datetime | None = None,
) -> bool:  # fmt: skip
    """Add ``usci`` to the account's watchlist; ``False`` if it was there already."""
    acc, code = account_id(conn, account), ids.validate(usci)
    if conn.execute(sa.select(entities.c.usci).where(entities.c.usci == code)).first() is None:
        raise NotFound(f"{code} is not in the registry", code="entity.not_found")
    watching = {a for (a,) in conn.execute(sa.select(w.c.account_id).where(w.c.usci == code))}
    if acc in watching:
        return False
    at = at or datetime.now(UTC)
    conn.execute(w.insert().values(account_id=acc, usci=code, label=label, added_at=at))
    if not watching:
        _baseline(conn, code, at)
    return True


def unwatch(conn: Connection, account: str | int, usci: str) -> bool:
    """Remove ``usci`` from the account's watchlist; ``False`` if it was not there."""
    acc, code = account_id(conn, account), ids.validate(usci)
    done = conn.execute(w.delete().where(w.c.account_id == acc, w.c.usci == code)).rowcount
    return bool(done)


def watched(conn: Connection, account: str | int) -> list[Watched]:
    """The account's watchlist, in the order entries were added."""
    acc = account_id(conn, account)
    q = (
        sa.select(w.c.usci, entities.c.name, w.c.label, w.c.added_at)
        .select_from(w.join(entities, entities.c.usci == w.c.usci))
        .where(w.c.account_id == acc)
        .order_by(w.c.added_at, w.c.usci)
    )
    return [Watched(**r._mapping) for r in conn.execute(q)]


def watchers(
    conn: Connection, uscis: Iterable[str] | None = None
) -> dict[str, list[tuple[int, datetime]]]:
    """Every watched organisation (of ``uscis``, or all) with its watchers (account id,
    since when)."""
    q = sa.select(w.c.usci, w.c.account_id, w.c.added_at)
    if uscis is None:
        queries = [q]
    else:
        wanted = sorted(set(uscis))
        queries = [
            q.where(w.c.usci.in_(wanted[i : i + _CHUNK])) for i in range(0, len(wanted), _CHUNK)
        ]
    out: dict[str, list[tuple[int, datetime]]] = {}
    for query in queries:
        for usci, acc, added in conn.execute(query):
            out.setdefault(usci, []).append((int(acc), added))
    return out

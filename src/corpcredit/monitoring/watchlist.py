"""Watchlists: which organisations each account watches.

Accounts are those of :mod:`corpcredit.cases.accounts`, named by username. Adding
an organisation the registry does not hold is refused; adding one twice is a
no-op that keeps the first label and date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit import ids
from corpcredit.errors import NotFound
from corpcredit.monitoring.schema import watchlist_entries as w
from corpcredit.store.schema import entities
from corpcredit.store.schema_cases import accounts

__all__ = ["UnknownAccount", "Watched", "account_id", "unwatch", "watch", "watched", "watchers"]


class UnknownAccount(NotFound):
    code = "account.not_found"


@dataclass(frozen=True)
class Watched:
    """One watchlist entry, with the organisation's registered name."""

    usci: str
    name: str
    label: str | None
    added_at: datetime


def account_id(conn: Connection, username: str) -> int:
    """The id of an account, or :class:`UnknownAccount`."""
    found = conn.execute(
        sa.select(accounts.c.id).where(accounts.c.username == username)
    ).scalar_one_or_none()
    if found is None:
        raise UnknownAccount(f"there is no account {username!r}")
    return int(found)


def watch(
    conn: Connection, username: str, usci: str, *, label: str | None = None,
    at: datetime | None = None,
) -> bool:  # fmt: skip
    """Add ``usci`` to the account's watchlist; ``False`` if it was there already."""
    acc, code = account_id(conn, username), ids.validate(usci)
    if conn.execute(sa.select(entities.c.usci).where(entities.c.usci == code)).first() is None:
        raise NotFound(f"{code} is not in the registry", code="entity.not_found")
    there = conn.execute(sa.select(w.c.usci).where(w.c.account_id == acc, w.c.usci == code)).first()
    if there is not None:
        return False
    conn.execute(
        w.insert().values(account_id=acc, usci=code, label=label, added_at=at or datetime.now(UTC))
    )
    return True


def unwatch(conn: Connection, username: str, usci: str) -> bool:
    """Remove ``usci`` from the account's watchlist; ``False`` if it was not there."""
    acc, code = account_id(conn, username), ids.validate(usci)
    done = conn.execute(w.delete().where(w.c.account_id == acc, w.c.usci == code)).rowcount
    return bool(done)


def watched(conn: Connection, username: str) -> list[Watched]:
    """The account's watchlist, in the order entries were added."""
    acc = account_id(conn, username)
    q = (
        sa.select(w.c.usci, entities.c.name, w.c.label, w.c.added_at)
        .select_from(w.join(entities, entities.c.usci == w.c.usci))
        .where(w.c.account_id == acc)
        .order_by(w.c.added_at, w.c.usci)
    )
    return [Watched(**r._mapping) for r in conn.execute(q)]


def watchers(conn: Connection) -> dict[str, list[tuple[int, datetime]]]:
    """Every watched organisation with its watchers (account id, since when)."""
    out: dict[str, list[tuple[int, datetime]]] = {}
    for usci, acc, added in conn.execute(sa.select(w.c.usci, w.c.account_id, w.c.added_at)):
        out.setdefault(usci, []).append((int(acc), added))
    return out

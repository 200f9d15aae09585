"""The event loop's kept connection: each read its own transaction, never shared at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from corpcredit.store import create_engine_for
from corpcredit.web.connection import KeptConnection


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    return engine


def _count(conn: sa.Connection) -> int:
    return int(conn.execute(sa.text("SELECT count(*) FROM t")).scalar_one())


def _reading(conn: sa.Connection) -> bool:
    """Whether SQLite holds a transaction open on the connection (a snapshot)."""
    return bool(conn.connection.driver_connection.in_transaction)


def _insert(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))


def test_one_connection_serves_read_after_read_each_seeing_what_was_committed_since(
    engine: sa.Engine,
) -> None:
    kept = KeptConnection(engine)
    with kept.connect() as first:
        assert _count(first) == 0
        assert _reading(first)
    assert not _reading(first)  # no snapshot is held between reads
    _insert(engine)
    with kept.connect() as second:
        assert second is first
        assert _count(second) == 1
    kept.close()
    assert first.closed
    with kept.connect() as third:
        assert third is not first and _count(third) == 1
    kept.close()
    engine.dispose()


def test_a_read_while_another_thread_holds_it_gets_a_connection_of_its_own(
    engine: sa.Engine,
) -> None:
    kept = KeptConnection(engine)
    inside, release = threading.Event(), threading.Event()
    held: list[sa.Connection] = []

    def hold() -> None:
        with kept.connect() as conn:
            held.append(conn)
            inside.set()
            release.wait(10)

    other = threading.Thread(target=hold)
    other.start()
    assert inside.wait(10)
    with kept.connect() as conn:
        assert conn is not held[0]
        assert _count(conn) == 0
    assert conn.closed  # given back to the pool, as any connection of its own
    release.set()
    other.join(10)
    with kept.connect() as again:
        assert again is held[0]  # the kept one again, once free
    kept.close()
    engine.dispose()


def test_a_failed_read_ends_its_transaction_and_the_connection_stays_usable(
    engine: sa.Engine,
) -> None:
    kept = KeptConnection(engine)
    with pytest.raises(sa.exc.OperationalError), kept.connect() as conn:
        _count(conn)
        conn.execute(sa.text("SELECT * FROM missing"))
    assert not _reading(conn)
    _insert(engine)
    with kept.connect() as again:
        assert _count(again) == 1
    kept.close()
    engine.dispose()

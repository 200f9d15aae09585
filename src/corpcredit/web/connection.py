"""One connection to the registry, kept open for the reads answered on the event loop.

Today's view of an organisation and a name search are answered on the event loop
(a few indexed reads, cheaper than the hop through the thread pool). Taking a
connection from SQLAlchemy's pool for each and handing it back (checkout, the
pool's events, the reset on return) costs as much processor time as two of those
reads; :class:`KeptConnection` opens one connection once and lends it to one read
after another. Each read is its own transaction, as with a fresh connection: it is
rolled back when the read ends, so the next one sees whatever was committed since,
and no snapshot is held between requests (a WAL checkpoint is never kept waiting).

On SQLite each read's transaction is begun and ended on the driver's connection
(``BEGIN`` … ``ROLLBACK``, what SQLAlchemy itself sends) while SQLAlchemy's own
transaction object stays open across reads: beginning and rolling back through
SQLAlchemy (its transaction object, its events) costs about as much as one of the
reads. Statements run through SQLAlchemy inside a read are in SQLite's transaction
all the same.

The event loop is one thread, so one connection is enough; a read arriving while
another thread holds it (several clients of one app in the tests, the server and a
test client side by side) gets a fresh connection from the pool, as before. A
connection that cannot end its transaction is closed; the next read opens another.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection, Engine

__all__ = ["KeptConnection"]


class KeptConnection:
    """A connection of ``engine`` lent to one read at a time (see the module)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """The kept connection for one read, as ``with engine.connect() as conn``."""
        if not self._lock.acquire(blocking=False):
            with self.engine.connect() as conn:  # another thread reads: one of its own
                yield conn
            return
        try:
            if self._conn is None or self._conn.closed or self._conn.invalidated:
                self._conn = self.engine.connect()
            conn = self._conn
            driver = self._begin(conn)
            try:
                yield conn
            finally:
                self._end(conn, driver)
        finally:
            self._lock.release()

    def close(self) -> None:
        """Give the connection back (the app's shutdown); a later read opens another."""
        with self._lock:
            self._discard()

    @staticmethod
    def _begin(conn: Connection) -> Any:
        """Begin the read's transaction; on SQLite, the driver connection that ends it."""
        if conn.dialect.name != "sqlite":
            return None  # SQLAlchemy begins it with the first statement
        driver = conn.connection.driver_connection
        assert driver is not None
        if not conn.in_transaction():
            conn.begin()  # SQLAlchemy's, kept open; its begin event sends SQLite's BEGIN
        else:
            driver.execute("BEGIN")
        return driver

    def _end(self, conn: Connection, driver: Any) -> None:
        """End the read's transaction, as closing a connection does; a connection that
        cannot is closed (the read's own error, if any, still propagates)."""
        try:
            if driver is None:
                conn.rollback()
            else:
                driver.rollback()  # SQLite's only: SQLAlchemy's stays open for the next
        except Exception:
            self._discard()

    def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

"""Engines, schema upgrades and the one place where SQLite and PostgreSQL differ.

- :func:`create_engine_for` opens SQLite in WAL mode with foreign keys and a busy
  timeout, or PostgreSQL through psycopg 3 (a plain ``postgresql://`` URL is
  translated).
- SQLite transactions are real transactions: SQLAlchemy emits ``BEGIN`` itself
  instead of Python's ``sqlite3`` "legacy" mode, which skips ``BEGIN`` before
  ``SELECT`` and DDL. So reads inside a transaction are repeatable and a migration
  is all-or-nothing. A transaction that reads and then writes should use
  :func:`begin_write`: one writer at a time on both backends, so it neither fails
  half-way on a stale SQLite snapshot nor loses an update on PostgreSQL.
- :func:`upgrade` runs the Alembic migrations packaged in ``store/migrations``; the
  Alembic configuration is built in code, no ``alembic.ini`` is needed.
- :func:`upsert` is the single dialect-specific write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine, make_url

from corpcredit.settings import Settings
from corpcredit.store.errors import DatabaseUnavailable, MigrationFailed, UnsupportedDatabase

__all__ = [
    "alembic_config",
    "begin_write",
    "connect",
    "create_engine_for",
    "current_revision",
    "display_url",
    "head_revision",
    "upgrade",
    "upsert",
    "write_transaction",
]

_MIGRATIONS = Path(__file__).with_name("migrations")
_SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "corpcredit_write"
# pg_advisory_xact_lock key serialising write transactions ("corpwrit" in ASCII).
_WRITER_LOCK = 0x636F727077726974


def _normalise_url(url: str | URL) -> URL:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise UnsupportedDatabase(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed
    if backend == "sqlite":
        return parsed
    raise UnsupportedDatabase(
        f"unsupported database {backend!r}: use sqlite:///path or postgresql://host/db",
        details={"url": display_url(parsed)},
    )


def display_url(url: str | URL) -> str:
    """The URL as given, with any password masked, for messages and ``init``."""
    return make_url(url).render_as_string(hide_password=True)


def create_engine_for(url: str | URL) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, configured as described above.

    A SQLite file's directory is created on first use.
    """
    parsed = _normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    path = parsed.database or ""
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed)
    sa.event.listen(engine, "connect", _sqlite_on_connect)
    sa.event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN, see _sqlite_on_begin
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(_WRITE_OPTION, False):
        # Waits for the write lock; "database is locked" is raised as SQLAlchemy's error.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    # A read's BEGIN takes no lock and cannot fail: sent straight to the driver, it
    # costs a tenth of a statement through SQLAlchemy (events, execution context),
    # which is much of what a page view's handful of indexed reads costs.
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    dbapi.execute("BEGIN")


@contextmanager
def _open(engine: Engine) -> Iterator[Connection]:
    """A connection, translating "cannot reach the database" into a project error."""
    try:
        conn = engine.connect()
    except sa.exc.OperationalError as exc:
        raise DatabaseUnavailable(
            f"cannot open the database {display_url(engine.url)}: {exc.orig}"
        ) from exc
    with conn:
        yield conn


@contextmanager
def write_transaction(conn: Connection) -> Iterator[Connection]:
    """:func:`begin_write` on a connection the caller holds (and may have tuned), for
    work that commits in several transactions on one connection (chunked ingestion,
    a bulk rescore)."""
    conn.execution_options(**{_WRITE_OPTION: True})  # BEGIN IMMEDIATE on SQLite
    with conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_WRITER_LOCK)))
        yield conn


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write, committed on success, rolled back on error.

    Such transactions run one at a time, on both backends: SQLite's write lock is
    taken up front (``BEGIN IMMEDIATE``, waiting up to the busy timeout), and on
    PostgreSQL a transaction-scoped advisory lock gives the same guarantee. So
    reading first and writing what was read is safe. Readers are never blocked.
    """
    with _open(engine) as conn, write_transaction(conn):
        yield conn


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration for the packaged migrations, built in code."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this version of corpcredit knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the packaged migrations have no head"
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision, or ``None`` for a database never initialised."""
    with _open(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the schema to ``revision`` in one transaction; return the revision reached.

    Concurrent upgrades serialise like any :func:`begin_write` transaction, and
    upgrading a database already there changes nothing.
    """
    with _open(engine) as conn:
        try:
            with write_transaction(conn):
                command.upgrade(alembic_config(conn), revision)
                reached = MigrationContext.configure(conn).get_current_revision()
        except (sa.exc.SQLAlchemyError, CommandError) as exc:
            raise MigrationFailed(
                f"could not upgrade {display_url(engine.url)} to {revision}: {exc}",
                details={"url": display_url(engine.url), "revision": revision},
            ) from exc
    assert reached is not None
    return reached


def connect(settings: Settings) -> Engine:
    """The engine for ``settings.database_url``, its schema upgraded to head."""
    engine = create_engine_for(settings.database_url)
    try:
        if current_revision(engine) != head_revision():
            upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def upsert(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    key_columns: Sequence[str],
    update_columns: Sequence[str],
    *,
    only_if_changed: Sequence[str] = (),
) -> None:
    """Insert ``rows``; where ``key_columns`` (a unique key) exist, update ``update_columns``.

    Runs as one executemany statement. With no ``update_columns`` existing rows are
    left alone (insert if absent). With ``only_if_changed`` (e.g. ``["content_hash"]``)
    an existing row is updated only when one of those columns differs, so
    re-ingesting the same data rewrites nothing. When two rows share a key the
    later wins, on both backends (PostgreSQL would otherwise refuse the batch).
    """
    if not rows:
        return
    unique: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        unique[tuple(row[k] for k in key_columns)] = row
    if conn.dialect.name == "postgresql":
        insert: Any = postgresql.insert(table)
    elif conn.dialect.name == "sqlite":
        insert = sqlite.insert(table)
    else:  # pragma: no cover - create_engine_for refuses other backends
        raise UnsupportedDatabase(f"upsert is not implemented for {conn.dialect.name}")
    if update_columns:
        excluded = insert.excluded
        changed = [table.c[c].is_distinct_from(excluded[c]) for c in only_if_changed]
        stmt = insert.on_conflict_do_update(
            index_elements=[table.c[k] for k in key_columns],
            set_={c: excluded[c] for c in update_columns},
            where=sa.or_(*changed) if changed else None,
        )
    else:
        stmt = insert.on_conflict_do_nothing(index_elements=[table.c[k] for k in key_columns])
    conn.execute(stmt, list(unique.values()))

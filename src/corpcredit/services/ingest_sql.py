"""Bulk SQL for ingestion and materialisation: temporary tables, fast loads, raw reads.

Every statement is built with SQLAlchemy Core except the two paths where per-row
overhead decides the throughput, and there the rows go straight to the driver:

- :func:`insert_frame` loads a Polars frame into a table: ``executemany`` on
  SQLite with values already in SQLAlchemy's storage format (ISO dates, naive-UTC
  timestamps ``YYYY-MM-DD HH:MM:SS.ffffff``, booleans 0/1, numerics as REAL), and
  ``COPY … FROM STDIN`` on PostgreSQL. SQLAlchemy's per-value bind processing would
  cost three times as much. A connection given scratch space
  (:func:`corpcredit.services.sqlite_arrow.scratch_space`) loads large frames in C
  through it instead.
- :func:`fetch_frame` runs a Core ``SELECT`` on the driver's cursor and builds the
  frame column by column, parsing SQLite's text dates in Polars rather than in
  Python, one value at a time.

Both run on the caller's connection, inside its transaction. Temporary tables
(:func:`temp_table`) hold key sets for joins, so no statement ever carries
thousands of parameters; they live on the connection and are emptied before use.

A writer that commits large transactions one after another on a SQLite file can
have its write-ahead log checkpointed beside it (:func:`checkpoints_beside`).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.services import sqlite_arrow
from corpcredit.services.sqlite_arrow import (
    insert_via_scratch,
    parse_stored,
    sqlite_file,
    stored_type,
    sync_via_scratch,
)

__all__ = [
    "ROW_NUMBER",
    "TEMP_METADATA",
    "Checkpoints",
    "checkpoints_beside",
    "fetch_frame",
    "insert_frame",
    "iter_fetch",
    "references_by_construction",
    "reset_temp",
    "sqlite_values",
    "synced",
    "temp_table",
    "tune_for_bulk",
]

#: Temporary tables are not part of the registry schema (nor of its migrations).
TEMP_METADATA = sa.MetaData()
_SQL_CACHE: dict[tuple[object, str], str] = {}
_FETCH_ROWS = 100_000
_INSERT_ROWS = 100_000
_SQLITE_TIMESTAMP = "%Y-%m-%d %H:%M:%S%.6f"

log = logging.getLogger(__name__)


#: SQLite settings for a connection that writes in bulk (see :func:`tune_for_bulk`).
_SQLITE_BULK_PRAGMAS = (
    "PRAGMA cache_size=-262144",  # 256 MiB of page cache: index inserts stay in memory
    "PRAGMA temp_store=MEMORY",  # staging tables never touch the disk
    "PRAGMA synchronous=NORMAL",  # WAL: no fsync per commit; still atomic and consistent
)


def tune_for_bulk(conn: Connection) -> None:
    """Give a fresh connection (no transaction yet) settings for bulk writes.

    Only SQLite needs any: its default 2 MiB page cache makes every index insert of a
    large registry a disk read, and ``synchronous=FULL`` syncs the WAL on every
    commit. With ``NORMAL`` in WAL mode a commit survives a killed process (what
    crash consistency is about) and the database stays consistent after a power
    loss, which may only roll back the last commits; a resumed ingest redoes them.
    """
    if conn.dialect.name != "sqlite" or conn.in_transaction():
        return
    dbapi: Any = conn.connection.driver_connection
    for pragma in _SQLITE_BULK_PRAGMAS:
        dbapi.execute(pragma)


@contextmanager
def references_by_construction(conn: Connection) -> Iterator[None]:
    """Leave SQLite's foreign keys unenforced on ``conn`` (no transaction yet) while
    its writer makes every reference hold itself, then enforce them again.

    Ingestion does: a record lands only after the probe that refuses rows naming
    a missing entity, in the same write transaction (the single writer on SQLite,
    and entities are never deleted); a version row takes its record's id from the
    record it joins; an event lands only when its record is stored; quarantine
    rows and records name the batch opened before them; the rescore writes derived
    rows for entities it read in that transaction. Enforcing them costs a lookup
    of the parent for each row written, about a sixth of a large ingestion's
    processor time (tests check ``PRAGMA foreign_key_check`` after ingestions). A
    connection left inside a transaction is invalidated, so the pool never hands
    one out without them. Other databases keep enforcing them.
    """
    if conn.dialect.name != "sqlite" or conn.in_transaction():
        yield
        return
    dbapi: Any = conn.connection.driver_connection
    dbapi.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if conn.invalidated:
            pass
        elif conn.in_transaction():
            conn.invalidate()
        else:
            dbapi.execute("PRAGMA foreign_keys=ON")


class Checkpoints:
    """Checkpoints of a SQLite file's write-ahead log, run beside its writer.

    SQLite copies the log back into the file (a checkpoint) in the commit that takes
    the log past 1,000 pages: every chunk of a large ingestion, where that copy and
    its two ``fsync`` took a fifth of the time and stopped the writer meanwhile.
    Once :meth:`take_over` is called, the writer's connection no longer checkpoints
    and, after each of its commits (:meth:`committed`), a thread does the same
    checkpoint (``PASSIVE``, as SQLite's own) on a connection of its own, while the
    writer reads and checks its next chunk. The writer waits for it
    (:meth:`caught_up`) before its next write transaction: SQLite starts the log
    afresh only in a transaction that began with every frame copied back, so
    without the wait the log would grow by every chunk of the file. What is
    committed and when it is synced are as before: the log is synced by each
    checkpoint, which follows each commit, and a process killed at any point leaves
    a log SQLite recovers. :meth:`close` runs the last checkpoint and waits for it,
    and gives the writer back its own. Elsewhere (another database, a file in
    memory) every method does nothing.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._path = sqlite_file(conn)
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._wanted = False
        self._running = False
        self._closing = False
        self._ended = False
        self._autocheckpoint = 0
        #: Checkpoints run, and the last one's ``(busy, log frames, frames copied)``.
        self.done = 0
        self.last: tuple[int, int, int] | None = None

    def take_over(self) -> None:
        """From now on, checkpoint beside the writer (before a large transaction)."""
        if self._path is None or self._thread is not None:
            return
        dbapi: Any = self._conn.connection.driver_connection
        self._autocheckpoint = int(dbapi.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        if self._autocheckpoint <= 0:
            return  # the writer does not checkpoint anyway: neither does this
        dbapi.execute("PRAGMA wal_autocheckpoint=0")
        self._thread = threading.Thread(
            target=self._run, name="corpcredit-wal-checkpoint", daemon=True
        )
        self._thread.start()

    def committed(self) -> None:
        """The writer committed: checkpoint (commits that come meanwhile share one)."""
        if self._thread is None:
            return
        with self._cond:
            self._wanted = True
            self._cond.notify_all()

    def caught_up(self) -> None:
        """Wait until the checkpoint asked for has run (before a write transaction)."""
        if self._thread is None:
            return
        with self._cond:
            self._cond.wait_for(lambda: self._ended or not (self._wanted or self._running))

    def close(self) -> None:
        """Run the last checkpoint, wait for it, and let the writer checkpoint again."""
        if self._thread is None:
            return
        with self._cond:
            self._wanted = self._closing = True
            self._cond.notify_all()
        self._thread.join()
        self._thread = None
        if not self._conn.invalidated:
            dbapi: Any = self._conn.connection.driver_connection
            dbapi.execute(f"PRAGMA wal_autocheckpoint={self._autocheckpoint}")

    def _run(self) -> None:
        assert self._path is not None
        try:
            db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:  # the writer checkpoints again after close()
            log.warning("cannot open %s to checkpoint it: %s", self._path, exc)
            self._gone()
            return
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._wanted or self._closing)
                    wanted, closing = self._wanted, self._closing
                    self._wanted, self._running = False, wanted
                if wanted:
                    self._checkpoint(db)
                    with self._cond:
                        self._running = False
                        self._cond.notify_all()
                if closing:
                    return
        finally:
            db.close()
            self._gone()

    def _gone(self) -> None:
        """The thread ends: nobody waits for it any more."""
        with self._cond:
            self._ended = True
            self._wanted = self._running = False
            self._cond.notify_all()

    def _checkpoint(self, db: sqlite3.Connection) -> None:
        try:
            row = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:
            # As with SQLite's own checkpoint after a commit: the commit stands, and
            # the next checkpoint copies what this one did not.
            log.warning("checkpoint of %s failed: %s", self._path, exc)
            return
        self.done += 1
        self.last = (int(row[0]), int(row[1]), int(row[2]))


@contextmanager
def checkpoints_beside(conn: Connection) -> Iterator[Checkpoints]:
    """:class:`Checkpoints` for ``conn``'s commits, closed on the way out."""
    checkpoints = Checkpoints(conn)
    try:
        yield checkpoints
    finally:
        checkpoints.close()


#: The type of a staging table's ``row`` key: on SQLite ``INTEGER PRIMARY KEY`` is the
#: rowid itself, so staging a chunk maintains no separate index on the row numbers.
ROW_NUMBER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def temp_table(name: str, *columns: sa.schema.SchemaItem) -> sa.Table:
    """A connection-local temporary table (defined once per name)."""
    if name in TEMP_METADATA.tables:
        return TEMP_METADATA.tables[name]
    return sa.Table(name, TEMP_METADATA, *columns, prefixes=["TEMPORARY"])


def _compiled(conn: Connection, key: object, build: Callable[[], sa.ClauseElement]) -> str:
    """SQL text for a statement that never changes, compiled once per dialect.

    ``key`` must identify the statement for the life of the process: a temporary
    table, or a query object kept at module level.
    """
    cache_key = (key, conn.dialect.name)
    sql = _SQL_CACHE.get(cache_key)
    if sql is None:
        element = build()
        sql = str(element.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        _SQL_CACHE[cache_key] = sql
    return sql


def reset_temp(conn: Connection, table: sa.Table) -> None:
    """Create ``table`` on this connection if needed and empty it."""
    ddl = _compiled(
        conn, ("create", table.name), lambda: sa.schema.CreateTable(table, if_not_exists=True)
    )
    conn.exec_driver_sql(ddl)
    conn.execute(table.delete())


def sqlite_values(df: pl.DataFrame) -> pl.DataFrame:
    """Values as SQLAlchemy stores them in SQLite, so its readers parse them back."""
    exprs: list[pl.Expr] = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            exprs.append(col.cast(pl.Utf8))
        elif isinstance(dtype, pl.Datetime):
            if dtype.time_zone is None:
                raise ValueError(f"column {name}: naive timestamps are not stored")
            exprs.append(col.dt.convert_time_zone("UTC").dt.strftime(_SQLITE_TIMESTAMP))
        elif dtype == pl.Boolean:
            exprs.append(col.cast(pl.Int8))
        elif isinstance(dtype, pl.Decimal):
            exprs.append(col.cast(pl.Float64))
        else:
            exprs.append(col)
    return df.select(exprs)


#: Up to this many values to convert, :func:`_few_sqlite_rows` converts them in Python:
#: a Polars query costs more (measured: equal at about 300 dates).
CONVERT_IN_PYTHON = 256


def _iso_day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _as_int(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _as_float(scale: int) -> Callable[[Decimal | None], float | None]:
    # As Polars casts: the unscaled integer as a float, divided by 10**scale (which is
    # not always the float nearest the decimal, as float(value) would be).
    def convert(value: Decimal | None) -> float | None:
        return None if value is None else float(int(value.scaleb(scale))) / 10**scale

    return convert


def _python_converters(dtypes: list[pl.DataType]) -> list[tuple[int, Callable[[Any], Any]]] | None:
    """Which columns :func:`sqlite_values` converts, and how to convert one value of each
    alike in Python; None when Python cannot (nanoseconds, naive timestamps: Polars says)."""
    out: list[tuple[int, Callable[[Any], Any]]] = []
    for i, dtype in enumerate(dtypes):
        if dtype == pl.Date:
            out.append((i, _iso_day))
        elif isinstance(dtype, pl.Datetime):
            if dtype.time_zone is None or dtype.time_unit == "ns":
                return None
            out.append((i, _utc_text))
        elif dtype == pl.Boolean:
            out.append((i, _as_int))
        elif isinstance(dtype, pl.Decimal):
            out.append((i, _as_float(dtype.scale)))
    return out


def _few_sqlite_rows(df: pl.DataFrame) -> list[tuple[Any, ...]] | None:
    """The rows of :func:`sqlite_values` of a small frame, converted value by value in
    Python (one organisation's results: a handful of rows); None for a larger one."""
    converters = _python_converters(df.dtypes)
    if converters is None or df.height * len(converters) > CONVERT_IN_PYTHON:
        return None
    rows = df.rows()
    if not converters:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for i, convert in converters:
            values[i] = convert(values[i])
        out.append(tuple(values))
    return out


def insert_frame(conn: Connection, table: sa.Table, df: pl.DataFrame) -> int:
    """Insert every row of ``df`` (columns named as the table's) into ``table``."""
    if df.is_empty():
        return 0
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in df.columns)
    target = quote(table.name)
    dbapi: Any = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        sql = f"INSERT INTO {target} ({names}) VALUES ({', '.join('?' * len(df.columns))})"
        # A frame small enough for Python is far below what a scratch database takes.
        few = _few_sqlite_rows(df) if df.height < sqlite_arrow.SCRATCH_MIN_ROWS else None
        if few is not None:
            cursor = dbapi.cursor()
            try:
                cursor.executemany(sql, few)
            finally:
                cursor.close()
            return df.height
        values = sqlite_values(df)
        if insert_via_scratch(conn, table.name, values):
            return df.height
        cursor = dbapi.cursor()
        try:
            for start in range(0, values.height, _INSERT_ROWS):
                cursor.executemany(sql, values.slice(start, _INSERT_ROWS).rows())
        finally:
            cursor.close()
    else:
        with dbapi.cursor() as cursor, cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in df.iter_rows():
                copy.write_row(row)
    return df.height


def synced(
    conn: Connection, table: sa.Table, df: pl.DataFrame, *, stamps: Sequence[str] = ()
) -> bool:
    """Make ``table`` hold exactly the rows of ``df`` (every column of the table),
    writing only the rows that differ, where the connection can: a SQLite file with
    scratch space (:func:`corpcredit.services.sqlite_arrow.sync_via_scratch`, which
    says what ``stamps`` are). False elsewhere, having written nothing."""
    if conn.dialect.name != "sqlite":
        return False
    return sync_via_scratch(conn, table, sqlite_values(df), stamps=stamps)


def _column(values: Sequence[Any], name: str, dtype: pl.DataType, dialect: str) -> pl.Series:
    if dialect == "sqlite":
        few = _few_stored(values, name, dtype)
        if few is not None:
            return few
        return parse_stored(pl.Series(name, values, dtype=stored_type(dtype)), dtype)
    return pl.Series(name, values, dtype=dtype)


_ISO_DAY = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _few_stored(values: Sequence[Any], name: str, dtype: pl.DataType) -> pl.Series | None:
    """What :func:`parse_stored` makes of a column with no value, or of a few dates, made
    without a Polars query (one organisation's rows pay one per column); else None."""
    if all(v is None for v in values):
        return pl.Series(name, [None] * len(values), dtype=dtype)
    if dtype != pl.Date or len(values) > CONVERT_IN_PYTHON:
        return None
    # Only the form SQLAlchemy stores, YYYY-MM-DD (fromisoformat reads others too).
    if not all(v is None or (isinstance(v, str) and _ISO_DAY.fullmatch(v)) for v in values):
        return None
    try:
        days = [None if v is None else date.fromisoformat(v) for v in values]
    except ValueError:
        return None  # Polars says what is wrong
    return pl.Series(name, days, dtype=pl.Date)


def _frame(rows: list[Any], schema: dict[str, pl.DataType], dialect: str) -> pl.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pl.DataFrame(
        [
            _column(col, name, dtype, dialect)
            for col, (name, dtype) in zip(columns, schema.items(), strict=True)
        ]
    )


def iter_fetch(
    conn: Connection,
    query: sa.Select[Any],
    schema: dict[str, pl.DataType],
    *,
    batch_rows: int = _FETCH_ROWS,
    static: bool = False,
) -> Iterator[pl.DataFrame]:
    """The rows of ``query`` as frames of up to ``batch_rows`` rows, typed by ``schema``.

    ``schema`` names the selected columns in order. Bound values are rendered as
    literals, so keep them to dates, numbers and plain strings. A query kept at
    module level (``static=True``) is compiled once.
    """
    if static:
        sql = _compiled(conn, ("select", id(query)), lambda: query)
    else:
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    dialect = conn.dialect.name
    dbapi: Any = conn.connection.driver_connection
    cursor = dbapi.cursor()
    try:
        cursor.execute(sql)
        while True:
            rows = cursor.fetchmany(batch_rows)
            if not rows:
                break
            yield _frame(rows, schema, dialect)
    finally:
        cursor.close()


def fetch_frame(
    conn: Connection,
    query: sa.Select[Any],
    schema: dict[str, pl.DataType],
    *,
    static: bool = False,
) -> pl.DataFrame:
    """All rows of ``query`` as one frame typed by ``schema`` (see :func:`iter_fetch`)."""
    parts = list(iter_fetch(conn, query, schema, static=static))
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts) if len(parts) > 1 else parts[0]

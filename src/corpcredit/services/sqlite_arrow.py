"""Column-speed reads and writes of a SQLite registry file through ADBC.

Python's ``sqlite3`` module builds one Python object per value it reads, and a
million-organisation registry has some seventy million values in its records
alone: a full rescore used to spend most of its time there. The ADBC SQLite
driver (``adbc-driver-sqlite``, an Apache Arrow project) steps the same SQL in C
and hands whole Arrow columns over, which Polars takes without copying.

:func:`read_frames` runs Core ``SELECT`` statements on **other** connections to
the same file, in child processes (``_adbc_read.py``): the driver carries its own
copy of SQLite, and two copies in one process release each other's POSIX locks on
the file, which can corrupt it (https://www.sqlite.org/howtocorrupt.html, 2.2.1).
Reading on another connection is only equivalent to reading on the caller's when
the caller's transaction has not written yet: SQLite has a single writer, so while
ours holds the write lock (``BEGIN IMMEDIATE``) the others see exactly the
committed state ours does. Callers use it for whole-registry reads at the start
of a write transaction, and :func:`corpcredit.services.ingest_sql.fetch_frame`
everywhere else. It answers ``None`` where it cannot serve (another backend, an
in-memory database, a driver error), and the caller falls back. :func:`reading`
does the same in the background, each frame available as soon as it is read, so
that a full rescore scores the registry while what it needs only for writing is
still being read.

Writes cannot take the second connection: they belong to the caller's
transaction. Given :func:`scratch_space`, :func:`insert_via_scratch` has ADBC write
a frame into a fresh scratch database file, attaches it to the caller's
connection (SQLite allows that inside a transaction) and moves the rows into the
registry with one ``INSERT … SELECT`` in the caller's transaction, all in C. A
scratch database stays attached (and locked by the transaction that read it)
until the transaction ends; the scratch space detaches and deletes them all.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = [
    "SCRATCH_MIN_ROWS",
    "SCRATCH_TABLE",
    "Reads",
    "insert_via_scratch",
    "parse_stored",
    "read_frames",
    "reading",
    "scratch_space",
    "scratch_table",
    "sqlite_file",
    "stored_type",
    "sync_via_scratch",
    "work_directory",
]

log = logging.getLogger(__name__)

#: Rows per Arrow batch. The driver infers each column's type from the first batch,
#: so a nullable column that is null throughout a first small batch would be typed
#: as integer and fail on the first text value after it; large batches make that
#: as good as impossible, and the fallback covers the rest.
_BATCH_ROWS = 1 << 22
#: Frames smaller than this go through ``executemany``: not worth a scratch file.
SCRATCH_MIN_ROWS = 20_000
#: The table each scratch database holds.
SCRATCH_TABLE = "frame"
_SLOTS = "corpcredit_scratch_slots"  # key in the DBAPI connection's ``info``
_CHILD = Path(__file__).with_name("_adbc_read.py")
#: A memory-backed file system (tmpfs) for the Arrow files of reads and the scratch
#: databases, when it has room (:func:`work_directory`); None: never.
MEMORY_ROOT: Path | None = Path("/dev/shm")


def work_directory(room: int) -> Path:
    """Where the Arrow files of :func:`reading` and the scratch databases of
    :func:`scratch_space` go: :data:`MEMORY_ROOT` when it is there, writable and has
    ``room`` bytes free beside a quarter of its size kept free for others, unless the
    operator has chosen a temporary directory (``TMPDIR``); else that temporary
    directory (``tempfile.gettempdir()``).

    These files live for one command and are read back at once, never kept. On a
    disk's file system each byte written is copied into the page cache and later
    written back: the children of a full rescore of a million organisations spent
    two to three seconds of processor time writing their frames to ``/tmp``, five
    times more than to ``/dev/shm`` (measured with ``perf``). Should a memory-backed
    write fail all the same (no space left), reads and scratch writes fall back as
    they do for any driver failure.
    """
    default = Path(tempfile.gettempdir())
    if MEMORY_ROOT is None or os.environ.get("TMPDIR"):
        return default
    space = _space(MEMORY_ROOT)
    if space is None or not os.access(MEMORY_ROOT, os.W_OK | os.X_OK):
        return default
    free, size = space
    return MEMORY_ROOT if free - room >= size // 4 else default


def _space(root: Path) -> tuple[int, int] | None:
    """Bytes free and in all on the file system of ``root``; None if it is not there."""
    try:
        fs = os.statvfs(root)
    except OSError:
        return None
    return fs.f_bavail * fs.f_frsize, fs.f_blocks * fs.f_frsize


def _room_for(path: str) -> int:
    """Bytes to ask of :func:`work_directory` for frames read from or written beside
    the SQLite file ``path``: its size with its write-ahead log (a bound on what one
    command reads out of it, and on any derived table it rewrites)."""
    total = 0
    for name in (path, f"{path}-wal"):
        with suppress(OSError):
            total += os.path.getsize(name)
    return total


def sqlite_file(conn: Connection) -> str | None:
    """The path of the SQLite file behind ``conn``, or None (another backend, memory)."""
    if conn.dialect.name != "sqlite":
        return None
    database = conn.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def stored_type(dtype: pl.DataType) -> pl.DataType:
    """The type of the values SQLAlchemy stores in SQLite for a column of ``dtype``:
    text for dates and timestamps, 0/1 for booleans, REAL for decimals."""
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return pl.Utf8()
    if dtype == pl.Boolean:
        return pl.Int64()
    if isinstance(dtype, pl.Decimal):
        return pl.Float64()
    return dtype


def parse_stored(series: pl.Series, dtype: pl.DataType) -> pl.Series:
    """One column as SQLAlchemy stores it in SQLite, parsed into ``dtype``."""
    raw = series.cast(stored_type(dtype))
    if dtype == pl.Date:
        return raw.str.to_date("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        parsed = raw.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_zone="UTC", strict=False)
        return parsed.cast(dtype)
    if isinstance(dtype, pl.Decimal):
        return raw.round(2).cast(dtype)
    return raw.cast(dtype)


def read_frames(
    conn: Connection, queries: Sequence[tuple[sa.Select[Any], dict[str, pl.DataType]]]
) -> list[pl.DataFrame] | None:
    """The rows of each ``(query, schema)`` as a frame typed by ``schema``, read through
    ADBC in child processes side by side, one per processor at most.

    ``schema`` names the selected columns in order. The queries are handed out in
    the order given, each to the next child that is free, so the largest should come
    first. None when ADBC cannot serve this connection (see the module's notes): use
    ``fetch_frame`` instead.
    """
    with reading(conn, queries) as reads:
        return None if reads is None else reads.all()


class Reads:
    """Frames of :func:`reading`, each available as soon as its query has been read."""

    def __init__(self, count: int) -> None:
        self._frames: list[pl.DataFrame | None] = [None] * count
        self._ready = threading.Condition()
        self._done = False
        self._failed = False
        self._stop = threading.Event()

    def first(self, count: int) -> list[pl.DataFrame] | None:
        """The frames of the first ``count`` queries, once read; None if reading failed."""
        with self._ready:
            self._ready.wait_for(
                lambda: self._done or all(f is not None for f in self._frames[:count])
            )
            if self._failed or any(f is None for f in self._frames[:count]):
                return None
            return [f for f in self._frames[:count] if f is not None]

    def all(self) -> list[pl.DataFrame] | None:
        """Every frame, once all are read; None if reading failed."""
        with self._ready:
            self._ready.wait_for(lambda: self._done)
        return self.first(len(self._frames))

    def _take(self, n: int, frame: pl.DataFrame) -> None:
        with self._ready:
            self._frames[n] = frame
            self._ready.notify_all()

    def _end(self, failed: bool) -> None:
        with self._ready:
            self._done, self._failed = True, failed
            self._ready.notify_all()


@contextmanager
def reading(
    conn: Connection, queries: Sequence[tuple[sa.Select[Any], dict[str, pl.DataType]]]
) -> Iterator[Reads | None]:
    """:func:`read_frames` in the background: the frames come in while the caller works
    (its process is otherwise idle while the children read), each one as soon as it is
    read. None when ADBC cannot serve this connection. On the way out the reading is
    stopped, with every child, if it has not ended.
    """
    path = sqlite_file(conn)
    if path is None:
        yield None
        return
    jobs = [
        str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        for query, _ in queries
    ]
    reads = Reads(len(jobs))

    def run() -> None:
        failures: list[str] = ["stopped"]
        try:
            _sweep_orphans()
            with tempfile.TemporaryDirectory(
                prefix=f"{_READ_PREFIX}{os.getpid()}-", dir=work_directory(_room_for(path))
            ) as directory:
                outputs = [Path(directory) / f"{n}.arrow" for n in range(len(jobs))]

                def take(n: int) -> None:
                    # Mapped, not copied: the columns that need no conversion stay in
                    # the page cache (the mapping outlives the file).
                    frame = pl.read_ipc(outputs[n], memory_map=True)
                    reads._take(n, _typed(frame, queries[n][1]))

                failures = _run_jobs(path, jobs, outputs, Path(directory), take, reads._stop)
            if failures:
                log.warning("reading through ADBC failed, reading row by row: %s", failures)
        except _Stopped:  # the caller left: nobody reads on
            pass
        except BaseException as error:  # the caller reads row by row instead
            failures = [repr(error)]
            log.warning("reading through ADBC failed, reading row by row: %s", failures)
        finally:
            reads._end(bool(failures))

    worker = threading.Thread(target=run, name="corpcredit-read", daemon=True)
    worker.start()
    try:
        yield reads
    finally:
        reads._stop.set()
        worker.join()


def _run_jobs(
    path: str,
    jobs: Sequence[str],
    outputs: Sequence[Path],
    directory: Path,
    on_done: Callable[[int], None],
    stop: threading.Event | None = None,
) -> list[str]:
    """Run each SQL text of ``jobs`` into the file of ``outputs`` at the same place,
    with at most one child per processor, each given its next job when it says
    ``done``; the last error line of every child that failed. ``on_done(n)`` is
    called once job ``n``'s output is complete, while the others run on; ``stop``,
    once set, ends the reading as an interrupt would. After a failure no job is
    handed out (the caller reads everything again another way). A child's errors go
    to a file in ``directory`` (a pipe nobody reads while it works could fill and
    stall it). No child outlives the call, whatever happens in it.
    """
    pending = list(enumerate(zip(jobs, outputs, strict=True)))[::-1]  # popped from the end
    children: list[tuple[subprocess.Popen[str], Path]] = []
    running: dict[int, int] = {}  # child pid: the job it works on
    failed = False
    finished = False
    try:
        with selectors.DefaultSelector() as ready:
            for k in range(max(1, min(len(pending), os.cpu_count() or 1))):
                errors = directory / f"reader{k}.err"
                with errors.open("w") as stderr:
                    child = subprocess.Popen(
                        [sys.executable, str(_CHILD), path, str(_BATCH_ROWS)],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=stderr,
                        text=True,
                    )
                children.append((child, errors))
                assert child.stdout is not None
                ready.register(child.stdout, selectors.EVENT_READ, child)
                _hand_out(child, pending, running)
            while ready.get_map():
                if stop is not None and stop.is_set():
                    raise _Stopped
                for key, _ in ready.select(None if stop is None else _POLL):
                    child = key.data
                    if key.fileobj.readline():  # type: ignore[union-attr]
                        done = running.pop(child.pid)
                        _hand_out(child, pending, running)
                        if not failed:
                            on_done(done)
                        continue
                    # The child ended: its input was closed, or it failed.
                    ready.unregister(key.fileobj)
                    key.fileobj.close()  # type: ignore[union-attr]
                    if child.wait() != 0:
                        failed = True
                        pending.clear()  # the others stop after the query at hand
        finished = True
    finally:
        for child, _ in children:
            if child.stdin is not None and not child.stdin.closed:
                with suppress(BrokenPipeError):
                    child.stdin.close()
            if not finished:  # interrupted: nothing will read what they write
                child.kill()
            child.wait()
    failures = []
    for child, errors in children:
        if child.returncode != 0:
            error = errors.read_text(errors="replace")
            failures.append(error.strip().splitlines()[-1:] or [f"exit {child.returncode}"])
    if not failures and pending:
        failures.append(["a reader ended with queries left"])
    return [line for lines in failures for line in lines]


class _Stopped(Exception):
    """The reading was stopped from outside (see :func:`reading`)."""


_POLL = 0.05  # seconds between looks at the stop flag while the children read


def _hand_out(
    child: subprocess.Popen[str],
    pending: list[tuple[int, tuple[str, Path]]],
    running: dict[int, int],
) -> None:
    """Give ``child`` the next pending job, or close its input when there is none."""
    assert child.stdin is not None
    try:
        if pending:
            n, (sql, output) = pending.pop()
            running[child.pid] = n
            child.stdin.write(json.dumps({"sql": sql, "output": str(output)}) + "\n")
            child.stdin.flush()
        else:
            child.stdin.close()
    except BrokenPipeError:
        pass  # it failed already: its error is read when it is reaped


def _typed(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    if frame.width != len(schema):
        raise ValueError(f"query selects {frame.width} columns, schema names {len(schema)}")
    return pl.DataFrame(
        [
            parse_stored(series.alias(name), dtype)
            for series, (name, dtype) in zip(frame.get_columns(), schema.items(), strict=True)
        ]
    )


@contextmanager
def scratch_space(conn: Connection, slots: int = 8) -> Iterator[None]:
    """Give ``conn`` (a SQLite file connection, outside any transaction) room for up to
    ``slots`` frames written by :func:`insert_via_scratch` in its next transactions;
    detach and delete them on the way out. Elsewhere this does nothing, and inserts
    take the usual way.
    """
    path = sqlite_file(conn)
    if path is None or conn.in_transaction():
        yield
        return
    dbapi: Any = conn.connection.driver_connection
    scratch = _Scratch(slots, path)
    conn.info[_SLOTS] = scratch
    try:
        yield
    finally:
        conn.info.pop(_SLOTS, None)
        if conn.in_transaction():  # cannot detach inside one: never reuse this connection
            conn.invalidate()
        elif not conn.invalidated:
            for name in scratch.attached:
                dbapi.execute(f"DETACH DATABASE {name}")
        scratch.remove()


_SCRATCH_PREFIX = "corpcredit-scratch-"
_READ_PREFIX = "corpcredit-read-"


def _sweep_orphans() -> None:
    """Delete the scratch and read directories of processes that no longer run (a
    killed ingestion or rescore leaves its own behind; they hold nothing the registry
    needs, and in :data:`MEMORY_ROOT` they would hold memory until the machine
    restarts), in the temporary directory and in :data:`MEMORY_ROOT`."""
    roots = {Path(tempfile.gettempdir()), *([MEMORY_ROOT] if MEMORY_ROOT else [])}
    for prefix in (_SCRATCH_PREFIX, _READ_PREFIX):
        for directory in (d for root in roots for d in root.glob(f"{prefix}*-*")):
            pid = directory.name.removeprefix(prefix).split("-", 1)[0]
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                shutil.rmtree(directory, ignore_errors=True)
            except PermissionError:  # alive, another user's
                continue


class _Scratch:
    """A connection's scratch slots. The directory is made when the first frame is
    written (sweeping orphans then), so a small ingestion that writes none pays
    nothing for it."""

    def __init__(self, slots: int, database: str) -> None:
        self.slots = slots
        self._database = database
        self.attached: list[str] = []
        self._directory: Path | None = None

    @property
    def directory(self) -> Path:
        if self._directory is None:
            _sweep_orphans()
            self._directory = Path(
                tempfile.mkdtemp(
                    prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-",
                    dir=work_directory(_room_for(self._database)),
                )
            )
        return self._directory

    def remove(self) -> None:
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)


def scratch_table(conn: Connection, values: pl.DataFrame, index: Sequence[str] = ()) -> str | None:
    """Write ``values`` (in SQLite's storage formats) to a fresh scratch database as
    table :data:`SCRATCH_TABLE` (with a unique index on ``index`` when given) and
    attach it to ``conn`` for the rest of its transaction; the attached schema's
    name, or None (no slot left, or the driver failed, and nothing was attached)."""
    scratch: _Scratch | None = conn.info.get(_SLOTS)
    if scratch is None or len(scratch.attached) >= scratch.slots:
        return None
    name = f"cc_scratch_{len(scratch.attached)}"
    path = scratch.directory / f"{name}.db"
    arrow = values.with_columns(pl.col(pl.Int8, pl.Int16, pl.Int32).cast(pl.Int64)).to_arrow()
    try:
        import adbc_driver_sqlite.dbapi as adbc

        with adbc.connect(str(path), autocommit=True) as writer, writer.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=OFF")  # a scratch file: nothing to protect
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.adbc_ingest(SCRATCH_TABLE, arrow, mode="create")
            if index:
                cursor.execute(
                    f"CREATE UNIQUE INDEX frame_key ON {SCRATCH_TABLE} ({', '.join(index)})"
                )
    except Exception as exc:
        log.warning("writing through ADBC failed, writing row by row instead: %s", exc)
        path.unlink(missing_ok=True)
        return None
    dbapi: Any = conn.connection.driver_connection
    # The driver's copy of SQLite has closed the file: only ours has it open from now on.
    dbapi.execute(f"ATTACH DATABASE ? AS {name}", (str(path),))  # allowed in a transaction
    scratch.attached.append(name)
    return name


def insert_via_scratch(conn: Connection, table: str, values: pl.DataFrame) -> bool:
    """Insert ``values`` (already in SQLite's storage formats, columns named as the
    table's) into ``table`` through a scratch database; False when the connection has
    no scratch space left, or the frame is small, and nothing was written."""
    if values.height < SCRATCH_MIN_ROWS:
        return False
    name = scratch_table(conn, values)
    if name is None:
        return False
    dbapi: Any = conn.connection.driver_connection
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(c) for c in values.columns)
    # A connection's temporary tables (staging, key sets) live in ``temp``, not ``main``.
    temporary = dbapi.execute(
        "SELECT 1 FROM temp.sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    schema = "temp" if temporary else "main"
    conn.exec_driver_sql(
        f"INSERT INTO {schema}.{quote(table)} ({columns}) "
        f"SELECT {columns} FROM {name}.{SCRATCH_TABLE}"
    )
    return True


def sync_via_scratch(
    conn: Connection,
    table: sa.Table,
    values: pl.DataFrame,
    *,
    stamps: Sequence[str] = (),
) -> bool:
    """Make ``table`` hold exactly the rows of ``values`` (in SQLite's storage formats,
    every column of the table), writing only the differences; False when the
    connection has no scratch space left, and nothing was written.

    Rows are matched on the table's primary key: rows missing from ``values`` are
    deleted, new ones inserted, rows differing in any column replaced. ``stamps``
    are columns set to one value on every row (the evaluation date, the time of
    computation): left out of the comparison, and set with one ``UPDATE`` on the
    rows whose first stamp differs, so a rescore at a new date does not rewrite
    rows whose contents did not change, and one at the same date leaves them be.
    A full rescore mostly finds little to change, where deleting and inserting a
    million rows with their indexes took most of its time.
    """
    keys = [c.name for c in table.primary_key.columns]
    stamped = {c: values.get_column(c).unique() for c in stamps}
    if any(v.len() > 1 for v in stamped.values()):
        raise ValueError(f"{table.name}: a stamp column holds more than one value")
    if set(values.columns) != {c.name for c in table.columns}:
        raise ValueError(f"{table.name}: the frame's columns are not the table's")
    compared = [c for c in values.columns if c not in keys and c not in stamps]
    name = scratch_table(conn, values, keys)
    if name is None:
        return False
    q = conn.dialect.identifier_preparer.quote
    target = f"main.{q(table.name)}"
    columns = ", ".join(q(c) for c in values.columns)
    on_key = " AND ".join(f"f.{q(k)} = t.{q(k)}" for k in keys)
    unchanged = " AND ".join(f"t.{q(c)} IS f.{q(c)}" for c in compared) or "1"
    fresh = ", ".join(f"f.{q(c)}" for c in values.columns)
    conn.exec_driver_sql(
        f"INSERT OR REPLACE INTO {target} ({columns}) SELECT {fresh} "
        f"FROM {name}.{SCRATCH_TABLE} AS f LEFT JOIN {target} AS t ON {on_key} "
        f"WHERE t.{q(keys[0])} IS NULL OR NOT ({unchanged})"
    )
    # Every key of the frame is in the table now, once: as many rows means no others.
    (count,) = conn.exec_driver_sql(f"SELECT count(*) FROM {target}").one()
    if count != values.height:
        conn.exec_driver_sql(
            f"DELETE FROM {target} AS t WHERE NOT EXISTS "
            f"(SELECT 1 FROM {name}.{SCRATCH_TABLE} AS f WHERE {on_key})"
        )
    if stamps and values.height:
        now = tuple(stamped[c].item() for c in stamps)
        assignments = ", ".join(f"{q(c)} = ?" for c in stamps)
        conn.exec_driver_sql(
            f"UPDATE {target} SET {assignments} WHERE {q(stamps[0])} IS NOT ?", (*now, now[0])
        )
    return True

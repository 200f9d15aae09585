"""Rescoring: run the kernel over organisations of the store and materialise the output.

- :func:`rescore_organisations` — the organisations of some entities (head office
  and every branch), in the caller's transaction: ingestion calls it after each
  chunk, so the scores published never lag the records that landed.
- :func:`rescore_all` — the whole registry at a date, sharded by head office over
  worker processes (``corpcredit score``), in one write transaction.
- :func:`refresh` — every organisation with an entity whose next-change date has
  come (``corpcredit refresh``, run daily).

Each rescore ends, in its own transaction, by scanning the watched organisations
among those it rescored (:func:`corpcredit.monitoring.scan_rescored`): change
events for watchlists are never a separate step. When nobody watches any of them
that is one indexed query.

The registry is read through :mod:`.ingest_sql` (driver cursor straight into
Polars columns) and gives exactly what :func:`corpcredit.store.frames.load_frames`
gives; a test holds the two together.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from corpcredit.catalogue import Catalogue
from corpcredit.collector import fewer_collections
from corpcredit.engines.local import score_sharded
from corpcredit.monitoring import scan_rescored
from corpcredit.scoring import score, sorted_by_usci
from corpcredit.scoring.frames import EVENT_SCHEMA, RECORD_SCHEMA
from corpcredit.services.ingest_sql import (
    fetch_frame,
    insert_frame,
    references_by_construction,
    reset_temp,
    temp_table,
    tune_for_bulk,
)
from corpcredit.services.materialise import (
    CURRENT_QUERY,
    CURRENT_SCHEMA,
    MEMBERS,
    OPEN_QUERY,
    OPEN_SCHEMA,
    ListChanges,
    listed,
    open_entries,
    prepare_listed,
    replace_results,
    update_list_entries,
)
from corpcredit.services.name_index import name_stamps, stale_from, update_name_index
from corpcredit.services.sqlite_arrow import reading, scratch_space, sqlite_file
from corpcredit.services.windows import (
    WINDOW_SCHEMA,
    WINDOWS_QUERY,
    list_windows_frame,
    replace_list_windows,
)
from corpcredit.store import begin_write, write_transaction
from corpcredit.store.frames import KernelInputs
from corpcredit.store.schema import entities, record_events, records, results

__all__ = [
    "RECORDS_PER_WORKER",
    "Progress",
    "RescoreSummary",
    "WrittenRecords",
    "due_for_refresh",
    "load_organisations",
    "load_registry",
    "members_scope",
    "next_record_id",
    "refresh",
    "rescore_all",
    "rescore_organisations",
    "written_since",
]

#: ``progress(stage, done, total)``; total is None while unknown.
Progress = Callable[[str, int, int | None], None]

ENTITY_FRAME_SCHEMA: dict[str, pl.DataType] = {
    "usci": pl.Utf8(),
    "parent_usci": pl.Utf8(),
    "natural_person": pl.Boolean(),
    "head_usci": pl.Utf8(),
}
_REFRESH_GROUP = 50_000  # entities per refresh transaction
#: Below this many records per worker, starting processes costs more than it saves:
#: the kernel scores a million entities with five million records in seconds.
RECORDS_PER_WORKER = 5_000_000
#: A reader process per this many records (at most one per processor) when the whole
#: registry is read through ADBC.
RECORDS_PER_READER = 1_000_000
_asked = temp_table("_cc_rescore_asked", sa.Column("usci", sa.String(18), primary_key=True))
_members = MEMBERS


@dataclass(frozen=True)
class RescoreSummary:
    """What a rescore did: entities scored, organisations, list entries opened/closed."""

    entities: int = 0
    organisations: int = 0
    records: int = 0
    entered: int = 0
    left: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def __add__(self, other: RescoreSummary) -> RescoreSummary:
        timings = dict(self.seconds)
        for k, v in other.seconds.items():
            timings[k] = timings.get(k, 0.0) + v
        return RescoreSummary(
            entities=self.entities + other.entities,
            organisations=self.organisations + other.organisations,
            records=self.records + other.records,
            entered=self.entered + other.entered,
            left=self.left + other.left,
            warnings=sorted({*self.warnings, *other.warnings}),
            seconds=timings,
        )


def _entity_query() -> sa.Select[Any]:
    return sa.select(*[entities.c[c] for c in ENTITY_FRAME_SCHEMA])


#: What a rescore that materialises its output never reads: the knowledge time (it
#: scores without one) and the record's text (stored lines leave it to ``records``).
_UNREAD = {"times": frozenset({"recorded_at"}), "text": frozenset({"authority", "decision_no"})}


def _skipping(times: bool, text: bool) -> frozenset[str]:
    return (frozenset() if times else _UNREAD["times"]) | (frozenset() if text else _UNREAD["text"])


def _timed(table: sa.Table, schema: dict[str, pl.DataType], skip: frozenset[str]) -> sa.Select[Any]:
    """The kernel's columns but those in ``skip`` (:func:`_unskipped` puts them back, as
    nulls): ``recorded_at`` is the dearest column to read, and without a knowledge
    time the kernel never looks at it; the record's text only ever reaches the
    contribution lines."""
    return sa.select(*[table.c[c] for c in schema if c not in skip])


def _read(schema: dict[str, pl.DataType], skip: frozenset[str]) -> dict[str, pl.DataType]:
    """The columns of ``schema`` that :func:`_timed` selects."""
    return {c: t for c, t in schema.items() if c not in skip}


def _unskipped(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """``frame`` with the columns of ``schema`` it lacks as nulls, in ``schema``'s order.
    Selecting ``NULL`` for them instead cost the readers a value each: three columns of
    nulls over five million records took 0.4-1 s of their processor time."""
    missing = [pl.lit(None, t).alias(c) for c, t in schema.items() if c not in frame.columns]
    return frame.with_columns(missing).select(list(schema)) if missing else frame


def _queries(
    scoped: bool, times: bool, text: bool = True
) -> tuple[sa.Select[Any], sa.Select[Any], sa.Select[Any]]:
    ent = _entity_query()
    rec = _timed(records, RECORD_SCHEMA, _skipping(times, text))
    ev = _timed(record_events, EVENT_SCHEMA, _skipping(times, text))
    if not scoped:
        return ent, rec, ev
    scope = sa.select(_members.c.usci)
    ev = ev.join_from(
        record_events,
        records,
        sa.and_(
            records.c.source == record_events.c.source,
            records.c.record_id == record_events.c.record_id,
        ),
    )
    return (
        ent.where(entities.c.usci.in_(scope)),
        rec.where(records.c.usci.in_(scope)),
        ev.where(records.c.usci.in_(scope)),
    )


_QUERIES = {
    (s, t, x): _queries(s, t, x)
    for s in (False, True)
    for t in (False, True)
    for x in (False, True)
}


def _load(
    conn: Connection,
    scoped: bool,
    times: bool,
    written: WrittenRecords | None = None,
    *,
    text: bool = True,
) -> KernelInputs:
    ent, rec, ev = _QUERIES[scoped, times, text]
    skip = _skipping(times, text)
    read = _read(RECORD_SCHEMA, skip)
    ents = fetch_frame(conn, ent, ENTITY_FRAME_SCHEMA, static=True).sort("usci")
    if written is None:
        recs = _unskipped(fetch_frame(conn, rec, read, static=True), RECORD_SCHEMA)
    else:
        # Only the records written before: those the caller just wrote are in memory.
        older = fetch_frame(conn, rec.where(records.c.id < written.first_id), read)
        mine = written.records.filter(pl.col("usci").is_in(ents.get_column("usci").implode()))
        if skip:
            mine = mine.with_columns(pl.lit(None, RECORD_SCHEMA[c]).alias(c) for c in skip)
        recs = pl.concat([_unskipped(older, RECORD_SCHEMA), mine]) if older.height else mine
    events = fetch_frame(conn, ev, _read(EVENT_SCHEMA, skip), static=True)
    return KernelInputs(entities=ents, records=recs, events=_unskipped(events, EVENT_SCHEMA))


def _record_ranges(conn: Connection, times: bool, text: bool) -> list[sa.Select[Any]]:
    """The records query, split into id ranges of about :data:`RECORDS_PER_READER`
    records, at most one per processor: reader processes read them side by side."""
    rec = _QUERIES[False, times, text][1]
    # Two scalar subqueries: SQLite answers a lone min() or max() from the key, but
    # scans the whole table for both in one select.
    low, high = conn.execute(
        sa.select(
            sa.select(sa.func.min(records.c.id)).scalar_subquery(),
            sa.select(sa.func.max(records.c.id)).scalar_subquery(),
        )
    ).one()
    if low is None:
        return [rec]
    parts = max(1, min(os.cpu_count() or 1, (high - low + 1) // RECORDS_PER_READER))
    step = (high - low) // parts + 1
    return [
        rec.where(records.c.id >= low + i * step, records.c.id < low + (i + 1) * step)
        for i in range(parts)
    ]


@contextmanager
def _reading_columns(
    conn: Connection,
    times: bool,
    ahead: Sequence[tuple[sa.Select[Any], dict[str, pl.DataType]]] = (),
    *,
    text: bool = True,
) -> Iterator[tuple[KernelInputs, Callable[[], list[pl.DataFrame] | None]] | None]:
    """The whole registry read column by column through ADBC (see :mod:`.sqlite_arrow`),
    and a function that gives the rows of the ``ahead`` queries, which are read beside
    it and on while the caller scores (None if that reading failed: read them on
    ``conn``). None where ADBC cannot serve. ``text=False`` leaves the records'
    authority and decision number null."""
    if sqlite_file(conn) is None:  # another backend: nothing to split or spawn
        yield None
        return
    ent, _, ev = _QUERIES[False, times, text]
    skip = _skipping(times, text)
    ranges = _record_ranges(conn, times, text)
    queries = [
        *[(r, _read(RECORD_SCHEMA, skip)) for r in ranges],
        (ent, ENTITY_FRAME_SCHEMA),
        (ev, _read(EVENT_SCHEMA, skip)),
    ]
    with reading(conn, [*queries, *ahead]) as reads:
        first = None if reads is None else reads.first(len(queries))
        if reads is None or first is None:
            yield None
            return
        parts, (entities_frame, events_frame) = first[: len(ranges)], first[len(ranges) :]
        records_frame = _unskipped(pl.concat(parts) if len(parts) > 1 else parts[0], RECORD_SCHEMA)
        events_frame = _unskipped(events_frame, EVENT_SCHEMA)

        def rest() -> list[pl.DataFrame] | None:
            frames = reads.all()
            return None if frames is None else frames[len(queries) :]

        yield KernelInputs(sorted_by_usci(entities_frame), records_frame, events_frame), rest


def _load_columns(
    conn: Connection,
    times: bool,
    ahead: Sequence[tuple[sa.Select[Any], dict[str, pl.DataType]]] = (),
    *,
    text: bool = True,
) -> tuple[KernelInputs, list[pl.DataFrame]] | None:
    """:func:`_reading_columns`, waiting for every query."""
    with _reading_columns(conn, times, ahead, text=text) as loaded:
        if loaded is None:
            return None
        frames, rest = loaded
        extra = rest()
        return None if extra is None else (frames, extra)


def load_registry(conn: Connection, *, recorded_at: bool = True) -> KernelInputs:
    """The whole registry in the kernel's shapes (entities sorted by usci).

    ``recorded_at=False`` leaves that column null: enough to score at a date
    without a knowledge time, and much faster. A SQLite file is read column by
    column on a second connection (:mod:`.sqlite_arrow`), so call this outside a
    transaction or in a write transaction that has not written yet: that
    connection then sees exactly what this one sees. Other databases are read on
    ``conn``.
    """
    loaded = _load_columns(conn, recorded_at)
    if loaded is not None:
        return loaded[0]
    return _load(conn, scoped=False, times=recorded_at)


@dataclass(frozen=True)
class WrittenRecords:
    """Records a writer inserted in its open transaction, as the kernel reads them
    (:data:`RECORD_SCHEMA`, ``recorded_at`` included), so a rescore in that transaction
    takes them from memory instead of reading them back.

    The caller vouches that the rows of ``records`` with ``id >= first_id`` are
    exactly these (:func:`written_since` checks it). On SQLite, where a write
    transaction has the file to itself (``BEGIN IMMEDIATE``), they are the rows it
    inserted since it saw ``first_id - 1`` as the highest id.
    """

    records: pl.DataFrame
    first_id: int


def next_record_id(conn: Connection) -> int | None:
    """The lowest id a record inserted from now on in this transaction can get, where
    that can be known (SQLite: a write transaction is the only writer); else None."""
    if conn.dialect.name != "sqlite" or not conn.in_transaction():
        return None
    # SQLite numbers a new row one above the highest rowid (absent the largest one).
    top = conn.execute(sa.select(sa.func.max(records.c.id))).scalar()
    return None if top is not None and top >= 2**63 - 1 else (top or 0) + 1


def written_since(
    conn: Connection, first_id: int | None, frame: pl.DataFrame
) -> WrittenRecords | None:
    """``frame`` (the records just inserted) as :class:`WrittenRecords` when the rows of
    ``records`` from ``first_id`` on are as many as its rows; None otherwise."""
    if first_id is None:
        return None
    stored = conn.execute(
        sa.select(sa.func.count()).select_from(records).where(records.c.id >= first_id)
    ).scalar_one()
    if stored != frame.height:
        return None
    cast = [pl.col(c).cast(t) for c, t in RECORD_SCHEMA.items()]
    return WrittenRecords(frame.select(cast), first_id)


def members_scope() -> sa.Select[Any]:
    """A select of the uscis last loaded by :func:`load_organisations`."""
    return sa.select(_members.c.usci)


def load_organisations(
    conn: Connection,
    uscis: Sequence[str],
    *,
    recorded_at: bool = True,
    text: bool = True,
    written: WrittenRecords | None = None,
) -> KernelInputs:
    """Every member of the organisations of ``uscis`` with their records and events.

    Identifiers missing from the registry are ignored. The members are also left
    in a temporary table, selected by :func:`members_scope`. ``recorded_at=False``:
    see :func:`load_registry`; ``text=False`` leaves the records' authority and
    decision number null (what materialised lines never hold). The ``written``
    records are taken from memory; only the members' other records are read.
    """
    for table in (_asked, _members):
        reset_temp(conn, table)
    asked = pl.DataFrame({"usci": sorted(set(uscis))}, schema={"usci": pl.Utf8})
    insert_frame(conn, _asked, asked)
    conn.execute(_MEMBERS_OF_ASKED)
    return _load(conn, scoped=True, times=recorded_at, written=written, text=text)


#: Every member of the organisations of the asked entities, in one statement.
_MEMBERS_OF_ASKED = _members.insert().from_select(
    ["usci"],
    sa.select(entities.c.usci).where(
        entities.c.head_usci.in_(
            sa.select(entities.c.head_usci).where(entities.c.usci.in_(sa.select(_asked.c.usci)))
        )
    ),
)


def _now() -> datetime:
    return datetime.now(UTC)


def rescore_organisations(
    conn: Connection,
    uscis: Sequence[str],
    as_of: date,
    cat: Catalogue,
    *,
    written: WrittenRecords | None = None,
) -> RescoreSummary:
    """Rescore the organisations of ``uscis`` at ``as_of`` in the caller's transaction.

    Their rows in ``results`` and ``contributions`` are replaced, their list
    entries brought up to date (opened or closed, never deleted), and the watched
    ones among them scanned for change events. ``written``: records the caller has
    just inserted, taken from memory (see :class:`WrittenRecords`).
    """
    if not uscis:
        return RescoreSummary()
    t0 = time.perf_counter()
    frames = load_organisations(conn, uscis, recorded_at=False, text=False, written=written)
    t1 = time.perf_counter()
    out = score(frames.entities, frames.records, frames.events, cat, as_of)
    t2 = time.perf_counter()
    replace_results(conn, out, frames.entities, _now(), scoped=True)
    # The open entries are read first: the records behind them are prepared once,
    # with those of the lists, for the windows and the entries.
    current = open_entries(conn, scoped=True)
    on_lists = listed(out)
    anyone = current.height > 0 or not on_lists.is_empty()
    prep = prepare_listed(frames, out, cat, current) if anyone else None
    replace_list_windows(conn, frames, out, cat, as_of, scoped=True, prep=prep, on_lists=on_lists)
    update_name_index(conn, scoped=True)
    changes = update_list_entries(
        conn, frames, out, cat, as_of, scoped=True, current=current, prep=prep, on_lists=on_lists
    )
    t3 = time.perf_counter()
    scan_rescored(conn, members_scope())
    t4 = time.perf_counter()
    seconds = {"load": t1 - t0, "score": t2 - t1, "write": t3 - t2, "monitor": t4 - t3}
    return _summary(frames, out.warnings, changes, seconds)


def _summary(
    frames: KernelInputs, warnings: list[str], changes: ListChanges, seconds: dict[str, float]
) -> RescoreSummary:
    return RescoreSummary(
        entities=frames.entities.height,
        organisations=frames.entities.get_column("head_usci").n_unique(),
        records=frames.records.height,
        entered=changes.entered,
        left=changes.left,
        warnings=list(warnings),
        seconds=seconds,
    )


@contextmanager
def _bulk_connection(engine: Engine) -> Iterator[Connection]:
    """A connection tuned for bulk writes, for a whole-registry rescore.

    On SQLite it also leaves foreign keys unenforced until it is released
    (:func:`.ingest_sql.references_by_construction`): with them on, SQLite deletes
    the rows of a table that references another one by one instead of truncating
    it, and looks up the parent of every row inserted, which took a third of a full
    rescore. A rescore only rewrites derived tables (results, contributions, list
    windows and entries, the name index), keyed by identifiers read from
    ``entities`` in the same transaction, so every reference holds by construction;
    a test checks ``PRAGMA foreign_key_check`` after one. Large frames are written
    through scratch databases (:mod:`.sqlite_arrow`).
    """
    with engine.connect() as conn, scratch_space(conn), references_by_construction(conn):
        tune_for_bulk(conn)
        yield conn


@fewer_collections()
def rescore_all(
    engine: Engine,
    as_of: date,
    cat: Catalogue,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> RescoreSummary:
    """Rescore the whole registry at ``as_of`` with up to ``workers`` processes.

    A worker process costs seconds to start, so small registries are scored in
    this process: one worker per :data:`RECORDS_PER_WORKER` records at most.

    One write transaction: readers keep seeing the previous results until it
    commits, and no ingestion can slip in between reading and writing.
    """
    report = progress or (lambda _stage, _done, _total: None)
    with _bulk_connection(engine) as conn, write_transaction(conn):
        t0 = time.perf_counter()
        report("reading the registry", 0, None)
        # Names to index again are found while the registry is read (nothing has
        # been written yet, so a reader beside this transaction sees what it sees).
        # So are the results as they stand, to write only what changes.
        ahead = [
            *name_stamps(),
            (CURRENT_QUERY, CURRENT_SCHEMA),
            (OPEN_QUERY, OPEN_SCHEMA),
            (WINDOWS_QUERY, WINDOW_SCHEMA),
        ]
        # What is read ahead comes in while the kernel scores.
        with _reading_columns(conn, False, ahead, text=False) as loaded:
            if loaded is None:
                frames, rest = _load(conn, scoped=False, times=False, text=False), None
            else:
                frames, rest = loaded
            t1 = time.perf_counter()
            workers = max(1, min(workers, frames.records.height // RECORDS_PER_WORKER))
            report(f"scoring with {workers} worker(s)", 0, workers)
            out = score_sharded(
                frames.entities,
                frames.records,
                frames.events,
                cat,
                as_of,
                workers=workers,
                keep_prepared=True,  # the lists need the records again (prepare_listed)
                on_shard_done=lambda done, total: report(
                    f"scoring with {workers} worker(s)", done, total
                ),
            )
            t2 = time.perf_counter()
            # Every read ends before anything is written (see .sqlite_arrow).
            extra = None if rest is None else rest()
        if extra is None:
            stale = current = windows_now = None
            entries = open_entries(conn, scoped=False)
        else:
            updated, stamps, current, entries, windows_now = extra
            stale = stale_from(updated, stamps)
        waited = time.perf_counter() - t2
        report("writing results", 0, None)

        # The list windows are computed (Polars, no GIL) while SQLite writes the results,
        # from records prepared once for them and for the list entries.
        on_lists = listed(out)

        def lists_ahead() -> tuple[pl.DataFrame, pl.DataFrame]:
            prep = prepare_listed(frames, out, cat, entries)
            return prep, list_windows_frame(frames, out, cat, as_of, prep, on_lists)

        with ThreadPoolExecutor(1, thread_name_prefix="corpcredit-windows") as pool:
            ahead_lists = pool.submit(lists_ahead)
            replace_results(conn, out, frames.entities, _now(), scoped=False, current=current)
            report("writing list windows", 0, None)
            prep, windows = ahead_lists.result()
            replace_list_windows(
                conn, frames, out, cat, as_of, scoped=False, windows=windows, current=windows_now
            )
        report("indexing changed names", 0, None)
        update_name_index(conn, scoped=False, stale=stale)
        t3 = time.perf_counter()
        report("updating list entries", 0, None)
        changes = update_list_entries(
            conn,
            frames,
            out,
            cat,
            as_of,
            scoped=False,
            current=entries,
            prep=prep,
            on_lists=on_lists,
        )
        t4 = time.perf_counter()
        report("scanning watched organisations", 0, None)
        scan_rescored(conn)
        t5 = time.perf_counter()
    seconds = {
        "load": t1 - t0 + waited, "score": t2 - t1, "write": t3 - t2 - waited,
        "lists": t4 - t3, "monitor": t5 - t4,
    }  # fmt: skip
    return _summary(frames, out.warnings, changes, seconds)


def due_for_refresh(conn: Connection, today: date) -> list[str]:
    """Entities whose materialised result changes on or before ``today``."""
    q = sa.select(results.c.usci).where(results.c.next_change <= today).order_by(results.c.usci)
    return list(conn.execute(q).scalars())


@fewer_collections()
def refresh(
    engine: Engine, today: date, cat: Catalogue, *, progress: Progress | None = None
) -> RescoreSummary:
    """Rescore every organisation with an entity whose next-change date is ``today`` or
    earlier, a group of organisations per transaction."""
    report = progress or (lambda _stage, _done, _total: None)
    with engine.connect() as conn:
        due = due_for_refresh(conn, today)
    total = RescoreSummary()
    report("refreshing", 0, len(due))
    for start in range(0, len(due), _REFRESH_GROUP):
        group = due[start : start + _REFRESH_GROUP]
        with begin_write(engine) as conn:
            total = total + rescore_organisations(conn, group, today, cat)
        report("refreshing", start + len(group), len(due))
    return total

"""``ingest_file``: stream one feed file into the registry, chunk by chunk.

For each chunk, in **one** write transaction:

1. check the rows (:mod:`.checks`) and against the store (:mod:`.entities`,
   :mod:`.records`, :mod:`.events`);
2. quarantine the bad rows, land the good ones idempotently;
3. rescore the organisations the chunk touched
   (:func:`corpcredit.services.rescore_organisations`);
4. advance the batch's progress marker (:mod:`.batches`).

The batch row is created in the first chunk's transaction and closed (``done``,
audit entry ``ingest.batch``) in the last one's, so a one-record file is one
transaction. A process killed between chunks leaves whole chunks only; running the
same command again resumes after the last committed chunk. The quarantine report is
written from the ``quarantine`` table at the end, so it is complete after a resume.
On a SQLite file, from chunks of :data:`CHECKPOINT_BESIDE_ROWS` rows on, the log each
commit leaves is checkpointed by a thread while the next chunk is read and checked,
instead of in the commit (:class:`corpcredit.services.ingest_sql.Checkpoints`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.engine import Connection, Engine

from corpcredit.catalogue import Catalogue
from corpcredit.collector import fewer_collections
from corpcredit.ids.bulk import normalize
from corpcredit.ingest import entities as ent
from corpcredit.ingest import events as evt
from corpcredit.ingest import records as rec
from corpcredit.ingest.batches import (
    BatchState,
    claim_progress,
    find_running,
    finish_batch,
    open_batch,
    quarantine_errors,
    quarantined_rows,
    write_report,
)
from corpcredit.ingest.checks import KINDS, check_chunk, check_header
from corpcredit.ingest.context import Applied, ChunkContext
from corpcredit.ingest.readers import FeedReader, RawChunk, open_feed
from corpcredit.scoring.frames import CHINA_TZ
from corpcredit.services.ingest_sql import (
    Checkpoints,
    checkpoints_beside,
    references_by_construction,
    tune_for_bulk,
)
from corpcredit.services.rescore import rescore_organisations
from corpcredit.services.sqlite_arrow import scratch_space
from corpcredit.store import write_transaction

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "IngestProgress",
    "IngestSummary",
    "default_report_path",
    "ingest_file",
]

#: ``progress(rows_done, rows_total_estimate)``
IngestProgress = Callable[[int, int | None], None]

_APPLY: dict[str, Callable[[ChunkContext, pl.DataFrame], Applied]] = {
    "entities": ent.apply_entities,
    "records": rec.apply_records,
    "events": evt.apply_events,
}
_REMEMBER: dict[str, Callable[[ChunkContext, pl.DataFrame], None]] = {
    "entities": ent.remember_entities,
    "records": rec.remember_records,
    "events": evt.remember_events,
}
#: Rows per chunk (one transaction each) unless the caller says otherwise. Larger chunks
#: rescore an organisation fewer times and checkpoint the log less often: 100,000
#: entities' records file (491,134 rows) took a median 9.7 s in chunks of 200,000 rows
#: against 11.6 s in chunks of 50,000 (4 runs each, alternating), at a peak of 1.3 GB
#: against 0.8 GB for the three feeds; chunks of 500,000 were slower again (11.5 s).
DEFAULT_CHUNK_ROWS = 200_000
#: From a chunk of this many rows on, a SQLite file's log is checkpointed beside the
#: writer (:class:`corpcredit.services.ingest_sql.Checkpoints`): such a chunk takes the
#: log far past the 1,000 pages at which SQLite checkpoints in the committing call.
#: A small ingestion (one record) leaves checkpoints to SQLite, as it usually has none.
CHECKPOINT_BESIDE_ROWS = 10_000

_RESET: dict[str, Callable[[Connection], None]] = {
    "entities": ent.reset_entities,
    "records": rec.reset_records,
    "events": evt.reset_events,
}


@dataclass(frozen=True)
class IngestSummary:
    """What one ingest did. Counts include chunks landed by an interrupted earlier run."""

    kind: str
    file: str
    batch_id: int
    rows: int
    accepted: int
    updated: int
    unchanged: int
    quarantined: int
    report_path: Path
    resumed: bool
    seconds: float
    stages: dict[str, float]  # where the time went: read, check, land, rescore, commit

    @property
    def exit_code(self) -> int:
        """0 when every row landed, 3 when some were quarantined."""
        return 3 if self.quarantined else 0


def default_report_path(path: Path) -> Path:
    """``FILE.quarantine.csv`` beside the input."""
    return path.with_name(f"{path.name}.quarantine.csv")


class _Clock:
    """Adds the time since the last lap to the stage being timed."""

    def __init__(self, stages: dict[str, float], stage: str) -> None:
        self.stages, self.stage, self.t = stages, stage, time.perf_counter()

    def lap(self, next_stage: str) -> None:
        now = time.perf_counter()
        self.stages[self.stage] += now - self.t
        self.stage, self.t = next_stage, now


def _lookahead(chunks: Iterator[RawChunk]) -> Iterator[tuple[RawChunk, bool]]:
    previous: RawChunk | None = None
    for chunk in chunks:
        if previous is not None:
            yield previous, False
        previous = chunk
    if previous is not None:
        yield previous, True


def _batch_uscis(feed: FeedReader, chunk_rows: int) -> pl.Series:
    """Every (normalised) usci in an entities file: a head office may come later."""
    parts = [
        normalize(c.frame.get_column("usci").cast(pl.Utf8))
        for c in feed.chunks(chunk_rows)
        if "usci" in c.frame.columns
    ]
    return pl.concat(parts).drop_nulls().unique() if parts else pl.Series("usci", [], pl.Utf8)


def _scratch_slots(conn: Connection) -> int:
    """As many scratch databases as SQLite lets the connection attach (10 by default).

    A chunk of entities and its rescore write eight large frames before the name
    index's grams, the largest of all (some 1.3 million rows per 50,000 entities):
    with the scratch space's usual eight slots the grams went in row by row.
    """
    if conn.dialect.name != "sqlite":
        return 0
    dbapi: Any = conn.connection.driver_connection
    return int(dbapi.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED))


@contextmanager
def _session(conn: Connection, kind: str) -> Iterator[None]:
    with conn.begin():
        _RESET[kind](conn)
    yield


@fewer_collections()
def ingest_file(
    engine: Engine,
    kind: str,
    path: Path | str,
    *,
    actor: str,
    cat: Catalogue,
    report_path: Path | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: IngestProgress | None = None,
    as_of: date | None = None,
) -> IngestSummary:
    """Ingest one ``kind`` feed file (``entities``, ``records`` or ``events``).

    ``as_of`` is the date affected organisations are rescored at (default: today in
    China). Raises :class:`corpcredit.feeds.read.UnreadableFile` (exit code 2) when
    the file cannot be read at all; bad rows never raise, they are quarantined.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown feed kind {kind!r}: use one of {', '.join(KINDS)}")
    started = time.perf_counter()
    path = Path(path)
    report = report_path or default_report_path(path)
    day = as_of or datetime.now(CHINA_TZ).date()
    stages = dict.fromkeys(("read", "check", "land", "rescore", "commit"), 0.0)
    with open_feed(path) as feed:
        check_header(kind, feed.columns, str(path))
        batch_uscis = _batch_uscis(feed, chunk_rows) if kind == "entities" else None
        with (
            engine.connect() as conn,
            references_by_construction(conn),
            checkpoints_beside(conn) as checkpoints,
        ):
            tune_for_bulk(conn)
            with conn.begin():
                state = find_running(conn, kind, feed.info.sha256) or BatchState(
                    chunk_rows=chunk_rows
                )
            state.chunk_rows = state.chunk_rows or chunk_rows
            with _session(conn, kind):
                _run(
                    conn,
                    feed,
                    kind,
                    state,
                    actor,
                    cat,
                    day,
                    batch_uscis,
                    progress,
                    stages,
                    checkpoints,
                )
            assert state.batch_id is not None
            with conn.begin():
                write_report(conn, state.batch_id, report)
    return IngestSummary(
        kind=kind,
        file=str(path),
        batch_id=state.batch_id,
        rows=state.rows_done,
        report_path=report,
        resumed=state.resumed,
        seconds=time.perf_counter() - started,
        stages=stages,
        **state.counts,
    )


def _run(
    conn: Connection,
    feed: FeedReader,
    kind: str,
    state: BatchState,
    actor: str,
    cat: Catalogue,
    day: date,
    batch_uscis: pl.Series | None,
    progress: IngestProgress | None,
    stages: dict[str, float],
    checkpoints: Checkpoints,
) -> None:
    file = str(feed.path)
    skip = state.rows_done
    consumed = 0
    refused: set[int] | None = None
    chunks = _lookahead(feed.chunks(state.chunk_rows))
    empty = True
    clock = _Clock(stages, "read")
    memory: dict[str, Any] = {}  # what the appliers keep from chunk to chunk (keys seen)
    for raw, last in chunks:
        empty = False
        now = datetime.now(UTC)
        ctx = ChunkContext(conn, state.batch_id or 0, file, actor, now, batch_uscis, memory)
        if consumed + raw.consumed <= skip:
            # Landed by an interrupted run: only remember its keys (for duplicates).
            consumed += raw.consumed
            with conn.begin():
                if refused is None:
                    assert state.batch_id is not None
                    refused = quarantined_rows(conn, state.batch_id)
                good = check_chunk(kind, raw, file, cat).good
                _REMEMBER[kind](ctx, good.filter(~pl.col("_row").is_in(sorted(refused))))
            if last:
                with write_transaction(conn):
                    _finish(conn, state, actor, kind, feed)
            if progress:
                progress(consumed, feed.total)
            continue
        consumed += raw.consumed
        clock.lap("check")
        checked = check_chunk(kind, raw, file, cat)
        if raw.consumed >= CHECKPOINT_BESIDE_ROWS:
            checkpoints.take_over()
        checkpoints.caught_up()  # the log starts afresh in this transaction
        # Large frames (the stage, the rescore's rows) go in through scratch databases
        # written in C on SQLite (see corpcredit.services.sqlite_arrow); nothing elsewhere.
        with scratch_space(conn, _scratch_slots(conn)), write_transaction(conn):
            clock.lap("land")
            if state.batch_id is None:
                open_batch(conn, kind, file, feed.info.sha256, state, now)
                ctx.batch_id = state.batch_id or 0
            applied = _APPLY[kind](ctx, checked.good)
            errors = pl.concat([checked.errors, applied.errors])
            bad = quarantine_errors(conn, ctx.batch_id, file, errors)
            clock.lap("rescore")
            rescore_organisations(conn, applied.affected, day, cat, written=applied.written)
            clock.lap("land")
            claim_progress(
                conn,
                state,
                raw.consumed,
                {
                    "accepted": applied.accepted,
                    "updated": applied.updated,
                    "unchanged": applied.unchanged,
                    "quarantined": bad,
                },
            )
            if last:
                _finish(conn, state, actor, kind, feed)
            clock.lap("commit")
        checkpoints.committed()
        clock.lap("read")
        if progress:
            progress(state.rows_done, feed.total)
    if empty:
        with write_transaction(conn):
            if state.batch_id is None:
                open_batch(conn, kind, file, feed.info.sha256, state, datetime.now(UTC))
            _finish(conn, state, actor, kind, feed)


def _finish(conn: Connection, state: BatchState, actor: str, kind: str, feed: FeedReader) -> None:
    finish_batch(
        conn,
        state,
        actor=actor,
        kind=kind,
        file=str(feed.path),
        sha256=feed.info.sha256,
        now=datetime.now(UTC),
    )

"""A chunk's new records reach its rescore from memory; what the rescore stores is the
same as when it reads them back from the store."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from corpcredit.ingest import records as records_module
from corpcredit.ingest.batches import BatchState, open_batch
from corpcredit.ingest.checks import check_chunk
from corpcredit.ingest.context import ChunkContext
from corpcredit.ingest.readers import open_feed
from corpcredit.services.rescore import load_organisations, next_record_id, written_since
from corpcredit.store import create_engine_for, upgrade, write_transaction
from tests.factory import usci
from tests.ingest.builders import (
    CAT,
    ENTITY_FIELDS,
    RECORD_FIELDS,
    entity,
    ingest,
    record,
    rows,
    snapshot,
    write_feed,
)

# Two organisations with branches, and one alone.
ENTITIES = [
    entity(1),
    entity(2, parent=1),
    entity(3, parent=2),
    entity(4),
    entity(5, parent=4),
    entity(6),
]
KINDS = [
    ("admin_penalty", "minor"),
    ("admin_penalty", "serious"),
    ("abnormal_operations", "general"),
    ("court_defaulter", "serious"),
    ("commendation", "positive"),
]


def _sorted(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    return frame.sort(key)


def test_a_chunks_records_from_memory_equal_those_read_back(engine: Engine, tmp_path: Path) -> None:
    ingest(engine, "entities", write_feed(tmp_path / "e.csv", ENTITIES, ENTITY_FIELDS))
    ingest(
        engine,
        "records",
        write_feed(
            tmp_path / "a.csv",
            [record("OLD1", 3, "court_defaulter", "serious"), record("OLD2", 6)],
            RECORD_FIELDS,
        ),
    )
    chunk = [
        record("OLD2", 6, "admin_penalty", "serious"),  # a correction: not a new row
        record("N1", 1, "commendation", "positive", red="true"),
        record("N2", 2, ends_on="2027-01-01", amount_cny="12.5"),
        record("N3", 99),  # no such entity: refused
        record("N4", 4, "abnormal_operations", "general", decided_on="2022-02-03"),
    ]
    path = write_feed(tmp_path / "b.csv", chunk, RECORD_FIELDS)
    with open_feed(path) as feed, engine.connect() as conn, write_transaction(conn):
        raw = next(iter(feed.chunks(100)))
        good = check_chunk("records", raw, str(path), CAT).good
        state = BatchState(chunk_rows=100)
        now = datetime.now(UTC)
        open_batch(conn, "records", str(path), feed.info.sha256, state, now)
        assert state.batch_id is not None
        ctx = ChunkContext(conn, state.batch_id, str(path), "test", now)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(records_module, "WRITTEN_IN_MEMORY", 0)
            applied = records_module.apply_records(ctx, good)
        written = applied.written
        if conn.dialect.name != "sqlite":  # ids from a sequence: read back as ever
            assert written is None
            return
        assert written is not None
        assert sorted(written.records.get_column("record_id")) == ["N1", "N2", "N4"]
        fast = load_organisations(conn, applied.affected, recorded_at=False, written=written)
        slow = load_organisations(conn, applied.affected, recorded_at=False)
        key = ["source", "record_id"]
        assert fast.records.height == 5  # OLD1 and OLD2 of the store, three new
        assert _sorted(fast.records, key).equals(_sorted(slow.records, key))
        assert fast.entities.equals(slow.entities) and fast.events.equals(slow.events)
        with_times = load_organisations(conn, applied.affected, written=written)
        assert _sorted(with_times.records, key).equals(
            _sorted(load_organisations(conn, applied.affected).records, key)
        )
        # Rows that are not the ones stored from the given id on are not vouched for.
        assert written_since(conn, written.first_id, written.records.head(2)) is None
        assert written_since(conn, None, written.records) is None
        assert next_record_id(conn) == written.first_id + 3


def test_a_chunk_affects_the_entities_of_its_new_and_changed_rows_only(
    engine: Engine, tmp_path: Path
) -> None:
    ingest(engine, "entities", write_feed(tmp_path / "e.csv", ENTITIES, ENTITY_FIELDS))
    stored = [record("SAME", 3), record("MOVED", 6), record("FIXED", 2)]
    ingest(engine, "records", write_feed(tmp_path / "a.csv", stored, RECORD_FIELDS))
    chunk = [
        record("SAME", 3),  # unchanged: nothing to rescore
        record("MOVED", 5),  # changed entity: the old and the new one
        record("FIXED", 2, "admin_penalty", "serious"),  # changed in place
        record("NEW", 1),
        record("NOBODY", 99),  # refused
    ]
    path = write_feed(tmp_path / "b.csv", chunk, RECORD_FIELDS)
    with open_feed(path) as feed, engine.connect() as conn, write_transaction(conn):
        good = check_chunk("records", next(iter(feed.chunks(100))), str(path), CAT).good
        state = BatchState(chunk_rows=100)
        now = datetime.now(UTC)
        open_batch(conn, "records", str(path), feed.info.sha256, state, now)
        assert state.batch_id is not None
        applied = records_module.apply_records(
            ChunkContext(conn, state.batch_id, str(path), "test", now), good
        )
    assert (applied.accepted, applied.updated, applied.unchanged) == (1, 2, 1)
    assert applied.affected == sorted(usci(n) for n in (1, 2, 5, 6))


@st.composite
def _feeds(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    def row(rid: str) -> dict[str, Any]:
        kind, tier = draw(st.sampled_from(KINDS))
        day = draw(st.dates(min_value=date(2021, 1, 1), max_value=date(2026, 6, 1)))
        ends = draw(st.none() | st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 1, 1)))
        return record(
            rid,
            draw(st.integers(min_value=1, max_value=7)),  # 7: no such entity
            kind,
            tier,
            decided_on=day.isoformat(),
            ends_on=ends.isoformat() if ends else None,
            black=draw(st.sampled_from([None, "true", "false"])),
            red=draw(st.sampled_from([None, "true", "false"])),
        )

    first = [row(f"R{i}") for i in range(draw(st.integers(min_value=1, max_value=14)))]
    # The second file corrects some of the first's records, repeats others, adds new ones.
    again = draw(st.lists(st.sampled_from(first), max_size=len(first), unique_by=id))
    fixed = [row(r["record_id"]) if draw(st.booleans()) else r for r in again]
    more = [row(f"S{i}") for i in range(draw(st.integers(min_value=0, max_value=10)))]
    second = draw(st.permutations(fixed + more))
    return first, list(second)


def _state(work: Path, feeds: list[Path], chunk_rows: int, in_memory: bool) -> dict[str, Any]:
    engine = create_engine_for(f"sqlite:///{work / f'{in_memory}.db'}")
    try:
        upgrade(engine)
        ingest(engine, "entities", write_feed(work / "e.csv", ENTITIES, ENTITY_FIELDS))
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(records_module, "WRITTEN_IN_MEMORY", 0 if in_memory else 10**9)
            for path in feeds:
                ingest(engine, "records", path, chunk_rows=chunk_rows)
        state = snapshot(engine)
        state["windows"] = rows(engine, "SELECT * FROM result_lists ORDER BY 1, 2")
        state["as_of"] = rows(engine, "SELECT DISTINCT as_of FROM results")
        return state
    finally:
        engine.dispose()


@settings(max_examples=12, deadline=None)
@given(feeds=_feeds(), chunk_rows=st.integers(min_value=1, max_value=6))
def test_rescoring_from_memory_stores_what_reading_back_stores(
    feeds: tuple[list[dict[str, Any]], list[dict[str, Any]]], chunk_rows: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths = [
            write_feed(work / f"{n}.csv", rows_, RECORD_FIELDS) for n, rows_ in enumerate(feeds)
        ]
        fast = _state(work, paths, chunk_rows, in_memory=True)
        slow = _state(work, paths, chunk_rows, in_memory=False)
    assert fast == slow

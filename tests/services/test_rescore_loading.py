"""The fast registry readers give exactly what ``store.frames.load_frames`` gives."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import psutil
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import synth
from corpcredit.services import load_organisations, load_registry, sqlite_arrow
from corpcredit.services import rescore as rescore_module
from corpcredit.services.ingest_sql import fetch_frame, tune_for_bulk
from corpcredit.services.name_index import name_stamps, stale_from, stale_names
from corpcredit.services.rescore import _load, _load_columns
from corpcredit.services.sqlite_arrow import read_frames
from corpcredit.store import create_engine_for, upgrade, write_transaction
from corpcredit.store.frames import KernelInputs, load_frames
from corpcredit.store.schema import entities
from tests.factory import usci
from tests.ingest.builders import (
    AS_OF,
    ENTITY_FIELDS,
    RECORD_FIELDS,
    entity,
    ingest,
    record,
    write_feed,
)


def _same(a: KernelInputs, b: KernelInputs) -> None:
    cols = ["usci", "parent_usci", "natural_person", "head_usci"]
    assert a.entities.select(cols).sort("usci").equals(b.entities.select(cols).sort("usci"))
    rkey = ["source", "record_id"]
    assert a.records.sort(rkey).equals(b.records.select(a.records.columns).sort(rkey))
    ekey = ["source", "record_id", "event", "effective_on"]
    assert a.events.sort(ekey).equals(b.events.select(a.events.columns).sort(ekey))


def _registry(engine: Engine, tmp_path: Path) -> pl.DataFrame:
    registry = synth.generate(250, 5, as_of=AS_OF)
    paths = synth.write(registry, tmp_path, "parquet")
    for kind in synth.FEEDS:
        ingest(engine, kind, paths[kind])
    return registry.entities


def test_load_registry_equals_load_frames(engine: Engine, tmp_path: Path) -> None:
    _registry(engine, tmp_path)
    with engine.connect() as conn:
        fast, slow = load_registry(conn), load_frames(conn)
        # On a SQLite file the reader processes serve every column type (text, dates,
        # flags, timestamps): no fallback to reading row by row hides a failing one.
        if engine.dialect.name == "sqlite":
            assert _load_columns(conn, True) is not None
    assert fast.records.height > 1000 and fast.events.height > 10
    _same(fast, slow)


def test_load_organisations_equals_load_frames(engine: Engine, tmp_path: Path) -> None:
    ents = _registry(engine, tmp_path)
    branches = ents.filter(pl.col("parent_usci").is_not_null()).head(5)
    some = [*branches.get_column("usci"), *ents.get_column("usci").head(20), usci(10**6)]
    with engine.begin() as conn:
        fast, slow = load_organisations(conn, some), load_frames(conn, some)
    loaded = set(fast.entities.get_column("usci"))
    assert set(branches.get_column("parent_usci")) <= loaded  # widened to their head offices
    _same(fast, slow)
    with engine.begin() as conn:
        assert load_organisations(conn, []).entities.is_empty()
        assert load_frames(conn, []).entities.is_empty()


def test_load_frames_at_a_knowledge_time_takes_each_records_own_newest_version(
    engine: Engine, tmp_path: Path
) -> None:
    ingest(engine, "entities", write_feed(tmp_path / "e.csv", [entity(1)], ENTITY_FIELDS))
    first = [
        record("R1", 1, recorded_at="2026-01-02T00:00:00+08:00"),
        record("R2", 1, recorded_at="2026-01-02T00:00:00+08:00"),
    ]
    ingest(engine, "records", write_feed(tmp_path / "r1.csv", first, RECORD_FIELDS))
    fix = [record("R1", 1, tier="serious", recorded_at="2026-03-02T00:00:00+08:00")]
    ingest(engine, "records", write_feed(tmp_path / "r2.csv", fix, RECORD_FIELDS))
    with engine.connect() as conn:
        later = load_frames(conn, [usci(1)], known_at=datetime(2026, 6, 1, tzinfo=UTC)).records
        early = load_frames(conn, [usci(1)], known_at=datetime(2026, 2, 1, tzinfo=UTC)).records
    # R2 has one version only; it must not vanish because R1 has two.
    assert sorted(later.select("record_id", "tier").rows()) == [
        ("R1", "serious"),
        ("R2", "general"),
    ]
    assert sorted(early.select("record_id", "tier").rows()) == [
        ("R1", "general"),
        ("R2", "general"),
    ]


def test_reading_column_by_column_gives_what_the_row_reader_gives(
    engine: Engine, tmp_path: Path
) -> None:
    """The ADBC reader (SQLite files) and the sqlite3/psycopg row reader agree, at the
    start of a write transaction too, where the rescore reads."""
    _registry(engine, tmp_path)
    with engine.begin() as conn:  # some names to index again, read ahead by a rescore
        conn.execute(sa.text("DELETE FROM search_names WHERE usci < '9133'"))
    with engine.connect() as conn:
        tune_for_bulk(conn)
        with write_transaction(conn):
            loaded = _load_columns(conn, times=True, ahead=name_stamps())
            rows = _load(conn, scoped=False, times=True)
            stale_rows = fetch_frame(conn, *stale_names())
    if engine.dialect.name == "sqlite":
        assert loaded is not None
        columns, (updated, stamps) = loaded
        stale = stale_from(updated, stamps)
        _same(columns, rows)
        for part in ("entities", "records", "events"):
            assert getattr(columns, part).schema == getattr(rows, part).schema
        assert stale.height > 0
        assert stale.sort("usci").equals(stale_rows.select("usci").sort("usci"))
    else:
        assert loaded is None  # PostgreSQL is read on the caller's connection


def test_a_nullable_column_null_for_many_rows_first_still_reads(tmp_path: Path) -> None:
    """The driver types a column from its first batch; a text column null for the first
    thousands of rows must not break the read (or must fall back)."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    rows = [entity(i) for i in range(1, 3001)]
    ingest(engine, "entities", write_feed(tmp_path / "e.csv", rows, ENTITY_FIELDS))
    recs = [record(f"R{i}", i, decision_no=None) for i in range(1, 2501)]
    recs += [record(f"S{i}", i, decision_no=f"（2026）第{i}号") for i in range(1, 11)]
    ingest(engine, "records", write_feed(tmp_path / "r.csv", recs, RECORD_FIELDS))
    with engine.connect() as conn:
        loaded = _load_columns(conn, times=False)
        rows_read = _load(conn, scoped=False, times=False)
    assert loaded is not None
    columns = loaded[0]
    _same(columns, rows_read)
    assert columns.records.get_column("decision_no").drop_nulls().len() == 10


@pytest.mark.parametrize("text", [True, False], ids=["with text", "without text"])
def test_records_read_in_id_ranges_side_by_side_are_the_registrys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: bool
) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    _registry(engine, tmp_path)
    monkeypatch.setattr(rescore_module, "RECORDS_PER_READER", 100)  # one range per processor
    with engine.connect() as conn:
        ranges = rescore_module._record_ranges(conn, times=False, text=text)
        assert len(ranges) > 1 or os.cpu_count() == 1
        loaded = _load_columns(conn, times=False, text=text)
        rows = _load(conn, scoped=False, times=False, text=text)
    assert loaded is not None
    _same(loaded[0], rows)
    authority = loaded[0].records.get_column("authority")
    assert authority.null_count() == (0 if text else authority.len()) and authority.len() > 0


def test_more_queries_than_readers_each_come_back_in_their_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each reader process serves queries in turn; every frame is its own query's."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    rows = [entity(i) for i in range(1, 201)]
    ingest(engine, "entities", write_feed(tmp_path / "e.csv", rows, ENTITY_FIELDS))
    schema = {"usci": pl.Utf8(), "natural_person": pl.Boolean()}
    queries = [
        (
            sa.select(entities.c.usci, entities.c.natural_person)
            .where(entities.c.usci >= usci(k))
            .order_by(entities.c.usci),
            schema,
        )
        for k in range(1, 200, 20)  # ten queries, each with a different number of rows
    ]
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with engine.connect() as conn:
        frames = read_frames(conn, queries)
        expected = [fetch_frame(conn, query, schema) for query, schema in queries]
    assert frames is not None and len(frames) == len(queries)
    assert [f.height for f in frames] == [f.height for f in expected] == list(range(200, 0, -20))
    for got, want in zip(frames, expected, strict=True):
        assert got.equals(want)


def test_a_query_the_reader_cannot_run_makes_the_caller_read_another_way(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    missing = sa.table("no_such_table", sa.column("usci"))
    good = (sa.select(entities.c.usci), {"usci": pl.Utf8()})
    with engine.connect() as conn:
        assert (
            read_frames(conn, [good, (sa.select(missing.c.usci), {"usci": pl.Utf8()}), good])
            is None
        )


def _alive(pids: list[int]) -> list[int]:
    children = psutil.Process().children()
    return [p.pid for p in children if p.pid in pids and p.status() != psutil.STATUS_ZOMBIE]


_USCIS: tuple[sa.Select[Any], dict[str, pl.DataType]] = (
    sa.select(entities.c.usci),
    {"usci": pl.Utf8()},
)


def _two_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hand_out: Any
) -> tuple[Engine, list[int]]:
    """An empty registry read by two readers, each hand-out going through ``hand_out``
    (called with the pids so far and the real hand-out's arguments) first."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    real = sqlite_arrow._hand_out
    calls: list[int] = []

    def spied(child: Any, pending: Any, running: Any) -> None:
        calls.append(child.pid)
        hand_out(calls)
        real(child, pending, running)

    monkeypatch.setattr(sqlite_arrow, "_hand_out", spied)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    return engine, calls


def test_a_read_interrupted_midway_leaves_no_reader_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C reaches the caller, which is working while the readers read."""
    started = threading.Event()

    def slow(calls: list[int]) -> None:
        if len(calls) == 2:  # both readers have their first query
            started.set()
            time.sleep(0.5)  # and will still be reading when the caller is interrupted

    engine, calls = _two_readers(tmp_path, monkeypatch, slow)
    with (
        engine.connect() as conn,
        pytest.raises(KeyboardInterrupt),
        sqlite_arrow.reading(conn, [_USCIS] * 6) as reads,
    ):
        assert reads is not None and started.wait(30)
        raise KeyboardInterrupt
    # No reader was handed another query, and none is left.
    assert len(calls) == len(set(calls)) == 2 and not _alive(calls)


def test_a_reader_failing_midway_gives_none_and_leaves_no_reader_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(calls: list[int]) -> None:
        if len(calls) == 3:  # after the readers got their first queries
            raise RuntimeError("pipe gone")

    engine, calls = _two_readers(tmp_path, monkeypatch, broken)
    with engine.connect() as conn:
        assert read_frames(conn, [_USCIS] * 6) is None
    assert len(set(calls)) == 2 and not _alive(calls)


_FREE, _SIZE = 6 << 30, 8 << 30  # the memory root's file system, as the tests see it


@pytest.fixture
def memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory standing for ``/dev/shm``, with 6 GiB free of 8, and no ``TMPDIR``."""
    root = tmp_path / "memory"
    root.mkdir()
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(sqlite_arrow, "MEMORY_ROOT", root)
    monkeypatch.setattr(sqlite_arrow, "_space", lambda at: (_FREE, _SIZE) if at.exists() else None)
    return root


def test_work_files_go_to_the_memory_root_when_it_has_room(
    memory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = Path(tempfile.gettempdir())
    free, size = _FREE, _SIZE
    assert sqlite_arrow.work_directory(0) == memory
    # A quarter of the file system stays free for others.
    assert sqlite_arrow.work_directory(free - size // 4 - 1) == memory
    assert sqlite_arrow.work_directory(free - size // 4 + 1) == default
    monkeypatch.setenv("TMPDIR", str(default))  # the operator's choice comes first
    assert sqlite_arrow.work_directory(0) == default
    monkeypatch.delenv("TMPDIR")
    monkeypatch.setattr(sqlite_arrow, "MEMORY_ROOT", tmp_path / "missing")
    assert sqlite_arrow.work_directory(0) == default
    monkeypatch.setattr(sqlite_arrow, "MEMORY_ROOT", None)
    assert sqlite_arrow.work_directory(0) == default


def test_reads_and_scratch_databases_are_made_in_the_work_directory(
    memory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    rows = [entity(i) for i in range(1, 51)]
    ingest(engine, "entities", write_feed(tmp_path / "e.csv", rows, ENTITY_FIELDS))
    real = sqlite_arrow._run_jobs
    used: list[Path] = []

    def spied(path: str, jobs: Any, outputs: Any, directory: Path, *rest: Any) -> Any:
        used.append(directory)
        return real(path, jobs, outputs, directory, *rest)

    monkeypatch.setattr(sqlite_arrow, "_run_jobs", spied)
    monkeypatch.setattr(sqlite_arrow, "SCRATCH_MIN_ROWS", 1)
    with engine.connect() as conn:
        (frame,) = read_frames(conn, [_USCIS]) or []
        assert frame.height == 50
        assert [d.parent for d in used] == [memory] and not used[0].exists()
        with sqlite_arrow.scratch_space(conn):
            conn.exec_driver_sql("CREATE TEMP TABLE t (x INTEGER)")
            conn.commit()
            with conn.begin():
                assert sqlite_arrow.insert_via_scratch(conn, "t", pl.DataFrame({"x": [1, 2]}))
                (scratch,) = memory.glob(f"corpcredit-scratch-{os.getpid()}-*")
                assert list(scratch.glob("*.db"))
            assert conn.exec_driver_sql("SELECT count(*) FROM temp.t").scalar() == 2
        assert not scratch.exists()
    engine.dispose()


def test_reads_left_by_a_killed_process_are_swept(memory: Path, tmp_path: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = memory / f"corpcredit-read-{child.stdout.strip()}-x1"
    alive = memory / f"corpcredit-read-{os.getppid()}-x2"
    for d in (dead, alive):
        d.mkdir()
        (d / "0.arrow").write_bytes(b"\0" * 1024)
    engine = create_engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        assert read_frames(conn, [_USCIS]) is not None
    engine.dispose()
    assert not dead.exists()
    assert alive.exists()  # a running process's reads are left alone
    assert [d.name for d in memory.iterdir()] == [alive.name]  # and this one's are gone

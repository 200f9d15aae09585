"""A large ingestion into a SQLite file has its log checkpointed beside the writer:
the store is the same as with SQLite's own checkpoints, every frame is copied back
by the end, the writer checkpoints again afterwards, and a process killed mid-file
resumes to the same store as a clean ingest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from corpcredit import synth
from corpcredit.ingest import pipeline
from corpcredit.services import ingest_sql
from corpcredit.store import create_engine_for, upgrade
from tests.ingest.builders import (
    AS_OF,
    ENTITY_FIELDS,
    RECORD_FIELDS,
    count,
    entity,
    ingest,
    progress,
    record,
    rows,
    snapshot,
    write_feed,
)


def _feeds(tmp_path: Path) -> tuple[Path, Path]:
    heads = [entity(n) for n in range(1, 41)]
    branches = [entity(n, parent=n - 40) for n in range(41, 61)]
    recs = [record(f"R{i}", 1 + i % 60, decided_on=f"2026-0{1 + i % 5}-10") for i in range(240)]
    recs.append(record("R7", 8))  # a duplicate of an earlier chunk's row: quarantined
    return (
        write_feed(tmp_path / "e.csv", heads + branches, ENTITY_FIELDS),
        write_feed(tmp_path / "r.parquet", recs, RECORD_FIELDS),
    )


def _store(path: Path, entities: Path, records: Path) -> Any:
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)
    ingest(engine, "entities", entities, chunk_rows=25)
    ingest(engine, "records", records, chunk_rows=20)
    return engine


def test_checkpoints_beside_the_writer_leave_the_store_as_sqlite_s_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entities, records = _feeds(tmp_path)
    monkeypatch.setattr(pipeline, "CHECKPOINT_BESIDE_ROWS", 10**9)  # never
    own = _store(tmp_path / "own.db", entities, records)

    monkeypatch.setattr(pipeline, "CHECKPOINT_BESIDE_ROWS", 1)  # every chunk
    used: list[ingest_sql.Checkpoints] = []

    @contextmanager
    def kept(conn: Any) -> Iterator[ingest_sql.Checkpoints]:
        with ingest_sql.checkpoints_beside(conn) as checkpoints:
            used.append(checkpoints)
            run = checkpoints._checkpoint

            def slow(db: Any) -> None:  # a slow disk: the writer gets ahead of it
                time.sleep(0.05)
                run(db)

            checkpoints._checkpoint = slow  # type: ignore[method-assign]
            yield checkpoints

    monkeypatch.setattr(pipeline, "checkpoints_beside", kept)
    beside = _store(tmp_path / "beside.db", entities, records)

    assert len(used) == 2 and all(c.done >= 1 for c in used)
    for checkpoints in used:  # the last one, after the last commit, copied every frame
        assert checkpoints.last is not None
        busy, frames, copied = checkpoints.last
        assert busy == 0 and frames == copied > 0
    assert snapshot(beside) == snapshot(own)
    assert rows(beside, "SELECT count(*) FROM quarantine") == [(1,)]
    # Each transaction began with the log copied back, so SQLite started it afresh:
    # it holds one chunk, where SQLite's own (below its 1,000 pages) holds them all.
    wal = {p: os.path.getsize(f"{tmp_path / p}-wal") for p in ("own.db", "beside.db")}
    assert 0 < wal["beside.db"] * 3 < wal["own.db"]
    with beside.connect() as conn:  # the pooled writer's connection checkpoints again
        assert conn.execute(sa.text("PRAGMA wal_autocheckpoint")).scalar() == 1000
        assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    own.dispose()
    beside.dispose()


def test_a_small_ingestion_leaves_checkpoints_to_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entities, records = _feeds(tmp_path)
    used: list[ingest_sql.Checkpoints] = []

    @contextmanager
    def kept(conn: Any) -> Iterator[ingest_sql.Checkpoints]:
        with ingest_sql.checkpoints_beside(conn) as checkpoints:
            used.append(checkpoints)
            yield checkpoints

    monkeypatch.setattr(pipeline, "checkpoints_beside", kept)
    engine = _store(tmp_path / "small.db", entities, records)
    assert [c.done for c in used] == [0, 0]  # chunks far below CHECKPOINT_BESIDE_ROWS
    engine.dispose()


_KILLABLE = """
import sys
from pathlib import Path
from corpcredit.catalogue import default_catalogue
from corpcredit.ingest import ingest_file, pipeline
from corpcredit.store import create_engine_for
from tests.ingest.builders import AS_OF

pipeline.CHECKPOINT_BESIDE_ROWS = 1  # every chunk's log checkpointed beside the writer
url, path, chunk = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
s = ingest_file(create_engine_for(url), "records", path, actor="test",
                cat=default_catalogue(), as_of=AS_OF, chunk_rows=chunk)
print("resumed" if s.resumed else "fresh")
"""


def _start(url: str, path: Path, chunk: int) -> subprocess.Popen[bytes]:
    root = Path(__file__).resolve().parents[2]
    return subprocess.Popen(
        [sys.executable, "-c", _KILLABLE, url, str(path), str(chunk)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
def test_killed_while_checkpointing_beside_resumes_to_a_clean_store(tmp_path: Path) -> None:
    registry = synth.generate(2_500, 5, as_of=AS_OF)
    paths = synth.write(registry, tmp_path / "feeds", "parquet")
    chunk = 300
    killed_url = f"sqlite:///{tmp_path / 'killed.db'}"
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    engines = {u: create_engine_for(u) for u in (killed_url, clean_url)}
    try:
        for engine in engines.values():
            upgrade(engine)
            ingest(engine, "entities", paths["entities"])
        proc = _start(killed_url, paths["records"], chunk)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if (progress(killed_url) or ("", 0))[1] >= chunk:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the ingest finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        killed = engines[killed_url]
        _, done = progress(killed_url) or ("", 0)
        assert chunk <= done < registry.records.height
        (landed,) = rows(killed, "SELECT count(*) FROM records")[0]
        assert 0 < landed <= done  # whole chunks only, consistent with the marker
        assert count(killed, "record_versions") == landed

        rerun = _start(killed_url, paths["records"], chunk)
        out, _ = rerun.communicate(timeout=600)
        assert rerun.returncode == 0, out.decode()
        assert b"resumed" in out
        ingest(engines[clean_url], "records", paths["records"], chunk_rows=chunk)
        assert snapshot(killed) == snapshot(engines[clean_url])
        with killed.connect() as conn:
            assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        for engine in engines.values():
            engine.dispose()

"""A full rescore of a SQLite file writes through scratch databases, only the rows that
differ, and without foreign-key work: what it stores must be exactly what the
row-by-row path (delete everything, insert everything) stores, value and type."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy.engine import Engine

from corpcredit import synth
from corpcredit.services import ingest_sql, rescore_all, sqlite_arrow
from corpcredit.services import rescore as rescore_module
from corpcredit.store import create_engine_for, upgrade
from tests.ingest.builders import AS_OF, CAT, ingest

#: Every materialised table, with every column but the computation time.
DERIVED = {
    "results": "usci, as_of, natural_person, score, grade, black, red, abnormal, "
    "own_points_h, received_points_h, next_change, catalogue_version, head_usci, "
    "lines_digest, row_digest",
    "contributions": "usci, record_source, record_id, from_usci, role, points_h, ends_on, "
    "kind, tier, catalogue_version",
    "result_lists": "*",
    "list_entries": "usci, list, entered_on, left_on, basis",
    "search_names": "*",
}


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Each derived table's rows, every value paired with its SQLite storage class."""
    db = sqlite3.connect(path)
    try:
        out = {}
        for table, columns in DERIVED.items():
            names = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
            wanted = names if columns == "*" else [c.strip() for c in columns.split(",")]
            typed = ", ".join(f"{c}, typeof({c})" for c in wanted)
            out[table] = sorted(db.execute(f"SELECT {typed} FROM {table}").fetchall(), key=repr)
        return out
    finally:
        db.close()


def _ingested(path: Path, entities: int, *, seed: int) -> Engine:
    """A synthetic registry ingested into a fresh SQLite file at ``path``."""
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)
    registry = synth.generate(entities, seed, as_of=AS_OF)
    feeds = synth.write(registry, path.parent / f"{path.stem}-feeds", "parquet")
    for kind in synth.FEEDS:
        ingest(engine, kind, feeds[kind])
    return engine


def _rescore_rows_only(path: Path, day: date, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference: the registry read row by row, every derived row deleted and
    inserted again, no scratch database."""
    engine = create_engine_for(f"sqlite:///{path}")
    with monkeypatch.context() as rows_only:
        rows_only.setattr(sqlite_arrow, "SCRATCH_MIN_ROWS", 10**9)  # never
        rows_only.setattr(ingest_sql, "sync_via_scratch", lambda *_a, **_k: False)
        rows_only.setattr(rescore_module, "_load_columns", lambda *_a, **_k: None)
        rescore_all(engine, day, CAT)
    engine.dispose()


def _computed(path: Path) -> dict[str, tuple[str, str]]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT usci, as_of, computed_at FROM results").fetchall()
        return {usci: (as_of, at) for usci, as_of, at in rows}
    finally:
        db.close()


#: The first record that contributes a line.
_CONTRIBUTING = (
    "(SELECT min(r.id) FROM records AS r JOIN contributions AS c "
    "ON c.record_source = r.source AND c.record_id = r.record_id)"
)


def _retitle_one_record(path: Path) -> None:
    """Change a text that lines are shown with but no score depends on."""
    db = sqlite3.connect(path)
    with db:
        db.execute(
            f"UPDATE records SET authority = authority || '（复核）' WHERE id = {_CONTRIBUTING}"
        )
    db.close()


def _withdraw_one_record(path: Path, on: date) -> None:
    """Withdraw a contributing record: its organisation's lines and results change."""
    db = sqlite3.connect(path)
    with db:
        db.execute(
            "INSERT INTO record_events (source, record_id, event, effective_on, recorded_at) "
            f"SELECT source, record_id, 'withdrawn', ?, '2026-01-01 00:00:00.000000' "
            f"FROM records WHERE id = {_CONTRIBUTING}",
            (on.isoformat(),),
        )
    db.close()


def test_scratch_writes_store_exactly_what_row_writes_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingested(tmp_path / "a.db", 400, seed=17).dispose()
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    later = AS_OF.replace(year=AS_OF.year + 1)  # so that results, lists and entries change

    bulk_engine = create_engine_for(f"sqlite:///{tmp_path / 'b.db'}")
    monkeypatch.setattr(sqlite_arrow, "SCRATCH_MIN_ROWS", 1)  # every frame
    used: list[tuple[str, int]] = []

    def counted(conn: Any, table: str, values: Any) -> bool:
        done = sqlite_arrow.insert_via_scratch(conn, table, values)
        used.extend([(table, values.height)] if done else [])
        return done

    def synced(conn: Any, table: Any, values: Any, **kwargs: Any) -> bool:
        done = sqlite_arrow.sync_via_scratch(conn, table, values, **kwargs)
        used.extend([(f"synced {table.name}", values.height)] if done else [])
        return done

    monkeypatch.setattr(ingest_sql, "insert_via_scratch", counted)
    monkeypatch.setattr(ingest_sql, "sync_via_scratch", synced)

    # A year on: most results change, and list entries open and close.
    _rescore_rows_only(tmp_path / "a.db", later, monkeypatch)
    summary = rescore_all(bulk_engine, later, CAT)
    assert summary.entities == 400 and summary.left > 0
    tables = {t for t, _ in used}
    assert {"results", "contributions", "result_lists", "list_entries"} <= tables
    rows, bulk = _dump(tmp_path / "a.db"), _dump(tmp_path / "b.db")
    assert all(rows[t] for t in DERIVED)
    for table in DERIVED:
        assert bulk[table] == rows[table], table

    # The same day again, after one record's authority changed: lines name records,
    # and are shown with the records' text, so nothing is written.
    for path in (tmp_path / "a.db", tmp_path / "b.db"):
        _retitle_one_record(path)
    computed = _computed(tmp_path / "b.db")
    used.clear()
    rescore_all(bulk_engine, later, CAT)
    assert not dict(used)
    assert _dump(tmp_path / "b.db") == bulk
    assert _computed(tmp_path / "b.db") == computed  # not even the stamps

    # After one record is withdrawn: the results whose lines differ (its organisation,
    # at most 21 entities) are all that is written.
    for path in (tmp_path / "a.db", tmp_path / "b.db"):
        _withdraw_one_record(path, later)
    _rescore_rows_only(tmp_path / "a.db", later, monkeypatch)
    used.clear()
    rescore_all(bulk_engine, later, CAT)
    written = dict(used)
    assert 1 <= written.get("results", 0) <= 21 and written.get("contributions", 0) < 200
    rows, bulk = _dump(tmp_path / "a.db"), _dump(tmp_path / "b.db")
    for table in DERIVED:
        assert bulk[table] == rows[table], table

    # The pooled connection is handed back as it was taken: foreign keys enforced,
    # nothing attached; the references hold; no scratch file is left behind.
    with bulk_engine.connect() as conn:
        dbapi: Any = conn.connection.driver_connection
        assert dbapi.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert {r[1] for r in dbapi.execute("PRAGMA database_list")} <= {"main", "temp"}
        assert dbapi.execute("PRAGMA foreign_key_check").fetchall() == []
    bulk_engine.dispose()
    for root in {Path(tempfile.gettempdir()), sqlite_arrow.MEMORY_ROOT}:
        assert root is None or not list(root.glob(f"corpcredit-scratch-{os.getpid()}-*"))


def test_a_failed_rescore_leaves_the_store_and_the_connection_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _ingested(tmp_path / "r.db", 120, seed=3)
    before = _dump(tmp_path / "r.db")

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(sqlite_arrow, "SCRATCH_MIN_ROWS", 1)
    monkeypatch.setattr(rescore_module, "update_list_entries", broken)  # after the writes
    with pytest.raises(RuntimeError, match="disk full"):
        rescore_all(engine, AS_OF.replace(year=AS_OF.year + 1), CAT)
    assert _dump(tmp_path / "r.db") == before
    with engine.connect() as conn:
        dbapi: Any = conn.connection.driver_connection
        assert dbapi.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert {r[1] for r in dbapi.execute("PRAGMA database_list")} <= {"main", "temp"}
    engine.dispose()


def test_scratch_left_by_a_killed_process_is_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A temporary directory of this test's own: a process elsewhere (another test
    # worker) that makes scratch space sweeps the shared one, this test's "dead" too.
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    monkeypatch.setattr(sqlite_arrow, "MEMORY_ROOT", None)
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = Path(tempfile.gettempdir()) / f"corpcredit-scratch-{child.stdout.strip()}-x1"
    alive = Path(tempfile.gettempdir()) / f"corpcredit-scratch-{os.getppid()}-x2"
    for d in (dead, alive):
        d.mkdir(exist_ok=True)
        (d / "cc_scratch_0.db").write_bytes(b"")
    engine = create_engine_for(f"sqlite:///{tmp_path / 's.db'}")
    upgrade(engine)
    try:
        monkeypatch.setattr(sqlite_arrow, "SCRATCH_MIN_ROWS", 1)
        with engine.connect() as conn, sqlite_arrow.scratch_space(conn):
            conn.exec_driver_sql("CREATE TEMP TABLE t (x INTEGER)")
            conn.commit()
            assert dead.exists()  # nothing is made or swept before a frame needs room
            with conn.begin():
                assert sqlite_arrow.insert_via_scratch(conn, "t", pl.DataFrame({"x": [1, 2]}))
            assert not dead.exists()
            assert alive.exists()  # a running process's scratch is left alone
            (mine,) = Path(tempfile.gettempdir()).glob(f"corpcredit-scratch-{os.getpid()}-*")
        assert not mine.exists()  # and this process's own is gone on the way out
    finally:
        shutil.rmtree(alive, ignore_errors=True)
        engine.dispose()


def test_a_basis_spelt_otherwise_is_written_once_as_the_registry_spells_it(
    tmp_path: Path,
) -> None:
    # An entry's basis is compared as text first; one stored with other spacing (as
    # Python's json writes it) is rewritten in the registry's own spelling, so that
    # every later rescore finds it equal without parsing it.
    engine = _ingested(tmp_path / "a.db", 300, seed=23)
    rescore_all(engine, AS_OF, CAT)
    db = sqlite3.connect(tmp_path / "a.db")
    query = "SELECT id, basis FROM list_entries WHERE left_on IS NULL AND basis != '[]'"
    written = dict(db.execute(query).fetchall())
    spaced = {i: json.dumps(json.loads(b)) for i, b in written.items()}
    assert written and all(spaced[i] != b for i, b in written.items())
    with db:
        db.executemany("UPDATE list_entries SET basis = ? WHERE id = ?", [
            (b, i) for i, b in spaced.items()
        ])  # fmt: skip
    rescore_all(engine, AS_OF, CAT)
    assert dict(db.execute(query).fetchall()) == written
    db.close()
    engine.dispose()

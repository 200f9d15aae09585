"""On SQLite, ingestion writes without enforcing foreign keys, making each reference
hold itself: after any ingestion every reference holds, and the pooled connection
enforces them again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from corpcredit import synth
from corpcredit.store import create_engine_for, upgrade
from tests.factory import usci
from tests.ingest.builders import (
    AS_OF,
    ENTITY_FIELDS,
    EVENT_FIELDS,
    RECORD_FIELDS,
    entity,
    event,
    ingest,
    record,
    write_feed,
)


def _sqlite(tmp_path: Path) -> Engine:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'registry.db'}")
    upgrade(engine)
    return engine


def _dangling(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        dbapi: Any = conn.connection.driver_connection
        assert dbapi.execute("PRAGMA foreign_keys").fetchone() == (1,)
        return list(dbapi.execute("PRAGMA foreign_key_check").fetchall())


def test_every_reference_holds_after_ingestions_of_every_kind(tmp_path: Path) -> None:
    engine = _sqlite(tmp_path)
    try:
        # Branches before their head offices, one row per chunk; a natural person.
        ents = [entity(3, parent=2), entity(2, parent=1), entity(1), entity(4)]
        ents.append(entity(5, usci=usci(5, kind="92")))  # an individual business
        ingest(
            engine, "entities", write_feed(tmp_path / "e.csv", ents, ENTITY_FIELDS), chunk_rows=1
        )
        recs = [
            record("R1", 3, "court_defaulter", "serious"),
            record("R2", 1, "commendation", "positive", red="true"),
            record("R3", 99),  # no such entity: refused
            record("R4", usci(5, kind="92")),  # type: ignore[arg-type]  # a natural person
            record("R1", 3),  # a duplicate: refused
            record("R5", 4, "abnormal_operations", "general", decided_on="2022-01-05"),
        ]
        ingest(engine, "records", write_feed(tmp_path / "r.csv", recs, RECORD_FIELDS), chunk_rows=2)
        fixed = [record("R1", 2, "admin_penalty", "minor"), record("R6", 1)]  # moved, new
        ingest(engine, "records", write_feed(tmp_path / "f.csv", fixed, RECORD_FIELDS))
        evs = [event("R5", "repaired", "2026-03-01"), event("NOPE", "lifted", "2026-03-01")]
        ingest(engine, "events", write_feed(tmp_path / "v.csv", evs, EVENT_FIELDS))
        assert _dangling(engine) == []
    finally:
        engine.dispose()


def test_references_hold_after_a_large_synthetic_registry(tmp_path: Path) -> None:
    engine = _sqlite(tmp_path)
    try:
        registry = synth.generate(300, 7, as_of=AS_OF)
        paths = synth.write(registry, tmp_path, "parquet")
        for kind in synth.FEEDS:
            ingest(engine, kind, paths[kind], chunk_rows=500)
        assert _dangling(engine) == []
    finally:
        engine.dispose()


def test_an_ingestion_that_fails_hands_back_a_connection_enforcing_them(tmp_path: Path) -> None:
    engine = _sqlite(tmp_path)
    try:
        ents = [entity(1), entity(2)]

        def stop(done: int, total: int | None) -> None:
            raise RuntimeError("stopped")

        path = write_feed(tmp_path / "e.csv", ents, ENTITY_FIELDS)
        with pytest.raises(RuntimeError, match="stopped"):
            ingest(engine, "entities", path, chunk_rows=1, progress=stop)
        assert _dangling(engine) == []
        ingest(engine, "entities", path, chunk_rows=1)  # resumes after the landed chunk
        assert _dangling(engine) == []
    finally:
        engine.dispose()

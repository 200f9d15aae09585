"""The fast registry readers give exactly what ``store.frames.load_frames`` gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy.engine import Engine

from corpcredit import synth
from corpcredit.services import load_organisations, load_registry
from corpcredit.services import rescore as rescore_module
from corpcredit.store.frames import KernelInputs, load_frames
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


def test_reading_in_parallel_gives_the_same_registry(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _registry(engine, tmp_path)
    monkeypatch.setattr(rescore_module, "RECORDS_PER_READER", 100)  # two reader processes
    with engine.begin() as conn:
        fast, slow = load_registry(conn, readers=2), load_frames(conn)
    _same(fast, slow)

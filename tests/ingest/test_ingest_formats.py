"""Every feed format lands every field, and the same rows hash the same in every format."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import synth
from corpcredit.services import sqlite_arrow
from corpcredit.store import create_engine_for, upgrade
from corpcredit.store.schema import entities, entity_aliases, record_events, records, results
from tests.factory import usci
from tests.ingest.builders import (
    ENTITY_FIELDS,
    EVENT_FIELDS,
    RECORD_FIELDS,
    count,
    entity,
    event,
    ingest,
    record,
    snapshot,
    write_feed,
)

FORMATS = ["csv", "jsonl", "parquet", "xlsx"]


def _feeds(tmp_path: Path, fmt: str) -> dict[str, Path]:
    ents = [
        entity(1, aliases="旧名甲|旧名乙"),
        entity(2, parent=1),
        entity(3, name_en="Test Three Co., Ltd."),
    ]
    recs = [
        record("R1", 1, "abnormal_operations", "general"),
        record("R2", 2, "court_defaulter", "serious", ends_on="2029-01-01"),
        record("R3", 3, "tax_grade", None, grade="A"),
        record("R4", 1, "admin_penalty", "serious", black="true", amount_cny="1200000.5"),
    ]
    evs = [event("R1", "lifted", "2026-03-01")]
    return {
        "entities": write_feed(tmp_path / f"entities.{fmt}", ents, ENTITY_FIELDS),
        "records": write_feed(tmp_path / f"records.{fmt}", recs, RECORD_FIELDS),
        "events": write_feed(tmp_path / f"events.{fmt}", evs, EVENT_FIELDS),
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_round_trips_every_field(engine: Engine, tmp_path: Path, fmt: str) -> None:
    paths = _feeds(tmp_path, fmt)
    got = {kind: ingest(engine, kind, paths[kind]) for kind in ("entities", "records", "events")}
    assert [(s.accepted, s.quarantined) for s in got.values()] == [(3, 0), (4, 0), (1, 0)]
    assert all(s.exit_code == 0 for s in got.values())
    with engine.connect() as conn:
        heads = dict(conn.execute(sa.select(entities.c.usci, entities.c.head_usci)).all())
        aliases = set(conn.execute(sa.select(entity_aliases.c.usci, entity_aliases.c.alias)).all())
        name_en = conn.execute(
            sa.select(entities.c.name_en).where(entities.c.usci == usci(3))
        ).scalar_one()
        r4 = conn.execute(sa.select(records).where(records.c.record_id == "R4")).mappings().one()
        r2 = conn.execute(sa.select(records).where(records.c.record_id == "R2")).mappings().one()
        r3 = conn.execute(sa.select(records).where(records.c.record_id == "R3")).mappings().one()
        lifted = conn.execute(sa.select(record_events.c.effective_on)).scalar_one()
        scored = conn.execute(sa.select(sa.func.count()).select_from(results)).scalar_one()
    assert heads == {usci(1): usci(1), usci(2): usci(1), usci(3): usci(3)}
    assert aliases == {(usci(1), "旧名甲"), (usci(1), "旧名乙")}
    assert name_en == "Test Three Co., Ltd."
    assert (r4["tier"], r4["black"], r4["amount_cny"]) == ("serious", True, Decimal("1200000.50"))
    assert (r4["decided_on"], r4["version"], r4["authority"]) == (
        date(2026, 1, 10),
        1,
        "杭州市西湖区市场监督管理局",
    )
    assert r2["ends_on"] == date(2029, 1, 1) and r2["usci"] == usci(2)
    assert (r3["kind"], r3["grade"], r3["tier"]) == ("tax_grade", "A", None)
    assert r4["recorded_at"].isoformat() == "2026-01-11T01:00:00+00:00"
    assert lifted == date(2026, 3, 1)
    assert scored == 3
    assert count(engine, "record_versions") == 4


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "xlsx"])
def test_the_same_rows_in_another_format_are_unchanged(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    (tmp_path / "csv").mkdir()
    (tmp_path / fmt).mkdir()
    first = _feeds(tmp_path / "csv", "csv")
    again = _feeds(tmp_path / fmt, fmt)
    for kind in ("entities", "records", "events"):
        ingest(engine, kind, first[kind])
    for kind, n in (("entities", 3), ("records", 4), ("events", 1)):
        summary = ingest(engine, kind, again[kind])
        assert (summary.accepted, summary.updated, summary.unchanged) == (0, 0, n), kind
    assert count(engine, "record_versions") == 4


def test_xlsx_cells_typed_by_the_spreadsheet_read_like_text(engine: Engine, tmp_path: Path) -> None:
    write_feed(tmp_path / "entities.csv", [entity(1)], ENTITY_FIELDS)
    ingest(engine, "entities", tmp_path / "entities.csv")
    csv_path = write_feed(
        tmp_path / "records.csv", [record("R1", 1, amount_cny="3000", black="false")], RECORD_FIELDS
    )
    ingest(engine, "records", csv_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(RECORD_FIELDS)
    row = record("R1", 1)
    row |= {"decided_on": date(2026, 1, 10), "amount_cny": 3000, "black": False}
    ws.append([row.get(f) for f in RECORD_FIELDS])
    wb.save(tmp_path / "records.xlsx")
    summary = ingest(engine, "records", tmp_path / "records.xlsx")
    assert (summary.accepted, summary.unchanged, summary.quarantined) == (0, 1, 0)


def test_synthetic_parquet_and_csv_feeds_are_the_same_records(
    engine: Engine, tmp_path: Path
) -> None:
    registry = synth.generate(150, 3)
    pq = synth.write(registry, tmp_path / "pq", "parquet")
    csv = synth.write(registry, tmp_path / "csv", "csv")
    for kind in synth.FEEDS:
        ingest(engine, kind, pq[kind])
    versions = count(engine, "record_versions")
    for kind in synth.FEEDS:
        summary = ingest(engine, kind, csv[kind])
        assert summary.accepted == summary.updated == 0, kind
    assert count(engine, "record_versions") == versions


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_frames_written_through_scratch_databases_land_the_same(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite, chunk frames above a size go in through ADBC scratch files: the store
    is the same as when every row is bound one by one."""
    registry = synth.generate(150, 3)
    feeds = synth.write(registry, tmp_path / "pq", "parquet")
    by_rows = create_engine_for(f"sqlite:///{tmp_path / 'by_rows.db'}")
    try:
        upgrade(by_rows)
        monkeypatch.setattr(sqlite_arrow, "SCRATCH_MIN_ROWS", 10**9)  # never
        for kind in synth.FEEDS:
            ingest(by_rows, kind, feeds[kind], chunk_rows=200)
        written: list[str] = []
        original = sqlite_arrow.insert_via_scratch

        def counted(conn: sa.Connection, table: str, values: object) -> bool:
            done = original(conn, table, values)  # type: ignore[arg-type]
            if done:
                written.append(table)
            return done

        def staged(conn: sa.Connection, values: object, index: object = ()) -> str | None:
            name = sqlite_arrow.scratch_table(conn, values, index)  # type: ignore[arg-type]
            if name:
                written.append("records stage")  # read in place, not copied
            return name

        monkeypatch.setattr(sqlite_arrow, "SCRATCH_MIN_ROWS", 1)  # every frame
        monkeypatch.setattr("corpcredit.services.ingest_sql.insert_via_scratch", counted)
        monkeypatch.setattr("corpcredit.ingest.records.scratch_table", staged)
        for kind in synth.FEEDS:
            ingest(engine, kind, feeds[kind], chunk_rows=200)
        assert {"_cc_stage_entities", "records stage", "contributions"} <= set(written)
        assert "_cc_stage_records" not in written
        assert snapshot(engine) == snapshot(by_rows)
    finally:
        by_rows.dispose()

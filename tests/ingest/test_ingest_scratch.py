"""A chunk's large frames go into a SQLite file through scratch databases, the name
index's grams included, and store exactly what row-by-row inserts store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from corpcredit.services import ingest_sql, sqlite_arrow
from corpcredit.store import create_engine_for, upgrade
from tests.ingest.builders import ENTITY_FIELDS, entity, ingest, rows, snapshot, write_feed


def _grams(engine: Any) -> list[tuple[Any, ...]]:
    return rows(
        engine,
        "SELECT g.gram, n.usci, n.field, n.text FROM search_grams g "
        "JOIN search_names n ON n.id = g.name_id ORDER BY 1, 2, 3, 4",
    )


def _ingested(path: Path, feed: Path) -> Any:
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)
    ingest(engine, "entities", feed)
    return engine


def test_an_entity_chunk_writes_its_name_grams_through_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    heads = [entity(n, name_en=f"Test {n} Co., Ltd.") for n in range(1, 31)]
    feed = write_feed(
        tmp_path / "e.csv", heads + [entity(n, parent=n - 30) for n in range(31, 41)], ENTITY_FIELDS
    )
    monkeypatch.setattr(sqlite_arrow, "SCRATCH_MIN_ROWS", 10**9)  # never: row by row
    by_rows = _ingested(tmp_path / "rows.db", feed)

    monkeypatch.setattr(sqlite_arrow, "SCRATCH_MIN_ROWS", 1)  # every frame
    used: list[str] = []

    def counted(conn: Any, table: str, values: Any) -> bool:
        done = sqlite_arrow.insert_via_scratch(conn, table, values)
        used.extend([table] if done else [])
        return done

    monkeypatch.setattr(ingest_sql, "insert_via_scratch", counted)
    by_scratch = _ingested(tmp_path / "scratch.db", feed)

    assert "search_grams" in used  # the last and largest frame of the chunk
    assert {"results", "search_names"} <= set(used)
    assert snapshot(by_scratch) == snapshot(by_rows)
    assert _grams(by_scratch) == _grams(by_rows) != []
    with by_scratch.connect() as conn:
        assert not conn.execute(sa.text("PRAGMA foreign_key_check")).all()
        attached = [r[1] for r in conn.execute(sa.text("PRAGMA database_list"))]
        assert not [name for name in attached if name.startswith("cc_scratch")]
    by_rows.dispose()
    by_scratch.dispose()


def test_a_records_chunk_staged_in_scratch_stores_what_the_temporary_stage_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpcredit.ingest import records as rec
    from tests.ingest.builders import RECORD_FIELDS, quarantine, record, usci

    ents = write_feed(
        tmp_path / "e.csv", [entity(1), entity(2), entity(3), entity(4, parent=1)], ENTITY_FIELDS
    )
    first = [
        record("A1", 1, amount_cny="1200.50"),
        record("A2", 2, kind="court_defaulter", tier="serious", black="true"),
        record("A3", 3, decided_on="2025-02-28", ends_on="2027-02-28"),
        record("A4", 4),
        record("X1", 99),  # no such entity
        record("X2", usci(5, kind="92")),  # type: ignore[arg-type]  # an individual business
        record("A5", 1, summary="逾期未整改"),
        record("A1", 2),  # a duplicate of the first row, in the next chunk
    ]
    second = [
        record("A1", 1, amount_cny="1200.50"),  # unchanged
        record("A2", 2, kind="court_defaulter", tier="serious", black="true", summary="更正"),
        record("A3", 1, decided_on="2025-02-28", ends_on="2027-02-28"),  # moved to entity 1
        record("A6", 3),  # new
    ]
    feeds = [
        write_feed(tmp_path / "r1.csv", first, RECORD_FIELDS),
        write_feed(tmp_path / "r2.csv", second, RECORD_FIELDS),
    ]
    staged_in_scratch: list[str] = []

    def counted(conn: Any, values: Any, index: Any = ()) -> str | None:
        name = sqlite_arrow.scratch_table(conn, values, index)
        staged_in_scratch.extend([name] if name else [])
        return name

    monkeypatch.setattr(rec, "scratch_table", counted)

    def fed(name: str, scratch_from: int) -> tuple[Any, list[Any]]:
        monkeypatch.setattr(sqlite_arrow, "SCRATCH_MIN_ROWS", scratch_from)
        engine = _ingested(tmp_path / f"{name}.db", ents)
        summaries = [ingest(engine, "records", f, chunk_rows=6) for f in feeds]
        counts = [(s.accepted, s.updated, s.unchanged, s.quarantined) for s in summaries]
        return engine, counts

    temporary, temporary_counts = fed("temporary", 10**9)  # the temporary stage only
    assert staged_in_scratch == []
    scratch, scratch_counts = fed("scratch", 1)  # every chunk staged in scratch
    assert len(staged_in_scratch) == 3  # two chunks of the first file, one of the second

    assert scratch_counts == temporary_counts == [(5, 0, 0, 3), (1, 2, 1, 0)]
    assert snapshot(scratch) == snapshot(temporary)
    assert quarantine(scratch) == quarantine(temporary) != []
    every = "SELECT * FROM records ORDER BY source, record_id"
    versions = (
        "SELECT record_pk, version, source, record_id, usci, kind, tier, decided_on, "
        "authority, decision_no, legal_basis, summary, amount_cny, typeof(amount_cny), "
        "grade, black, red, ends_on, recorded_at, content_hash, batch_id, "
        "superseded_at IS NULL FROM record_versions ORDER BY record_pk, version"
    )
    assert rows(scratch, every) == rows(temporary, every)
    assert rows(scratch, versions) == rows(temporary, versions)
    assert rows(scratch, "SELECT typeof(amount_cny) FROM records WHERE record_id = 'A1'") == [
        ("real",)
    ]
    with scratch.connect() as conn:
        assert not conn.execute(sa.text("PRAGMA foreign_key_check")).all()
    scratch.dispose()
    temporary.dispose()

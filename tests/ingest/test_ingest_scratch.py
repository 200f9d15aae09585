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

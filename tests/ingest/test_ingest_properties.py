"""Property: whatever the rows, their order and the format, ingesting them again changes nothing."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from corpcredit.store import create_engine_for, upgrade
from tests.ingest.builders import (
    ENTITY_FIELDS,
    RECORD_FIELDS,
    count,
    entity,
    ingest,
    record,
    snapshot,
    write_feed,
)

KINDS = [
    ("admin_penalty", "minor"),
    ("admin_penalty", "general"),
    ("admin_penalty", "serious"),
    ("abnormal_operations", "general"),
    ("court_defaulter", "serious"),
    ("commendation", "positive"),
]


_PRINTABLE = st.characters(exclude_categories=("Cc", "Cs", "Co"))


@st.composite
def feeds(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for i in range(n):
        kind, tier = draw(st.sampled_from(KINDS))
        day = draw(st.dates(min_value=date(2022, 1, 1)))
        rows.append(
            record(
                f"P{i}",
                draw(st.integers(min_value=1, max_value=4)),
                kind,
                tier,
                decided_on=min(day, date(2026, 6, 1)).isoformat(),
                # Control characters cannot live in an XLSX cell (XML 1.0): printable text.
                summary=draw(st.text(_PRINTABLE, max_size=20)) or None,
            )
        )
    return rows


@settings(max_examples=6, deadline=None)
@given(
    rows=feeds(),
    order=st.randoms(use_true_random=False),
    fmt=st.sampled_from(["csv", "jsonl", "parquet", "xlsx"]),
)
def test_ingesting_the_same_rows_again_changes_nothing(
    rows: list[dict[str, Any]], order: Any, fmt: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        engine = create_engine_for(f"sqlite:///{work / 'r.db'}")
        try:
            upgrade(engine)
            ents = [entity(1), entity(2, parent=1), entity(3, parent=1), entity(4)]
            ingest(engine, "entities", write_feed(work / "e.csv", ents, ENTITY_FIELDS))
            first = ingest(engine, "records", write_feed(work / "a.csv", rows, RECORD_FIELDS))
            before, versions = snapshot(engine), count(engine, "record_versions")
            shuffled = list(rows)
            order.shuffle(shuffled)
            again = ingest(
                engine, "records", write_feed(work / f"b.{fmt}", shuffled, RECORD_FIELDS)
            )
            assert (again.accepted, again.updated) == (0, 0)
            assert again.unchanged == first.accepted and again.quarantined == first.quarantined
            after = snapshot(engine)
            assert {k: v for k, v in after.items() if k != "quarantine"} == {
                k: v for k, v in before.items() if k != "quarantine"
            }
            assert count(engine, "record_versions") == versions
        finally:
            engine.dispose()

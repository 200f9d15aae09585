"""Duplicates across chunks are looked for among the rows with a stored record only;
ingestion stores and quarantines exactly what looking among every row does."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpcredit.ingest import records as records_module
from corpcredit.store import create_engine_for, upgrade
from tests.ingest.builders import (
    ENTITY_FIELDS,
    RECORD_FIELDS,
    entity,
    ingest,
    quarantine,
    record,
    snapshot,
    write_feed,
)

ENTITIES = [entity(1), entity(2, parent=1), entity(3)]
KINDS = [("admin_penalty", "minor"), ("admin_penalty", "serious"), ("commendation", "positive")]


@st.composite
def _files(draw: st.DrawFn) -> list[list[dict[str, Any]]]:
    """Two files whose record ids come from a small pool: the second repeats the
    first's records (unchanged or corrected) and its own across chunks."""

    def row() -> dict[str, Any]:
        kind, tier = draw(st.sampled_from(KINDS))
        return record(
            draw(st.sampled_from(["A", "B", "C", "D", "E", "F"])),
            draw(st.integers(min_value=1, max_value=4)),  # 4: no such entity
            kind,
            tier,
        )

    return [draw(st.lists(st.builds(row), max_size=size)) for size in (6, 14)]


def _state(work: Path, files: list[Path], chunk_rows: int, among_stored: bool) -> Any:
    engine = create_engine_for(f"sqlite:///{work / f'{among_stored}.db'}")
    try:
        upgrade(engine)
        ingest(engine, "entities", write_feed(work / "e.csv", ENTITIES, ENTITY_FIELDS))
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(records_module, "DUPLICATES_AMONG_STORED", among_stored)
            done = [ingest(engine, "records", path, chunk_rows=chunk_rows) for path in files]
        counts = [(s.accepted, s.updated, s.unchanged, s.quarantined) for s in done]
        return counts, snapshot(engine), quarantine(engine)
    finally:
        engine.dispose()


@settings(max_examples=15, deadline=None)
@given(files=_files(), chunk_rows=st.integers(min_value=1, max_value=5))
def test_duplicates_found_among_stored_rows_are_those_found_among_all(
    files: list[list[dict[str, Any]]], chunk_rows: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths = [write_feed(work / f"{n}.csv", rows, RECORD_FIELDS) for n, rows in enumerate(files)]
        fast = _state(work, paths, chunk_rows, among_stored=True)
        general = _state(work, paths, chunk_rows, among_stored=False)
    assert fast == general

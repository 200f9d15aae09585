"""List entries are history; refresh and the full rescore keep the materialised views right."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from corpcredit import synth
from corpcredit.services import due_for_refresh, refresh, rescore_all
from corpcredit.services import rescore as rescore_module
from tests.factory import usci
from tests.ingest.builders import (
    AS_OF,
    CAT,
    ENTITY_FIELDS,
    EVENT_FIELDS,
    RECORD_FIELDS,
    entity,
    event,
    ingest,
    record,
    rows,
    snapshot,
    write_feed,
)


def _entries(engine: Engine) -> list[tuple[str, str, str, str | None]]:
    return [
        (u, lst, str(e), None if left is None else str(left))
        for u, lst, e, left in rows(
            engine, "SELECT usci, list, entered_on, left_on FROM list_entries ORDER BY usci, id"
        )
    ]


def test_an_entity_enters_a_list_and_leaves_it_when_a_lift_arrives(
    engine: Engine, tmp_path: Path
) -> None:
    ingest(
        engine, "entities", write_feed(tmp_path / "e.csv", [entity(1), entity(2)], ENTITY_FIELDS)
    )
    recs = [
        record("A1", 1, "abnormal_operations", "general", decided_on="2026-02-03"),
        record("C1", 2, "court_defaulter", "serious", decided_on="2026-01-15"),
    ]
    ingest(engine, "records", write_feed(tmp_path / "r.csv", recs, RECORD_FIELDS))
    assert _entries(engine) == [
        (usci(1), "abnormal", "2026-02-03", None),
        (usci(2), "black", "2026-01-15", None),
    ]
    (basis,) = rows(engine, "SELECT basis FROM list_entries WHERE list = 'abnormal'")[0]
    basis = json.loads(basis) if isinstance(basis, str) else basis
    assert basis == [{"source": "test", "record_id": "A1"}]
    lift = [event("A1", "lifted", "2026-05-20")]
    ingest(engine, "events", write_feed(tmp_path / "ev.csv", lift, EVENT_FIELDS))
    assert _entries(engine) == [
        (usci(1), "abnormal", "2026-02-03", "2026-05-20"),
        (usci(2), "black", "2026-01-15", None),
    ]
    again = [record("A2", 1, "abnormal_operations", "general", decided_on="2026-06-01")]
    ingest(engine, "records", write_feed(tmp_path / "r2.csv", again, RECORD_FIELDS))
    assert _entries(engine) == [  # the closed entry is kept: history
        (usci(1), "abnormal", "2026-02-03", "2026-05-20"),
        (usci(1), "abnormal", "2026-06-01", None),
        (usci(2), "black", "2026-01-15", None),
    ]


def test_an_entity_entering_again_starts_no_earlier_than_it_last_left(
    engine: Engine, tmp_path: Path
) -> None:
    ents = [entity(1), entity(2)]
    ingest(engine, "entities", write_feed(tmp_path / "e.csv", ents, ENTITY_FIELDS))
    recs = [
        record("A1", 1, "abnormal_operations", "general", decided_on="2026-02-03"),
        record("A2", 2, "abnormal_operations", "general", decided_on="2026-03-01"),
    ]
    ingest(engine, "records", write_feed(tmp_path / "r.csv", recs, RECORD_FIELDS))
    lifts = [event("A1", "lifted", "2026-05-20"), event("A2", "lifted", "2026-06-10")]
    ingest(engine, "events", write_feed(tmp_path / "ev.csv", lifts, EVENT_FIELDS))
    # A finding decided before entity 1 left, reported late: it is on the list again
    # from the day it left (not before, not from the day entity 2 left).
    late = [record("A0", 1, "abnormal_operations", "general", decided_on="2026-01-10")]
    ingest(engine, "records", write_feed(tmp_path / "r2.csv", late, RECORD_FIELDS))
    assert _entries(engine) == [
        (usci(1), "abnormal", "2026-02-03", "2026-05-20"),
        (usci(1), "abnormal", "2026-05-20", None),
        (usci(2), "abnormal", "2026-03-01", "2026-06-10"),
    ]


def test_refresh_rescores_when_a_next_change_date_comes(engine: Engine, tmp_path: Path) -> None:
    ingest(
        engine, "entities", write_feed(tmp_path / "e.csv", [entity(1), entity(2)], ENTITY_FIELDS)
    )
    recs = [
        record("P1", 1, "admin_penalty", "general", decided_on="2025-03-01"),
        record("A1", 2, "abnormal_operations", "general", decided_on="2023-01-10"),
    ]
    ingest(
        engine,
        "records",
        write_feed(tmp_path / "r.csv", recs, RECORD_FIELDS),
        as_of=date(2025, 12, 1),
    )
    before = dict(rows(engine, "SELECT usci, score FROM results"))
    assert before == {usci(1): 970, usci(2): 980}
    with engine.connect() as conn:
        assert due_for_refresh(conn, date(2025, 12, 31)) == []
        assert due_for_refresh(conn, date(2026, 3, 1)) == [usci(1), usci(2)]
    summary = refresh(engine, date(2026, 3, 1), CAT)
    assert summary.entities == 2
    assert dict(rows(engine, "SELECT usci, score FROM results ORDER BY usci")) == {
        usci(1): 1000,
        usci(2): 980,
    }
    assert rows(engine, "SELECT grade FROM results WHERE usci = :u", u=usci(2)) == [("D",)]
    # The abnormal-operations record escalated to the black list on its 36-month date.
    assert (usci(2), "black", "2026-01-10", None) in _entries(engine)
    assert refresh(engine, date(2026, 3, 1), CAT).entities == 0


def test_rescore_all_gives_what_ingestion_materialised(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rescore_module, "RECORDS_PER_WORKER", 100)  # really use two processes
    registry = synth.generate(300, 9, as_of=AS_OF)
    paths = synth.write(registry, tmp_path, "parquet")
    for kind in synth.FEEDS:
        ingest(engine, kind, paths[kind], chunk_rows=400)
    before = snapshot(engine)
    summary = rescore_all(engine, AS_OF, CAT, workers=2)
    assert summary.entities == 300 and summary.entered == summary.left == 0
    assert snapshot(engine) == before

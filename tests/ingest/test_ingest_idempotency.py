"""Ingesting the same file twice changes nothing; a changed row is a new version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from corpcredit import audit
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
    rows,
    snapshot,
    write_feed,
)


@pytest.fixture
def feeds(tmp_path: Path) -> dict[str, Path]:
    recs = [record("R1", 1), record("R2", 2, "court_defaulter", "serious"), record("R3", 1)]
    return {
        "entities": write_feed(
            tmp_path / "entities.csv", [entity(1), entity(2, parent=1)], ENTITY_FIELDS
        ),
        "records": write_feed(tmp_path / "records.csv", recs, RECORD_FIELDS),
        "events": write_feed(
            tmp_path / "events.csv", [event("R3", "repaired", "2026-04-01")], EVENT_FIELDS
        ),
    }


def _actions(engine: Engine) -> list[str]:
    return [a for (a,) in rows(engine, "SELECT action FROM audit_log ORDER BY seq")]


def test_the_same_files_twice_change_nothing_and_say_so(
    engine: Engine, feeds: dict[str, Path]
) -> None:
    for kind in ("entities", "records", "events"):
        ingest(engine, kind, feeds[kind])
    before = snapshot(engine)
    versions, audits = count(engine, "record_versions"), _actions(engine)
    again = {kind: ingest(engine, kind, feeds[kind]) for kind in ("entities", "records", "events")}
    assert [(s.accepted, s.updated, s.unchanged) for s in again.values()] == [
        (0, 0, 2),
        (0, 0, 3),
        (0, 0, 1),
    ]
    assert snapshot(engine) == before
    assert count(engine, "record_versions") == versions
    assert _actions(engine) == [*audits, "ingest.batch", "ingest.batch", "ingest.batch"]
    with engine.connect() as conn:
        assert audit.verify(conn).ok


def test_each_batch_is_audited_with_its_counts_and_file_hash(
    engine: Engine, feeds: dict[str, Path]
) -> None:
    import hashlib

    summary = ingest(engine, "entities", feeds["entities"], actor="staff:7")
    ((actor, object_id, payload),) = rows(
        engine, "SELECT actor, object_id, payload FROM audit_log WHERE action = 'ingest.batch'"
    )
    content = json.loads(payload)
    assert actor == "staff:7" and object_id == str(summary.batch_id)
    assert content["file_sha256"] == hashlib.sha256(feeds["entities"].read_bytes()).hexdigest()
    assert (content["accepted"], content["quarantined"], content["rows"]) == (2, 0, 2)
    assert rows(engine, "SELECT status FROM ingest_batches") == [("done",)]


def test_a_corrected_record_is_version_two_and_changes_the_score(
    engine: Engine, feeds: dict[str, Path], tmp_path: Path
) -> None:
    for kind in ("entities", "records"):
        ingest(engine, kind, feeds[kind])
    (score_before,) = rows(engine, "SELECT score FROM results WHERE usci = :u", u=usci(1))[0]
    corrected = [record("R1", 1, "admin_penalty", "serious"), record("R3", 1)]
    path = write_feed(tmp_path / "corrections.csv", corrected, RECORD_FIELDS)
    summary = ingest(engine, "records", path, actor="staff:2")
    assert (summary.accepted, summary.updated, summary.unchanged) == (0, 1, 1)
    versions = rows(
        engine,
        "SELECT v.version, v.tier, v.superseded_at IS NOT NULL FROM record_versions v "
        "JOIN records r ON r.id = v.record_pk WHERE r.record_id = 'R1' ORDER BY v.version",
    )
    assert [(v, t, bool(s)) for v, t, s in versions] == [
        (1, "general", True),
        (2, "serious", False),
    ]
    assert rows(engine, "SELECT version, tier FROM records WHERE record_id = 'R1'") == [
        (2, "serious")
    ]
    corrections = rows(
        engine, "SELECT actor, object_id, payload FROM audit_log WHERE action = 'record.corrected'"
    )
    assert [(a, o, json.loads(p)["version"]) for a, o, p in corrections] == [
        ("staff:2", "test/R1", 2)
    ]
    (score_after,) = rows(engine, "SELECT score FROM results WHERE usci = :u", u=usci(1))[0]
    assert score_after < score_before  # a serious penalty weighs more than a general one


def test_a_record_moved_to_another_entity_rescores_both(engine: Engine, tmp_path: Path) -> None:
    ents = write_feed(tmp_path / "e.csv", [entity(1), entity(2)], ENTITY_FIELDS)
    ingest(engine, "entities", ents)
    ingest(engine, "records", write_feed(tmp_path / "r1.csv", [record("R1", 1)], RECORD_FIELDS))
    ingest(engine, "records", write_feed(tmp_path / "r2.csv", [record("R1", 2)], RECORD_FIELDS))
    scores = dict(rows(engine, "SELECT usci, score FROM results"))
    assert scores == {usci(1): 1000, usci(2): 970}

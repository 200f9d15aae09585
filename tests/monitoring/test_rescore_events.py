"""Every rescore emits the change events of watched organisations, with no ``watch scan``."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import monitoring
from corpcredit.cases import act_on_repair, apply_for_repair, commitment_letter
from corpcredit.cases.accounts import create_account
from corpcredit.cases.evidence import Upload
from corpcredit.monitoring.schema import monitor_events, watch_states, webhook_deliveries
from corpcredit.services import rescore_all
from corpcredit.store import begin_write
from corpcredit.store.schema import results
from tests.cases.registry import BLACK, FRIDAY, ORG, PDF, REP, REVIEWER, seed
from tests.cases.registry import CAT as CASE_CAT
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
    write_feed,
)

WATCHED, OTHER = usci(1), usci(2)


@pytest.fixture
def registry(engine: Engine, tmp_path: Path) -> Engine:
    """Two organisations landed by ingestion; ``buyer`` watches the first, with a webhook."""
    ingest(
        engine, "entities", write_feed(tmp_path / "e.csv", [entity(1), entity(2)], ENTITY_FIELDS)
    )
    create_account(engine, "buyer", "correct horse battery", "reviewer", actor="test")
    with begin_write(engine) as conn:
        monitoring.watch(conn, "buyer", WATCHED)
        monitoring.add_webhook(conn, "buyer", "https://receiver.invalid/hook")
    return engine


def _kinds(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(e.usci, e.kind) for e in monitoring.list_events(conn, "buyer")]


def _grade(engine: Engine, code: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.select(results.c.grade).where(results.c.usci == code)).scalar())


def test_an_ingest_that_changes_a_watched_grade_makes_events_at_once(
    registry: Engine, tmp_path: Path
) -> None:
    before = _grade(registry, WATCHED)
    rows = [
        record("R1", 1, "court_defaulter", "serious"),
        record("R2", 2, "court_defaulter", "serious"),
    ]
    summary = ingest(registry, "records", write_feed(tmp_path / "r.csv", rows, RECORD_FIELDS))
    assert summary.accepted == 2
    assert _grade(registry, WATCHED) != before
    assert _kinds(registry) == [
        (WATCHED, "grade_changed"),
        (WATCHED, "list_entered"),
        (WATCHED, "record_published"),
    ]
    with registry.connect() as conn:
        # Only the watched organisation is followed; its events are queued for the webhook.
        tracked = conn.execute(sa.select(watch_states.c.usci)).scalars().all()
        queued = conn.execute(sa.select(sa.func.count()).select_from(webhook_deliveries)).scalar()
    assert tracked == [WATCHED] and queued == 3
    # An ingest touching only an unwatched organisation makes no event.
    other = [record("R3", 2, "admin_penalty", "general")]
    ingest(registry, "records", write_feed(tmp_path / "r2.csv", other, RECORD_FIELDS))
    assert len(_kinds(registry)) == 3


def test_a_withdrawn_record_is_an_event_of_the_events_feed(
    registry: Engine, tmp_path: Path
) -> None:
    ingest(registry, "records", write_feed(tmp_path / "r.csv", [record("R1", 1)], RECORD_FIELDS))
    withdrawn = [event("R1", "withdrawn", "2026-03-01")]
    ingest(registry, "events", write_feed(tmp_path / "ev.csv", withdrawn, EVENT_FIELDS))
    kinds = [k for _, k in _kinds(registry)]
    assert kinds[0] == "record_published" and "record_withdrawn" in kinds


def test_a_full_rescore_scans_the_watched_organisations(registry: Engine) -> None:
    with registry.begin() as conn:  # as if the stored result were stale (stored before
        # digests were kept: a row edited in place keeps the digest of what was written)
        stale = sa.update(results).where(results.c.usci == WATCHED)
        conn.execute(stale.values(grade="D", row_digest=None))
    with begin_write(registry) as conn:
        assert len(monitoring.scan(conn)) == 1  # the stale grade, remembered
    rescore_all(registry, AS_OF, CAT)
    assert _kinds(registry) == [(WATCHED, "grade_changed")] * 2
    with registry.connect() as conn:
        q = sa.select(monitor_events.c.detail).order_by(monitor_events.c.id.desc()).limit(1)
        detail = conn.execute(q).scalar_one()
    assert detail["from"] == "D" and detail["to"] == _grade(registry, WATCHED) != "D"


def test_watching_an_organisation_takes_its_present_state_as_the_baseline(
    registry: Engine,
) -> None:
    with begin_write(registry) as conn:
        assert monitoring.scan(conn) == []  # nothing changed since it was watched
        monitoring.unwatch(conn, "buyer", WATCHED)
    with registry.begin() as conn:  # changes while nobody watches are not news later
        conn.execute(sa.update(results).where(results.c.usci == WATCHED).values(grade="D"))
    with begin_write(registry) as conn:
        monitoring.watch(conn, "buyer", WATCHED)
        assert monitoring.scan(conn) == []


def test_an_approved_repair_makes_its_events_in_the_decisions_transaction(
    engine: Engine, tmp_path: Path
) -> None:
    seed(engine)
    create_account(engine, "buyer", "correct horse battery", "reviewer", actor="test")
    with begin_write(engine) as conn:
        monitoring.watch(conn, "buyer", ORG)
    with engine.connect() as conn:
        letter = commitment_letter(conn, BLACK, CASE_CAT, FRIDAY)
    case = apply_for_repair(
        engine, REP, BLACK, letter.sha256, FRIDAY, CASE_CAT,
        evidence=[Upload("receipt.pdf", PDF, "application/pdf")], evidence_dir=tmp_path,
    )  # fmt: skip
    act_on_repair(engine, case.case_id, "accept", REVIEWER, FRIDAY, CASE_CAT)
    assert _kinds(engine) == []  # accepting changes nothing watched
    act_on_repair(engine, case.case_id, "approve", REVIEWER, FRIDAY, CASE_CAT, "paid")
    kinds = {k for _, k in _kinds(engine)}
    assert {"grade_changed", "list_left", "repair_decided"} <= kinds

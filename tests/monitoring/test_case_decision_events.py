"""Decisions that change no record (a refusal, a dismissal) still reach watchers."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit.cases import (
    act_on_repair,
    apply_for_repair,
    commitment_letter,
    decide_objection,
    file_objection,
)
from corpcredit.cases.accounts import create_account
from corpcredit.monitoring import list_events, watch
from corpcredit.store import begin_write
from tests.cases.registry import BLACK, CAT, FINE, FRIDAY, ORG, REP, REVIEWER, seed


def _watched(engine: Engine) -> None:
    seed(engine)
    create_account(engine, "buyer", "correct horse battery", "reviewer", actor="test")
    with begin_write(engine) as conn:
        watch(conn, "buyer", ORG)


def _kinds(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [e.kind for e in list_events(conn, "buyer")]


def test_refused_and_rejected_repairs_are_events_at_once(engine: Engine) -> None:
    _watched(engine)
    with engine.connect() as conn:
        sha = commitment_letter(conn, BLACK, CAT, FRIDAY).sha256
    case = apply_for_repair(engine, REP, BLACK, sha, FRIDAY, CAT)
    assert _kinds(engine) == []
    act_on_repair(engine, case.case_id, "refuse", REVIEWER, FRIDAY, CAT, "no evidence")
    assert _kinds(engine) == ["repair_decided"]
    again = apply_for_repair(engine, REP, BLACK, sha, FRIDAY, CAT)
    act_on_repair(engine, again.case_id, "accept", REVIEWER, FRIDAY, CAT, "complete")
    assert _kinds(engine) == ["repair_decided"]  # accepting decides nothing yet
    act_on_repair(engine, again.case_id, "reject", REVIEWER, FRIDAY, CAT, "not remedied")
    assert _kinds(engine) == ["repair_decided", "repair_decided"]


def test_a_dismissed_objection_changes_nothing_a_watcher_follows(engine: Engine) -> None:
    _watched(engine)
    case = file_objection(engine, REP, FINE, "annulled", FRIDAY, CAT)
    decide_objection(engine, case.case_id, "dismiss", REVIEWER, FRIDAY, "upheld", CAT)
    with engine.connect() as conn:
        states = conn.execute(sa.text("SELECT count(*) FROM watch_states")).scalar_one()
    assert states == 1  # scanned (the baseline is kept), and no change to report
    assert _kinds(engine) == []

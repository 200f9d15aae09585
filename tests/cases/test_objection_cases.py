"""Objections in the store, on SQLite and PostgreSQL: disputed, then decided."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import audit
from corpcredit.cases import (
    Upload,
    case_history,
    decide_objection,
    disputed_records,
    evidence_of,
    file_objection,
    open_cases,
)
from corpcredit.repair import CaseError, ObjectionState
from corpcredit.store.schema import records
from tests.cases.registry import (
    BLACK,
    CAT,
    FRIDAY,
    ORG,
    OTHERS,
    PDF,
    REP,
    REVIEWER,
    count,
    one,
    seed,
)

d = date.fromisoformat


@pytest.fixture
def registry(engine: Engine) -> Engine:
    seed(engine)
    return engine


def filed(engine: Engine, tmp_path: Path):
    return file_objection(
        engine, REP, BLACK, "这不是我们公司的记录 / not our record", FRIDAY, CAT,
        evidence=[Upload("营业执照.pdf", PDF)], evidence_dir=tmp_path / "evidence",
    )  # fmt: skip


def test_a_filed_objection_shows_the_record_as_disputed(registry: Engine, tmp_path: Path) -> None:
    case = filed(registry, tmp_path)
    assert case.state is ObjectionState.FILED and case.record_version == 1
    with registry.connect() as conn:
        assert disputed_records(conn, [ORG]) == {BLACK}
        assert disputed_records(conn) == {BLACK}
        assert [e.file_name for e in evidence_of(conn, "objection", case.case_id)] == [
            "营业执照.pdf"
        ]
        [item] = open_cases(conn, FRIDAY)
    assert (item.case_type, item.due_on, item.overdue) == ("objection", None, False)


def test_withdrawing_the_record_rescores_at_once(registry: Engine, tmp_path: Path) -> None:
    assert one(registry, "SELECT black FROM results WHERE usci = :u", u=ORG).black
    case = filed(registry, tmp_path)
    done = decide_objection(
        registry, case.case_id, "withdraw", REVIEWER, d("2025-10-09"), "wrong company", CAT
    )
    assert done.state is ObjectionState.WITHDRAWN and done.reason == "wrong company"
    assert not one(registry, "SELECT black FROM results WHERE usci = :u", u=ORG).black
    ev = one(registry, "SELECT event, effective_on FROM record_events")
    assert (ev.event, str(ev.effective_on)) == ("withdrawn", "2025-10-09")
    with registry.connect() as conn:
        assert disputed_records(conn, [ORG]) == set()
        assert audit.verify(conn).ok
        assert [h.action for h in case_history(conn, "objection", case.case_id)] == [
            "file",
            "withdraw",
        ]
    with pytest.raises(CaseError) as caught:
        file_objection(registry, REP, BLACK, "again", FRIDAY, CAT)
    assert caught.value.code == "objection.record_withdrawn"


def test_dismissal_changes_no_record(registry: Engine, tmp_path: Path) -> None:
    case = filed(registry, tmp_path)
    decide_objection(registry, case.case_id, "dismiss", REVIEWER, FRIDAY, "records match", CAT)
    assert count(registry, "record_events") == 0
    assert one(registry, "SELECT black FROM results WHERE usci = :u", u=ORG).black


def test_correction_waits_for_the_new_version_of_the_record(
    registry: Engine, tmp_path: Path
) -> None:
    case = filed(registry, tmp_path)
    with pytest.raises(CaseError) as caught:
        decide_objection(registry, case.case_id, "correct", REVIEWER, FRIDAY, "fixed", CAT)
    assert caught.value.code == "objection.not_corrected_yet"
    with registry.begin() as conn:  # what ingestion does when the corrected record lands
        conn.execute(
            records.update().where(records.c.record_id == BLACK.record_id).values(version=2)
        )
    done = decide_objection(registry, case.case_id, "correct", REVIEWER, FRIDAY, "fixed", CAT)
    assert done.state is ObjectionState.CORRECTED


def test_one_open_objection_per_record_and_only_on_the_own_records(
    registry: Engine, tmp_path: Path
) -> None:
    filed(registry, tmp_path)
    with pytest.raises(CaseError) as caught:
        filed(registry, tmp_path)
    assert caught.value.code == "objection.case_open"
    with pytest.raises(CaseError) as forbidden:
        file_objection(registry, REP, OTHERS, "not ours either", FRIDAY, CAT)
    assert forbidden.value.code == "objection.forbidden"
    with registry.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM objections")).scalar_one() == 1

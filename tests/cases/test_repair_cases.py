"""Repair cases in the store, on SQLite and PostgreSQL: one transaction per step."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import audit
from corpcredit.cases import (
    Upload,
    act_on_repair,
    add_evidence,
    apply_for_repair,
    case_history,
    commitment_letter,
    evidence_of,
    evidence_path,
    get_repair_case,
    open_cases,
    repair_eligibility,
)
from corpcredit.cases.repository import CaseConflict, update_repair_case
from corpcredit.errors import CorpCreditError
from corpcredit.repair import CaseError, EvidenceRejected, RepairState
from tests.cases.registry import (
    BLACK,
    CAT,
    FINE,
    FRIDAY,
    ORG,
    OTHERS,
    PDF,
    REP,
    REVIEWER,
    STRANGER,
    count,
    one,
    seed,
)

d = date.fromisoformat


@pytest.fixture
def registry(engine: Engine) -> Engine:
    seed(engine)
    return engine


@pytest.fixture
def evidence_dir(tmp_path: Path) -> Path:
    return tmp_path / "evidence"  # the SQLite file lives in tmp_path itself


def apply(engine: Engine, evidence_dir: Path, on: date = FRIDAY, record=BLACK, actor=REP, **kw):
    with engine.connect() as conn:
        letter = commitment_letter(conn, record, CAT, on)
    kw.setdefault("evidence", [Upload("缴款凭证.pdf", PDF, "application/pdf")])
    return apply_for_repair(
        engine, actor, record, letter.sha256, on, CAT, evidence_dir=evidence_dir, **kw
    )


def black(engine: Engine) -> tuple[bool, str]:
    row = one(engine, "SELECT black, grade FROM results WHERE usci = :u", u=ORG)
    return bool(row.black), row.grade


def test_the_repair_path_rescores_ends_the_listing_and_verifies_on_the_chain(
    registry: Engine, evidence_dir: Path
) -> None:
    engine = registry
    assert black(engine) == (True, "D")
    with engine.connect() as conn:
        assert repair_eligibility(conn, BLACK, CAT, FRIDAY).eligible
    case = apply(engine, evidence_dir)
    assert case.state is RepairState.SUBMITTED and case.intake_due == d("2025-09-30")

    case = act_on_repair(engine, case.case_id, "accept", REVIEWER, d("2025-09-29"), CAT)
    assert case.decision_due == d("2025-10-15")  # across National Day
    case = act_on_repair(engine, case.case_id, "approve", REVIEWER, d("2025-10-09"), CAT, "paid")
    assert case.state is RepairState.APPROVED
    assert black(engine)[0] is False
    left = one(engine, "SELECT left_on FROM list_entries WHERE usci = :u AND list = 'black'", u=ORG)
    assert str(left.left_on) == "2025-10-09"
    ev = one(engine, "SELECT event, effective_on FROM record_events WHERE record_id = 'SV-1'")
    assert (ev.event, str(ev.effective_on)) == ("repaired", "2025-10-09")

    act_on_repair(engine, case.case_id, "revoke", REVIEWER, d("2025-11-03"), CAT, "forged receipt")
    assert black(engine) == (True, "D")  # the record returns with its original dates

    with engine.connect() as conn:
        assert audit.verify(conn).ok
        history = case_history(conn, "repair", case.case_id)
        entries = conn.execute(sa.text("SELECT action, actor FROM audit_log ORDER BY seq")).all()
        stored = get_repair_case(conn, case.case_id)
    assert [h.action for h in history] == ["submit", "accept", "approve", "revoke"]
    assert [h.audit_seq for h in history] == [1, 2, 3, 4]
    assert history[-1].reason == "forged receipt" and history[-1].actor == "staff-1"
    assert [tuple(e) for e in entries] == [
        ("repair.submit", "representative:rep-21"),
        ("repair.accept", "reviewer:staff-1"),
        ("repair.approve", "reviewer:staff-1"),
        ("repair.revoke", "reviewer:staff-1"),
    ]
    assert stored.state is RepairState.REVOKED and stored.version == 4


def test_the_commitment_letter_and_the_evidence_are_kept_privately(
    registry: Engine, evidence_dir: Path
) -> None:
    case = apply(registry, evidence_dir)
    row = one(
        registry,
        "SELECT commitment_text, commitment_sha256 FROM repair_cases WHERE case_id = :c",
        c=case.case_id,
    )
    assert (
        "杭州示例科技有限公司" in row.commitment_text and "Credit Commitment" in row.commitment_text
    )
    assert row.commitment_sha256 == case.commitment_sha256
    with registry.connect() as conn:
        [meta] = evidence_of(conn, "repair", case.case_id)
        _, path = evidence_path(conn, evidence_dir, meta.id)
    assert meta.file_name == "缴款凭证.pdf" and meta.media_type == "application/pdf"
    assert meta.storage_path == f"repair/{case.case_id}/{meta.sha256}.pdf"
    assert path.read_bytes() == PDF and path.is_relative_to(evidence_dir)
    assert os.stat(path).st_mode & 0o077 == 0


def test_a_stale_or_altered_letter_is_refused_and_nothing_is_written(
    registry: Engine, evidence_dir: Path
) -> None:
    with registry.connect() as conn:
        yesterday = commitment_letter(conn, BLACK, CAT, d("2025-09-25"))
    with pytest.raises(CaseError) as caught:
        apply_for_repair(registry, REP, BLACK, yesterday.sha256, FRIDAY, CAT)
    assert caught.value.code == "repair.commitment_mismatch"
    assert count(registry, "repair_cases") == count(registry, "audit_log") == 0


def test_an_application_before_the_earliest_date_is_refused_with_the_date(
    registry: Engine, evidence_dir: Path
) -> None:
    with pytest.raises(CorpCreditError) as caught:
        apply(registry, evidence_dir, record=FINE)
    assert caught.value.code == "repair.not_yet_eligible"
    assert caught.value.details["earliest_date"] == "2025-11-01"
    assert count(registry, "repair_cases") == 0 and not evidence_dir.exists()


def test_one_open_application_per_record_and_only_for_the_own_organisation(
    registry: Engine, evidence_dir: Path
) -> None:
    first = apply(registry, evidence_dir)
    with pytest.raises(CaseError) as caught:
        apply(registry, evidence_dir)
    assert caught.value.code == "repair.case_open" and caught.value.details["case_id"]
    with pytest.raises(CaseError) as forbidden:
        apply(registry, evidence_dir, record=OTHERS)  # REP is bound to ORG, not OTHER
    assert forbidden.value.code == "repair.forbidden"
    with pytest.raises(CaseError):
        act_on_repair(registry, first.case_id, "withdraw", STRANGER, FRIDAY, CAT)
    act_on_repair(registry, first.case_id, "withdraw", REP, FRIDAY, CAT)
    assert apply(registry, evidence_dir).state is RepairState.SUBMITTED  # allowed again


def test_a_bad_upload_is_refused_before_anything_is_written(
    registry: Engine, evidence_dir: Path
) -> None:
    with pytest.raises(EvidenceRejected) as caught:
        apply(registry, evidence_dir, evidence=[Upload("../../receipt.pdf", PDF)])
    assert caught.value.code == "evidence.bad_name"
    with pytest.raises(EvidenceRejected):
        apply(registry, evidence_dir, evidence=[Upload("receipt.pdf", b"\x89PNG\r\n\x1a\n....")])
    assert count(registry, "repair_cases") == count(registry, "case_evidence") == 0
    assert not evidence_dir.exists()


def test_an_illegal_step_changes_nothing(registry: Engine, evidence_dir: Path) -> None:
    case = apply(registry, evidence_dir)
    with pytest.raises(CaseError) as caught:
        act_on_repair(registry, case.case_id, "approve", REVIEWER, FRIDAY, CAT)
    assert caught.value.code == "repair.illegal_transition"
    assert count(registry, "audit_log") == 1 and count(registry, "record_events") == 0


def test_a_stale_case_cannot_overwrite_a_newer_step(registry: Engine, evidence_dir: Path) -> None:
    case = apply(registry, evidence_dir)
    act_on_repair(registry, case.case_id, "accept", REVIEWER, FRIDAY, CAT)
    with registry.begin() as conn, pytest.raises(CaseConflict) as caught:
        update_repair_case(conn, case, case, datetime.now(UTC))
    assert caught.value.code == "case.conflict"


def test_the_desk_lists_open_cases_by_due_date_and_flags_the_overdue(
    registry: Engine, evidence_dir: Path
) -> None:
    case = apply(registry, evidence_dir, on=d("2025-09-26"))  # intake due 30 Sep
    with registry.connect() as conn:
        on_time = open_cases(conn, d("2025-09-30"))
        late = open_cases(conn, d("2025-10-09"))
    assert [(i.case_id, i.due_on, i.overdue) for i in on_time] == [
        (case.case_id, d("2025-09-30"), False)
    ]
    assert late[0].overdue and late[0].overdue_by == 1  # 1–8 Oct are holidays
    act_on_repair(registry, case.case_id, "refuse", REVIEWER, d("2025-10-09"), CAT, "no receipt")
    with registry.connect() as conn:
        assert open_cases(conn, d("2025-10-09")) == []


def test_evidence_is_added_only_by_the_applicant_while_the_case_is_open(
    registry: Engine, evidence_dir: Path
) -> None:
    case = apply(registry, evidence_dir)
    png = Upload("整改报告.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    [added] = add_evidence(registry, REP, "repair", case.case_id, [png], evidence_dir)
    assert added.media_type == "image/png"
    with pytest.raises(CaseError) as forbidden:
        add_evidence(registry, STRANGER, "repair", case.case_id, [png], evidence_dir)
    assert forbidden.value.code == "repair.forbidden"
    act_on_repair(registry, case.case_id, "refuse", REVIEWER, FRIDAY, CAT, "incomplete")
    with pytest.raises(CaseError) as closed:
        add_evidence(registry, REP, "repair", case.case_id, [png], evidence_dir)
    assert closed.value.code == "repair.illegal_transition"
    with registry.connect() as conn:
        assert len(evidence_of(conn, "repair", case.case_id)) == 2
        actions = conn.execute(sa.text("SELECT action FROM audit_log ORDER BY seq")).scalars()
        assert list(actions) == ["repair.submit", "repair.evidence_added", "repair.refuse"]
        assert audit.verify(conn).ok


def test_a_tampered_storage_path_cannot_leave_the_evidence_directory(
    registry: Engine, evidence_dir: Path
) -> None:
    case = apply(registry, evidence_dir)
    with registry.begin() as conn:
        conn.execute(sa.text("UPDATE case_evidence SET storage_path = '../../etc/passwd'"))
    with registry.connect() as conn:
        [meta] = evidence_of(conn, "repair", case.case_id)
        with pytest.raises(CorpCreditError) as caught:
            evidence_path(conn, evidence_dir, meta.id)
    assert caught.value.code == "evidence.bad_path"

"""Repair applications as services: each step one write transaction (DOMAIN.md §6).

Each service reads the case, applies the pure transition
(:mod:`corpcredit.repair.machine`), and in the same transaction updates the case,
appends the audit-chain entry and the history line, adds the record event
(``repaired`` on approval, ``revoked_repair`` on revocation) and rescores the
organisation with :func:`corpcredit.services.rescore.rescore_organisations`, so
the approval takes the record off the score and the lists at once (NDRC Order
36, SAMR Order 107: the record's publication ends from the decision date).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from corpcredit.calendar import DEFAULT_CALENDAR, WorkingCalendar
from corpcredit.cases.evidence import Upload, check_uploads, store_evidence
from corpcredit.cases.records import load_case_record
from corpcredit.cases.repository import (
    insert_repair_case,
    load_repair_case,
    new_case_id,
    record_transition,
    update_repair_case,
)
from corpcredit.catalogue import Catalogue
from corpcredit.errors import NotFound
from corpcredit.monitoring import scan
from corpcredit.repair.case import Actor, RecordRef, Role, check_role
from corpcredit.repair.commitment import TEMPLATE_VERSION, CommitmentLetter, render_commitment
from corpcredit.repair.eligibility import Eligibility, eligibility
from corpcredit.repair.errors import CaseError, InvalidCaseInput
from corpcredit.repair.evidence import MAX_EVIDENCE_BYTES
from corpcredit.repair.machine import OPEN_STATES, RepairAction, RepairCase, submit, transition
from corpcredit.repair.planner import RepairPlan, plan_repairs
from corpcredit.services.rescore import rescore_organisations
from corpcredit.store import begin_write
from corpcredit.store.frames import load_frames
from corpcredit.store.schema_cases import repair_cases

__all__ = [
    "act_on_repair",
    "apply_for_repair",
    "commitment_letter",
    "commitment_of",
    "get_repair_case",
    "repair_eligibility",
    "repair_plan",
]


_APPLICANT: frozenset[Role] = frozenset({"representative"})


def _now(at: datetime | None) -> datetime:
    return at or datetime.now(UTC)


def repair_eligibility(
    conn: Connection, record: RecordRef, cat: Catalogue, today: date
) -> Eligibility:
    """Whether ``record`` may be repaired on ``today``, and from when."""
    return eligibility(load_case_record(conn, record, cat).facts, cat, today)


def commitment_letter(
    conn: Connection, record: RecordRef, cat: Catalogue, on: date
) -> CommitmentLetter:
    """The letter the representative is shown to confirm for ``record``, dated ``on``."""
    r = load_case_record(conn, record, cat)
    return render_commitment(r.entity_name, r.usci, r.summary(cat), on, name_en=r.entity_name_en)


def get_repair_case(conn: Connection, case_id: str) -> RepairCase:
    return load_repair_case(conn, case_id)


def _refuse_second_open_case(conn: Connection, record: RecordRef) -> None:
    open_case = conn.execute(
        sa.select(repair_cases.c.case_id).where(
            repair_cases.c.record_source == record.source,
            repair_cases.c.record_id == record.record_id,
            repair_cases.c.state.in_([s.value for s in OPEN_STATES]),
        )
    ).first()
    if open_case is not None:
        raise CaseError(
            f"a repair application for this record is already open (case {open_case.case_id})",
            code="repair.case_open",
            details={"case_id": open_case.case_id},
        )


def apply_for_repair(
    engine: Engine,
    actor: Actor,
    record: RecordRef,
    confirmed_sha256: str,
    on: date,
    cat: Catalogue,
    *,
    evidence: Sequence[Upload] = (),
    evidence_dir: Path | None = None,
    max_evidence_bytes: int = MAX_EVIDENCE_BYTES,
    cal: WorkingCalendar = DEFAULT_CALENDAR,
    at: datetime | None = None,
) -> RepairCase:
    """A representative applies: eligibility, confirmed letter, evidence, one transaction.

    ``confirmed_sha256`` is the hash of the letter the representative was shown
    (:func:`commitment_letter`); it must still be the letter for this record and
    date, so what is stored is exactly what was confirmed.
    """
    checked = check_uploads(evidence, max_evidence_bytes)
    if checked and evidence_dir is None:
        raise InvalidCaseInput("no evidence directory is configured", http_status=500)
    at = _now(at)
    with begin_write(engine) as conn:
        r = load_case_record(conn, record, cat)
        check_role(actor, _APPLICANT, r.usci, "repair", "apply for a repair of")
        letter = render_commitment(
            r.entity_name, r.usci, r.summary(cat), on, name_en=r.entity_name_en
        )
        if letter.sha256 != confirmed_sha256:
            raise InvalidCaseInput(
                "the commitment letter confirmed is not the current letter for this record "
                "and date: read and confirm it again",
                code="repair.commitment_mismatch",
            )
        _refuse_second_open_case(conn, record)
        answer = eligibility(r.facts, cat, on)
        case, event = submit(new_case_id(), r.usci, record, actor, on, letter.sha256, answer, cal)
        insert_repair_case(conn, case, actor.id, letter.text, TEMPLATE_VERSION, at)
        record_transition(conn, event, at)
        if checked:
            assert evidence_dir is not None
            store_evidence(conn, evidence_dir, "repair", case.case_id, checked, actor.id, at)
    return case


def act_on_repair(
    engine: Engine,
    case_id: str,
    action: RepairAction | str,
    actor: Actor,
    on: date,
    cat: Catalogue,
    reason: str = "",
    *,
    cal: WorkingCalendar = DEFAULT_CALENDAR,
    at: datetime | None = None,
) -> RepairCase:
    """Accept, refuse, approve, reject, withdraw, extend or revoke, in one transaction.

    Approval and revocation add the record event and rescore the organisation at
    ``on`` before the transaction commits.
    """
    at = _now(at)
    with begin_write(engine) as conn:
        case = load_repair_case(conn, case_id)
        new, event = transition(case, RepairAction(action), actor, on, reason, cal)
        update_repair_case(conn, case, new, at)
        record_transition(conn, event, at)
        if event.record_event is not None:
            rescore_organisations(conn, [case.usci], on, cat)
        else:  # no rescore, but watchers still hear of the decision
            scan(conn, [case.usci], at=at)
    return new


def repair_plan(conn: Connection, usci: str, cat: Catalogue, as_of: date) -> RepairPlan:
    """The repair planner for ``usci`` on ``as_of``: every negative in-force record with
    its earliest repair date and the outcome if it were repaired (computed by the kernel)."""
    inputs = load_frames(conn, [usci])
    return plan_repairs(inputs.entities, inputs.records, inputs.events, usci, cat, as_of)


def commitment_of(conn: Connection, case_id: str) -> str:
    """The commitment letter exactly as the representative confirmed it."""
    q = sa.select(repair_cases.c.commitment_text).where(repair_cases.c.case_id == case_id)
    text = conn.execute(q).scalar_one_or_none()
    if text is None:
        raise NotFound(f"no repair case {case_id!r}", code="repair.case_not_found")
    return str(text)

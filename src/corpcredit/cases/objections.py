"""Objections as services: filing and deciding, each one write transaction (DOMAIN.md §6).

Filing marks the record *disputed* (:func:`disputed_records`) until a reviewer
decides. A ``withdrawn`` decision adds the record's ``withdrawn`` event (it never
counted) and rescores the organisation at once; ``corrected`` needs the
authority's corrected version to have landed through ingestion, which rescored
already; ``dismissed`` changes no record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from corpcredit.cases.evidence import Upload, check_uploads, store_evidence
from corpcredit.cases.records import load_case_record
from corpcredit.cases.repository import (
    insert_objection,
    load_objection,
    new_case_id,
    record_transition,
    update_objection,
)
from corpcredit.catalogue import Catalogue
from corpcredit.monitoring import scan
from corpcredit.repair.case import Actor, RecordRef, check_role
from corpcredit.repair.errors import CaseError, InvalidCaseInput
from corpcredit.repair.evidence import MAX_EVIDENCE_BYTES
from corpcredit.repair.objection import Objection, ObjectionAction, decide
from corpcredit.repair.objection import file_objection as _file
from corpcredit.services.rescore import rescore_organisations
from corpcredit.store import begin_write
from corpcredit.store.prepared import Prepared
from corpcredit.store.schema_cases import objections

__all__ = ["decide_objection", "disputed_records", "file_objection", "get_objection"]


def get_objection(conn: Connection, case_id: str) -> Objection:
    return load_objection(conn, case_id)


def file_objection(
    engine: Engine,
    actor: Actor,
    record: RecordRef,
    statement: str,
    on: date,
    cat: Catalogue,
    *,
    evidence: Sequence[Upload] = (),
    evidence_dir: Path | None = None,
    max_evidence_bytes: int = MAX_EVIDENCE_BYTES,
    at: datetime | None = None,
) -> Objection:
    """A representative objects to one of its organisation's records."""
    checked = check_uploads(evidence, max_evidence_bytes)
    if checked and evidence_dir is None:
        raise InvalidCaseInput("no evidence directory is configured", http_status=500)
    at = at or datetime.now(UTC)
    with begin_write(engine) as conn:
        r = load_case_record(conn, record, cat)
        check_role(actor, frozenset({"representative"}), r.usci, "objection", "object to")
        if r.withdrawn:
            raise CaseError(
                "the record was already withdrawn: there is nothing to object to",
                code="objection.record_withdrawn",
            )
        open_case = conn.execute(
            sa.select(objections.c.case_id).where(
                objections.c.record_source == record.source,
                objections.c.record_id == record.record_id,
                objections.c.state == "filed",
            )
        ).first()
        if open_case is not None:
            raise CaseError(
                f"an objection to this record is already open (case {open_case.case_id})",
                code="objection.case_open",
                details={"case_id": open_case.case_id},
            )
        case, event = _file(new_case_id(), r.usci, record, r.version, actor, on, statement)
        insert_objection(conn, case, actor.id, at)
        record_transition(conn, event, at)
        if checked:
            assert evidence_dir is not None
            store_evidence(conn, evidence_dir, "objection", case.case_id, checked, actor.id, at)
    return case


def decide_objection(
    engine: Engine,
    case_id: str,
    action: ObjectionAction | str,
    actor: Actor,
    on: date,
    reason: str,
    cat: Catalogue,
    *,
    at: datetime | None = None,
) -> Objection:
    """A reviewer corrects, withdraws or dismisses, with a reason shown to the organisation."""
    at = at or datetime.now(UTC)
    with begin_write(engine) as conn:
        case = load_objection(conn, case_id)
        current = load_case_record(conn, case.record, cat).version
        new, event = decide(
            case, ObjectionAction(action), actor, on, reason, current_record_version=current
        )
        update_objection(conn, case, new, at)
        record_transition(conn, event, at)
        if event.record_event is not None:
            rescore_organisations(conn, [case.usci], on, cat)
        else:  # no rescore, but watchers still hear of the decision
            scan(conn, [case.usci], at=at)
    return new


_OPEN = sa.select(objections.c.record_source, objections.c.record_id).where(
    objections.c.state == "filed"
)
# One organisation's: what every page view of it asks, so prepared once.
_OPEN_OF_ONE = Prepared(_OPEN.where(objections.c.usci == sa.bindparam("usci")))


def disputed_records(conn: Connection, uscis: Sequence[str] | None = None) -> set[RecordRef]:
    """Records with an open objection (of ``uscis``' entities, or all): shown as disputed."""
    if uscis is not None and len(set(uscis)) == 1:
        return {RecordRef(s, r) for s, r in _OPEN_OF_ONE.rows(conn, {"usci": uscis[0]})}
    q = _OPEN
    if uscis is not None:
        q = q.where(objections.c.usci.in_(sorted(set(uscis))))
    return {RecordRef(s, r) for s, r in conn.execute(q)}

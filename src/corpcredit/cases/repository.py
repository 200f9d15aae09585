"""Reading and writing cases: rows ↔ the pure case values, and one transition's writes.

:func:`record_transition` is the one place a transition touches the store: it
appends the audit-chain entry, the case's history line, and, for approvals,
revocations and withdrawals of records, the record event the kernel reads.
Updates are guarded by the case's ``version``, so a stale case is refused
(``case.conflict``) rather than overwriting a newer step.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit import audit
from corpcredit.errors import NotFound
from corpcredit.repair.case import CaseEvent, RecordRef
from corpcredit.repair.errors import CaseError
from corpcredit.repair.machine import RepairCase, RepairState
from corpcredit.repair.objection import Objection, ObjectionState
from corpcredit.store.db import upsert
from corpcredit.store.schema import record_events
from corpcredit.store.schema_cases import case_events, objections, repair_cases

__all__ = [
    "OBJECT_TYPES",
    "CaseConflict",
    "insert_objection",
    "insert_repair_case",
    "load_objection",
    "load_repair_case",
    "new_case_id",
    "record_transition",
    "update_objection",
    "update_repair_case",
]

#: The audit chain's ``object_type`` of each case type.
OBJECT_TYPES = {"repair": "repair_case", "objection": "objection"}


class CaseConflict(CaseError):
    """The case changed since it was read (another reviewer acted first)."""

    code = "case.conflict"
    http_status = 409


def new_case_id() -> str:
    """A fresh, unguessable case id: 32 lowercase hex digits."""
    return secrets.token_hex(16)


_REPAIR_FIELDS = (
    "case_id",
    "usci",
    "state",
    "submitted_on",
    "intake_due",
    "commitment_sha256",
    "updated_on",
    "accepted_on",
    "decision_due",
    "extended",
    "decided_on",
    "revoked_on",
    "version",
)


def _repair_values(case: RepairCase, at: datetime) -> dict[str, Any]:
    values = {f: getattr(case, f) for f in _REPAIR_FIELDS}
    values["state"] = case.state.value
    return values | {"due_on": case.due_on, "updated_at": at}


def insert_repair_case(
    conn: Connection, case: RepairCase, submitted_by: str, commitment_text: str,
    template: str, at: datetime,
) -> None:  # fmt: skip
    """Store a new repair case with the commitment letter the applicant confirmed."""
    conn.execute(
        repair_cases.insert().values(
            **_repair_values(case, at),
            record_source=case.record.source,
            record_id=case.record.record_id,
            submitted_by=submitted_by,
            commitment_text=commitment_text,
            commitment_template=template,
            created_at=at,
        )
    )


def update_repair_case(conn: Connection, old: RepairCase, new: RepairCase, at: datetime) -> None:
    result = conn.execute(
        repair_cases.update()
        .where(repair_cases.c.case_id == old.case_id, repair_cases.c.version == old.version)
        .values(**_repair_values(new, at))
    )
    if result.rowcount != 1:
        raise CaseConflict(f"repair case {old.case_id} changed meanwhile: reload it and retry")


def load_repair_case(conn: Connection, case_id: str) -> RepairCase:
    row = conn.execute(sa.select(repair_cases).where(repair_cases.c.case_id == case_id)).first()
    if row is None:
        raise NotFound(f"no repair case {case_id!r}", code="repair.case_not_found")
    m = row._mapping
    fields = {f: m[f] for f in _REPAIR_FIELDS}
    fields["state"] = RepairState(m["state"])
    return RepairCase(record=RecordRef(m["record_source"], m["record_id"]), **fields)


_OBJECTION_FIELDS = (
    "case_id",
    "usci",
    "record_version",
    "state",
    "filed_on",
    "statement",
    "updated_on",
    "decided_on",
    "reason",
    "version",
)


def _objection_values(case: Objection, at: datetime) -> dict[str, Any]:
    values = {f: getattr(case, f) for f in _OBJECTION_FIELDS}
    return values | {"state": case.state.value, "updated_at": at}


def insert_objection(conn: Connection, case: Objection, filed_by: str, at: datetime) -> None:
    conn.execute(
        objections.insert().values(
            **_objection_values(case, at),
            record_source=case.record.source,
            record_id=case.record.record_id,
            filed_by=filed_by,
            created_at=at,
        )
    )


def update_objection(conn: Connection, old: Objection, new: Objection, at: datetime) -> None:
    result = conn.execute(
        objections.update()
        .where(objections.c.case_id == old.case_id, objections.c.version == old.version)
        .values(**_objection_values(new, at))
    )
    if result.rowcount != 1:
        raise CaseConflict(f"objection {old.case_id} changed meanwhile: reload it and retry")


def load_objection(conn: Connection, case_id: str) -> Objection:
    row = conn.execute(sa.select(objections).where(objections.c.case_id == case_id)).first()
    if row is None:
        raise NotFound(f"no objection {case_id!r}", code="objection.case_not_found")
    m = row._mapping
    fields = {f: m[f] for f in _OBJECTION_FIELDS}
    fields["state"] = ObjectionState(m["state"])
    return Objection(record=RecordRef(m["record_source"], m["record_id"]), **fields)


def record_transition(conn: Connection, event: CaseEvent, at: datetime) -> audit.AuditEntry:
    """Append ``event`` to the audit chain and the case history; add its record event."""
    entry = audit.append(
        conn,
        event.actor.name,
        event.audit_action,
        OBJECT_TYPES[event.case_type],
        event.case_id,
        event.audit_payload(),
        at=at,
    )
    seq = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(case_events.c.seq), 0)).where(
            case_events.c.case_type == event.case_type, case_events.c.case_id == event.case_id
        )
    ).scalar_one()
    conn.execute(
        case_events.insert().values(
            case_type=event.case_type,
            case_id=event.case_id,
            seq=int(seq) + 1,
            action=event.action,
            actor=event.actor.id,
            actor_role=event.actor.role,
            effective_on=event.on,
            from_state=event.from_state,
            to_state=event.to_state,
            reason=event.reason,
            record_event=event.record_event,
            details=dict(event.details) or None,
            at=at,
            audit_seq=entry.seq,
        )
    )
    if event.record_event is not None:
        row = {
            "source": event.record.source,
            "record_id": event.record.record_id,
            "event": event.record_event,
            "effective_on": event.on,
            "recorded_at": at,
            "batch_id": None,
        }
        keys = ("source", "record_id", "event", "effective_on")
        upsert(conn, record_events, [row], key_columns=keys, update_columns=())
    return entry

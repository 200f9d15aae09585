"""The reviewer desk and case histories: open cases by due date, overdue flagged.

A repair case is overdue when its current deadline (intake 3 working days, then
decision 7, or 17 once extended) has passed without the step it awaits
(DOMAIN.md §6); objections carry no statutory deadline here and are listed by
filing date after the repair cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.calendar import DEFAULT_CALENDAR, CalendarOutOfRange, WorkingCalendar
from corpcredit.repair.case import RecordRef
from corpcredit.store.schema_cases import case_events, objections, repair_cases

__all__ = ["DeskItem", "HistoryLine", "case_history", "open_cases", "organisation_cases"]


@dataclass(frozen=True)
class DeskItem:
    """One case on the desk (or on an organisation's page).

    ``overdue_by`` counts working days past ``due_on`` (None when the calendar
    does not cover the dates; ``overdue`` is still exact).
    """

    case_type: str
    case_id: str
    usci: str
    record: RecordRef
    state: str
    opened_on: date
    due_on: date | None
    overdue: bool
    overdue_by: int | None


@dataclass(frozen=True)
class HistoryLine:
    seq: int
    action: str
    actor: str
    actor_role: str
    on: date
    from_state: str | None
    to_state: str
    reason: str
    details: dict[str, Any] | None
    at: datetime
    audit_seq: int


def _item(
    case_type: str, m: Any, opened: date, today: date | None, cal: WorkingCalendar
) -> DeskItem:
    due: date | None = m["due_on"] if case_type == "repair" else None
    overdue = today is not None and due is not None and today > due
    by: int | None = 0
    if overdue:
        assert due is not None and today is not None
        try:
            by = cal.working_days_between(due, today)
        except CalendarOutOfRange:
            by = None
    return DeskItem(
        case_type,
        m["case_id"],
        m["usci"],
        RecordRef(m["record_source"], m["record_id"]),
        m["state"],
        opened,
        due,
        overdue,
        by,
    )


def open_cases(
    conn: Connection, today: date, cal: WorkingCalendar = DEFAULT_CALENDAR
) -> list[DeskItem]:
    """Open repair cases by due date (earliest first), then open objections by filing date."""
    rc, ob = repair_cases.c, objections.c
    repairs = conn.execute(
        sa.select(rc.case_id, rc.usci, rc.record_source, rc.record_id, rc.state,
                  rc.submitted_on, rc.due_on)
        .where(rc.due_on.is_not(None))
        .order_by(rc.due_on, rc.submitted_on, rc.case_id)
    ).mappings()  # fmt: skip
    items = [_item("repair", m, m["submitted_on"], today, cal) for m in repairs]
    filed = conn.execute(
        sa.select(ob.case_id, ob.usci, ob.record_source, ob.record_id, ob.state, ob.filed_on)
        .where(ob.state == "filed")
        .order_by(ob.filed_on, ob.case_id)
    ).mappings()
    items += [_item("objection", m, m["filed_on"], today, cal) for m in filed]
    return items


def organisation_cases(
    conn: Connection, uscis: Sequence[str], today: date | None = None
) -> list[DeskItem]:
    """Every case (open or not) of the given entities, newest first, for their own page."""
    rc, ob = repair_cases.c, objections.c
    wanted = sorted(set(uscis))
    repairs = conn.execute(
        sa.select(rc.case_id, rc.usci, rc.record_source, rc.record_id, rc.state,
                  rc.submitted_on, rc.due_on)
        .where(rc.usci.in_(wanted))
    ).mappings()  # fmt: skip
    items = [_item("repair", m, m["submitted_on"], today, DEFAULT_CALENDAR) for m in repairs]
    filed = conn.execute(
        sa.select(ob.case_id, ob.usci, ob.record_source, ob.record_id, ob.state, ob.filed_on).where(
            ob.usci.in_(wanted)
        )
    ).mappings()
    items += [_item("objection", m, m["filed_on"], today, DEFAULT_CALENDAR) for m in filed]
    return sorted(items, key=lambda i: (i.opened_on, i.case_id), reverse=True)


def case_history(conn: Connection, case_type: str, case_id: str) -> list[HistoryLine]:
    """A case's steps in order, each with its audit-chain entry number."""
    ce = case_events.c
    rows = conn.execute(
        sa.select(case_events)
        .where(ce.case_type == case_type, ce.case_id == case_id)
        .order_by(ce.seq)
    ).mappings()
    return [
        HistoryLine(
            seq=r["seq"],
            action=r["action"],
            actor=r["actor"],
            actor_role=r["actor_role"],
            on=r["effective_on"],
            from_state=r["from_state"],
            to_state=r["to_state"],
            reason=r["reason"],
            details=r["details"],
            at=r["at"],
            audit_seq=r["audit_seq"],
        )
        for r in rows
    ]

"""The credit-repair state machine (DOMAIN.md §6), pure.

Under NDRC Order 36 (national credit-repair measures, in force 2026-04-01) and
SAMR Order 107 (market-regulation credit repair, in force 2025-12-25) an
organisation applies to repair a record that is right but whose conduct has been
corrected; the authority first decides whether to accept the application
(intake), then whether to approve it::

    submitted ─accept─▶ accepted ─approve─▶ approved ─revoke─▶ revoked
        │                  │ └──reject──▶ rejected
        └─refuse─▶ refused_at_intake
    submitted | accepted ─withdraw─▶ withdrawn   (by the applicant)

Deadlines count Chinese working days (:mod:`corpcredit.calendar`): intake 3 from
submission, decision 7 from acceptance, extendable once by 10 (on or before the
decision deadline, with a reason). A case past its deadline is overdue and shown
to staff as such.

Cases are immutable values. Every transition checks the state, the actor's role
(and a representative's organisation), the reason and the date, then returns the
new case and the :class:`~corpcredit.repair.case.CaseEvent` to record; anything
else raises an error with a stable ``repair.*`` code and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from corpcredit.calendar import DEFAULT_CALENDAR, WorkingCalendar
from corpcredit.repair.case import (
    Actor,
    CaseEvent,
    RecordEvent,
    RecordRef,
    Role,
    check_reason,
    check_role,
)
from corpcredit.repair.eligibility import Eligibility
from corpcredit.repair.errors import (
    DeadlinePassed,
    ExtensionUsed,
    IllegalTransition,
    InvalidCaseInput,
)

__all__ = [
    "DECISION_DAYS",
    "EXTENSION_DAYS",
    "INTAKE_DAYS",
    "OPEN_STATES",
    "TERMINAL_STATES",
    "RepairAction",
    "RepairCase",
    "RepairState",
    "allowed_actions",
    "submit",
    "transition",
]

INTAKE_DAYS = 3
DECISION_DAYS = 7
EXTENSION_DAYS = 10
_PREFIX = "repair"


class RepairState(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REFUSED_AT_INTAKE = "refused_at_intake"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"


class RepairAction(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    EXTEND = "extend"
    REVOKE = "revoke"


S, A = RepairState, RepairAction
OPEN_STATES = frozenset({S.SUBMITTED, S.ACCEPTED})
#: No action leaves these. ``approved`` is not terminal: it may still be revoked.
TERMINAL_STATES = frozenset({S.REFUSED_AT_INTAKE, S.REJECTED, S.WITHDRAWN, S.REVOKED})

_REVIEWER: frozenset[Role] = frozenset({"reviewer"})
_APPLICANT: frozenset[Role] = frozenset({"representative"})


@dataclass(frozen=True)
class _Rule:
    sources: frozenset[RepairState]
    target: RepairState | None  # None: the state stays (extension)
    roles: frozenset[Role]
    reason_required: bool
    record_event: RecordEvent | None = None


_RULES: dict[RepairAction, _Rule] = {
    A.ACCEPT: _Rule(frozenset({S.SUBMITTED}), S.ACCEPTED, _REVIEWER, False),
    A.REFUSE: _Rule(frozenset({S.SUBMITTED}), S.REFUSED_AT_INTAKE, _REVIEWER, True),
    A.APPROVE: _Rule(frozenset({S.ACCEPTED}), S.APPROVED, _REVIEWER, False, "repaired"),
    A.REJECT: _Rule(frozenset({S.ACCEPTED}), S.REJECTED, _REVIEWER, True),
    A.WITHDRAW: _Rule(OPEN_STATES, S.WITHDRAWN, _APPLICANT, False),
    A.EXTEND: _Rule(frozenset({S.ACCEPTED}), None, _REVIEWER, True),
    A.REVOKE: _Rule(frozenset({S.APPROVED}), S.REVOKED, _REVIEWER, True, "revoked_repair"),
}


@dataclass(frozen=True)
class RepairCase:
    """One repair application. ``updated_on`` is the date of its latest step.

    ``decided_on`` is the date of the step that closed or decided it (refusal,
    approval, rejection, withdrawal); an approval's date is the day the record's
    effect ends.
    """

    case_id: str
    usci: str
    record: RecordRef
    state: RepairState
    submitted_on: date
    intake_due: date
    commitment_sha256: str
    updated_on: date
    accepted_on: date | None = None
    decision_due: date | None = None
    extended: bool = False
    decided_on: date | None = None
    revoked_on: date | None = None
    version: int = 1

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def due_on(self) -> date | None:
        """The last day of the current deadline; None once the case is decided."""
        if self.state is S.SUBMITTED:
            return self.intake_due
        if self.state is S.ACCEPTED:
            return self.decision_due
        return None

    def is_overdue(self, today: date) -> bool:
        """An open case whose deadline's last day has passed."""
        due = self.due_on
        return due is not None and today > due

    def overdue_by(self, today: date, cal: WorkingCalendar = DEFAULT_CALENDAR) -> int:
        """Working days past the deadline (0 when not overdue)."""
        due = self.due_on
        if due is None or today <= due:
            return 0
        return cal.working_days_between(due, today)


def _check_sha256(value: str) -> str:
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InvalidCaseInput(
            "the commitment letter's hash must be 64 lowercase hex digits",
            code="repair.invalid_input",
        )
    return value


def submit(
    case_id: str,
    usci: str,
    record: RecordRef,
    actor: Actor,
    on: date,
    commitment_sha256: str,
    eligibility: Eligibility,
    cal: WorkingCalendar = DEFAULT_CALENDAR,
) -> tuple[RepairCase, CaseEvent]:
    """Open a case: the representative applies for a record eligible on ``on``."""
    check_role(actor, _APPLICANT, usci, _PREFIX, "submit")
    if eligibility.as_of != on:
        raise InvalidCaseInput(
            f"eligibility was checked for {eligibility.as_of.isoformat()}, "
            f"the application is dated {on.isoformat()}",
            code="repair.invalid_date",
        )
    eligibility.raise_unless_eligible()
    if not case_id.strip():
        raise InvalidCaseInput("a case needs an id", code="repair.invalid_input")
    case = RepairCase(
        case_id=case_id,
        usci=usci,
        record=record,
        state=S.SUBMITTED,
        submitted_on=on,
        intake_due=cal.add_working_days(on, INTAKE_DAYS),
        commitment_sha256=_check_sha256(commitment_sha256),
        updated_on=on,
    )
    event = CaseEvent(
        case_type="repair",
        case_id=case_id,
        usci=usci,
        record=record,
        action="submit",
        actor=actor,
        on=on,
        from_state=None,
        to_state=S.SUBMITTED.value,
        details=(("intake_due", case.intake_due.isoformat()),),
    )
    return case, event


def allowed_actions(case: RepairCase, role: Role) -> list[RepairAction]:
    """The actions ``role`` may take on ``case`` now (for the pages' buttons)."""
    out = []
    for action, rule in _RULES.items():
        if case.state in rule.sources and role in rule.roles:
            if action is A.EXTEND and case.extended:
                continue
            out.append(action)
    return out


_DONE = {
    A.ACCEPT: "accepted",
    A.REFUSE: "refused at intake",
    A.APPROVE: "approved",
    A.REJECT: "rejected",
    A.WITHDRAW: "withdrawn",
    A.EXTEND: "extended (only an accepted case's decision deadline can be)",
    A.REVOKE: "revoked (only an approved repair can be)",
}


def _apply(
    case: RepairCase, action: RepairAction, on: date, cal: WorkingCalendar
) -> tuple[RepairCase, tuple[tuple[str, str], ...]]:
    """The dated fields ``action`` sets, and the event details it reports."""
    if action is A.ACCEPT:
        due = cal.add_working_days(on, DECISION_DAYS)
        return replace(case, accepted_on=on, decision_due=due), (("decision_due", due.isoformat()),)
    if action is A.EXTEND:
        if case.extended:
            raise ExtensionUsed(
                "the decision deadline was already extended once; it cannot be extended again"
            )
        assert case.decision_due is not None
        if on > case.decision_due:
            raise DeadlinePassed(
                f"the decision deadline {case.decision_due.isoformat()} has passed: "
                "an extension must be decided before it ends"
            )
        due = cal.add_working_days(case.decision_due, EXTENSION_DAYS)
        return replace(case, decision_due=due, extended=True), (("decision_due", due.isoformat()),)
    if action is A.REVOKE:
        return replace(case, revoked_on=on), ()
    return replace(case, decided_on=on), ()


def transition(
    case: RepairCase,
    action: RepairAction,
    actor: Actor,
    on: date,
    reason: str = "",
    cal: WorkingCalendar = DEFAULT_CALENDAR,
) -> tuple[RepairCase, CaseEvent]:
    """Apply ``action`` on date ``on``; the new case and its event, or an error."""
    action = RepairAction(action)
    rule = _RULES[action]
    if case.state not in rule.sources:
        raise IllegalTransition(
            f"a repair case that is {case.state.value} cannot be {_DONE[action]}",
            details={"case_id": case.case_id, "state": case.state.value, "action": action.value},
        )
    check_role(actor, rule.roles, case.usci, _PREFIX, action.value)
    text = check_reason(reason, rule.reason_required, _PREFIX, action.value)
    if on < case.updated_on:
        raise InvalidCaseInput(
            f"the step is dated {on.isoformat()}, before the case's last step "
            f"on {case.updated_on.isoformat()}",
            code="repair.invalid_date",
        )
    new, details = _apply(case, action, on, cal)
    new = replace(new, state=rule.target or case.state, updated_on=on, version=case.version + 1)
    new_state = new.state
    event = CaseEvent(
        case_type="repair",
        case_id=case.case_id,
        usci=case.usci,
        record=case.record,
        action=action.value,
        actor=actor,
        on=on,
        from_state=case.state.value,
        to_state=new_state.value,
        reason=text,
        record_event=rule.record_event,
        details=details,
    )
    return new, event

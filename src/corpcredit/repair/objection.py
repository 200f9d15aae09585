"""The objection state machine (DOMAIN.md §6), pure.

An organisation that holds a record to be wrong files an objection against it
(异议申诉, NDRC Order 36; SAMR Order 107 for market-regulation records); the
record is shown as *disputed* until the authority decides::

    filed ─correct──▶ corrected   (a new version of the record replaces it)
          ─withdraw─▶ withdrawn   (the record is withdrawn: it never counted)
          ─dismiss──▶ dismissed   (the record stands)

Every decision carries a reason shown to the organisation. ``corrected``
requires that a newer version of the record has landed (through ingestion, which
versions it) since the objection was filed; ``withdrawn`` makes the store add a
``withdrawn`` record event effective on the decision date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from corpcredit.repair.case import Actor, CaseEvent, RecordRef, Role, check_reason, check_role
from corpcredit.repair.errors import IllegalTransition, InvalidCaseInput

__all__ = [
    "TERMINAL_OBJECTION_STATES",
    "Objection",
    "ObjectionAction",
    "ObjectionState",
    "decide",
    "file_objection",
]

_PREFIX = "objection"
_MAX_STATEMENT = 20_000


class ObjectionState(StrEnum):
    FILED = "filed"
    CORRECTED = "corrected"
    WITHDRAWN = "withdrawn"
    DISMISSED = "dismissed"


class ObjectionAction(StrEnum):
    CORRECT = "correct"
    WITHDRAW = "withdraw"
    DISMISS = "dismiss"


TERMINAL_OBJECTION_STATES = frozenset(
    {ObjectionState.CORRECTED, ObjectionState.WITHDRAWN, ObjectionState.DISMISSED}
)
_TARGET = {
    ObjectionAction.CORRECT: ObjectionState.CORRECTED,
    ObjectionAction.WITHDRAW: ObjectionState.WITHDRAWN,
    ObjectionAction.DISMISS: ObjectionState.DISMISSED,
}
_REVIEWER: frozenset[Role] = frozenset({"reviewer"})
_APPLICANT: frozenset[Role] = frozenset({"representative"})


@dataclass(frozen=True)
class Objection:
    """One objection against one record; ``record_version`` is the version objected to."""

    case_id: str
    usci: str
    record: RecordRef
    record_version: int
    state: ObjectionState
    filed_on: date
    statement: str
    updated_on: date
    decided_on: date | None = None
    reason: str = ""
    version: int = 1

    @property
    def is_open(self) -> bool:
        return self.state is ObjectionState.FILED


def file_objection(
    case_id: str,
    usci: str,
    record: RecordRef,
    record_version: int,
    actor: Actor,
    on: date,
    statement: str,
) -> tuple[Objection, CaseEvent]:
    """A representative objects to ``record`` (at ``record_version``) with a statement."""
    check_role(actor, _APPLICANT, usci, _PREFIX, "file")
    text = statement.strip()
    if not text:
        raise InvalidCaseInput(
            "an objection needs a statement of what is wrong with the record",
            code="objection.statement_required",
        )
    if len(text) > _MAX_STATEMENT:
        raise InvalidCaseInput(
            f"a statement may have at most {_MAX_STATEMENT} characters",
            code="objection.invalid_input",
        )
    if not case_id.strip():
        raise InvalidCaseInput("a case needs an id", code="objection.invalid_input")
    case = Objection(case_id, usci, record, record_version, ObjectionState.FILED, on, text, on)
    event = CaseEvent("objection", case_id, usci, record, "file", actor, on, None, "filed")
    return case, event


def decide(
    case: Objection,
    action: ObjectionAction,
    actor: Actor,
    on: date,
    reason: str,
    *,
    current_record_version: int | None = None,
) -> tuple[Objection, CaseEvent]:
    """A reviewer's decision with a reason; ``correct`` needs the record's current version."""
    action = ObjectionAction(action)
    if case.state is not ObjectionState.FILED:
        raise IllegalTransition(
            f"the objection was already decided ({case.state.value}); it cannot be "
            f"{_TARGET[action].value} now",
            code="objection.illegal_transition",
            details={"case_id": case.case_id, "state": case.state.value, "action": action.value},
        )
    check_role(actor, _REVIEWER, case.usci, _PREFIX, action.value)
    text = check_reason(reason, True, _PREFIX, action.value)
    if on < case.updated_on:
        raise InvalidCaseInput(
            f"the decision is dated {on.isoformat()}, before the objection was filed "
            f"on {case.updated_on.isoformat()}",
            code="objection.invalid_date",
        )
    details: tuple[tuple[str, str], ...] = ()
    if action is ObjectionAction.CORRECT:
        if current_record_version is None or current_record_version <= case.record_version:
            raise InvalidCaseInput(
                "no corrected version of the record has landed yet: load the authority's "
                "corrected record first, then mark the objection corrected",
                code="objection.not_corrected_yet",
            )
        details = (("record_version", str(current_record_version)),)
    target = _TARGET[action]
    new = replace(
        case, state=target, decided_on=on, reason=text, updated_on=on, version=case.version + 1
    )
    event = CaseEvent(
        case_type="objection",
        case_id=case.case_id,
        usci=case.usci,
        record=case.record,
        action=action.value,
        actor=actor,
        on=on,
        from_state=case.state.value,
        to_state=target.value,
        reason=text,
        record_event="withdrawn" if action is ObjectionAction.WITHDRAW else None,
        details=details,
    )
    return new, event

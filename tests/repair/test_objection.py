"""The objection state machine: filing, the three decisions and their reasons."""

from __future__ import annotations

from datetime import date

import pytest

from corpcredit.repair import (
    ForbiddenAction,
    IllegalTransition,
    InvalidCaseInput,
    ObjectionAction,
    ObjectionState,
    decide,
    file_objection,
)
from tests.repair.builders import ORG, RECORD, REP, REVIEWER, STRANGER

ON = date(2025, 5, 6)
Act = ObjectionAction


def filed():
    case, _ = file_objection("o1", ORG, RECORD, 1, REP, ON, "  the fine was paid in 2024  ")
    return case


def test_filing_records_the_statement_and_the_version_objected_to() -> None:
    case, event = file_objection("o1", ORG, RECORD, 2, REP, ON, " wrong decision number ")
    assert case.state is ObjectionState.FILED and case.is_open
    assert case.statement == "wrong decision number" and case.record_version == 2
    assert event.audit_action == "objection.file" and event.to_state == "filed"


def test_a_statement_is_required_and_only_the_organisation_files() -> None:
    with pytest.raises(InvalidCaseInput) as caught:
        file_objection("o1", ORG, RECORD, 1, REP, ON, "  ")
    assert caught.value.code == "objection.statement_required"
    with pytest.raises(ForbiddenAction) as forbidden:
        file_objection("o1", ORG, RECORD, 1, STRANGER, ON, "not ours")
    assert forbidden.value.code == "objection.forbidden"


def test_dismissal_keeps_the_record_and_shows_the_reason() -> None:
    case, event = decide(filed(), Act.DISMISS, REVIEWER, ON, "the decision stands")
    assert case.state is ObjectionState.DISMISSED and case.reason == "the decision stands"
    assert event.record_event is None and event.reason == "the decision stands"


def test_withdrawal_withdraws_the_record() -> None:
    case, event = decide(filed(), Act.WITHDRAW, REVIEWER, ON, "issued to the wrong company")
    assert case.state is ObjectionState.WITHDRAWN
    assert event.record_event == "withdrawn" and event.on == ON


def test_correction_needs_a_newer_version_of_the_record() -> None:
    with pytest.raises(InvalidCaseInput) as caught:
        decide(filed(), Act.CORRECT, REVIEWER, ON, "amount fixed", current_record_version=1)
    assert caught.value.code == "objection.not_corrected_yet"
    case, event = decide(
        filed(), Act.CORRECT, REVIEWER, ON, "amount fixed", current_record_version=2
    )
    assert case.state is ObjectionState.CORRECTED and dict(event.details) == {"record_version": "2"}


def test_decisions_need_a_reviewer_and_a_reason_and_happen_once() -> None:
    with pytest.raises(ForbiddenAction):
        decide(filed(), Act.DISMISS, REP, ON, "self-serving")
    with pytest.raises(InvalidCaseInput) as caught:
        decide(filed(), Act.DISMISS, REVIEWER, ON, "")
    assert caught.value.code == "objection.reason_required"
    done, _ = decide(filed(), Act.DISMISS, REVIEWER, ON, "stands")
    with pytest.raises(IllegalTransition) as illegal:
        decide(done, Act.WITHDRAW, REVIEWER, ON, "changed my mind")
    assert illegal.value.code == "objection.illegal_transition"


def test_a_decision_dated_before_the_filing_is_refused() -> None:
    with pytest.raises(InvalidCaseInput) as caught:
        decide(filed(), Act.DISMISS, REVIEWER, date(2025, 5, 5), "stands")
    assert caught.value.code == "objection.invalid_date"

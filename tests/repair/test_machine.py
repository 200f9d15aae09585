"""The repair state machine: transitions, deadlines, roles, reasons and errors."""

from __future__ import annotations

from datetime import date

import pytest

from corpcredit.repair import (
    DeadlinePassed,
    Eligibility,
    ExtensionUsed,
    ForbiddenAction,
    IllegalTransition,
    InvalidCaseInput,
    NotYetEligible,
    RepairAction,
    RepairState,
    allowed_actions,
    submit,
    transition,
)
from tests.repair.builders import (
    ORG,
    RECORD,
    REP,
    REVIEWER,
    SHA,
    STRANGER,
    eligible_on,
    submitted,
)

d = date.fromisoformat
A = RepairAction


def test_submission_sets_the_intake_deadline_in_working_days() -> None:
    case, event = submit("c1", ORG, RECORD, REP, d("2025-01-24"), SHA, eligible_on(d("2025-01-24")))
    assert case.state is RepairState.SUBMITTED
    assert case.intake_due == d("2025-02-05")  # across the 2025 Spring Festival
    assert case.due_on == case.intake_due and case.is_open
    assert (event.action, event.from_state, event.to_state) == ("submit", None, "submitted")
    assert event.actor == REP and event.record_event is None


def test_the_whole_path_to_approval_and_revocation() -> None:
    case = submitted(d("2025-01-24"))
    case, accepted = transition(case, A.ACCEPT, REVIEWER, d("2025-01-27"))
    assert case.state is RepairState.ACCEPTED and case.decision_due == d("2025-02-12")
    assert dict(accepted.details) == {"decision_due": "2025-02-12"}
    case, approved = transition(case, A.APPROVE, REVIEWER, d("2025-02-10"), "fine paid")
    assert case.state is RepairState.APPROVED and case.decided_on == d("2025-02-10")
    assert case.due_on is None and not case.is_open
    assert approved.record_event == "repaired" and approved.on == d("2025-02-10")
    assert approved.audit_action == "repair.approve"
    case, revoked = transition(case, A.REVOKE, REVIEWER, d("2025-06-01"), "receipt was forged")
    assert case.state is RepairState.REVOKED and case.revoked_on == d("2025-06-01")
    assert revoked.record_event == "revoked_repair" and revoked.reason == "receipt was forged"
    assert case.version == 4


def test_an_application_before_the_earliest_date_is_refused_with_the_date() -> None:
    on = d("2025-03-01")
    early = Eligibility(False, "repair.not_yet_eligible", d("2025-04-30"), on, "from 2025-04-30")
    with pytest.raises(NotYetEligible) as caught:
        submit("c1", ORG, RECORD, REP, on, SHA, early)
    assert caught.value.code == "repair.not_yet_eligible"
    assert caught.value.details["earliest_date"] == "2025-04-30"


def test_eligibility_must_be_for_the_application_date() -> None:
    with pytest.raises(InvalidCaseInput) as caught:
        submit("c1", ORG, RECORD, REP, d("2025-03-02"), SHA, eligible_on(d("2025-03-01")))
    assert caught.value.code == "repair.invalid_date"


def test_only_the_organisations_representative_applies_and_withdraws() -> None:
    with pytest.raises(ForbiddenAction) as caught:
        submit("c1", ORG, RECORD, STRANGER, d("2025-03-03"), SHA, eligible_on(d("2025-03-03")))
    assert caught.value.code == "repair.forbidden" and caught.value.http_status == 403
    with pytest.raises(ForbiddenAction):
        transition(submitted(), A.WITHDRAW, STRANGER, d("2025-01-27"))
    with pytest.raises(ForbiddenAction):
        transition(submitted(), A.WITHDRAW, REVIEWER, d("2025-01-27"))
    with pytest.raises(ForbiddenAction):
        transition(submitted(), A.ACCEPT, REP, d("2025-01-27"))


def test_withdrawal_by_the_applicant_before_a_decision() -> None:
    case, event = transition(submitted(), A.WITHDRAW, REP, d("2025-01-27"))
    assert case.state is RepairState.WITHDRAWN and event.record_event is None
    accepted, _ = transition(submitted(), A.ACCEPT, REVIEWER, d("2025-01-27"))
    case, _ = transition(accepted, A.WITHDRAW, REP, d("2025-01-28"))
    assert case.state is RepairState.WITHDRAWN


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ([], A.APPROVE),  # not accepted yet
        ([], A.REVOKE),
        ([(A.ACCEPT, "")], A.ACCEPT),
        ([(A.ACCEPT, ""), (A.APPROVE, "")], A.WITHDRAW),  # decided: too late to withdraw
        ([(A.REFUSE, "no receipt")], A.ACCEPT),
        ([(A.ACCEPT, ""), (A.REJECT, "unpaid")], A.APPROVE),
        ([(A.ACCEPT, ""), (A.APPROVE, ""), (A.REVOKE, "forged")], A.APPROVE),
    ],
)
def test_illegal_transitions_raise_a_stable_code(
    path: list[tuple[RepairAction, str]], action: RepairAction
) -> None:
    case = submitted()
    for step, reason in path:
        actor = REP if step is A.WITHDRAW else REVIEWER
        case, _ = transition(case, step, actor, d("2025-01-27"), reason)
    actor = REP if action is A.WITHDRAW else REVIEWER
    with pytest.raises(IllegalTransition) as caught:
        transition(case, action, actor, d("2025-01-28"), "a reason")
    assert caught.value.code == "repair.illegal_transition" and caught.value.http_status == 409
    assert caught.value.details["state"] == case.state.value


@pytest.mark.parametrize("action", [A.REFUSE, A.REJECT, A.EXTEND, A.REVOKE])
def test_negative_decisions_and_extensions_need_a_reason(action: RepairAction) -> None:
    case = submitted()
    if action is not A.REFUSE:
        case, _ = transition(case, A.ACCEPT, REVIEWER, d("2025-01-27"))
    if action is A.REVOKE:
        case, _ = transition(case, A.APPROVE, REVIEWER, d("2025-01-27"))
    with pytest.raises(InvalidCaseInput) as caught:
        transition(case, action, REVIEWER, d("2025-01-28"), "   ")
    assert caught.value.code == "repair.reason_required"


def test_the_decision_deadline_is_extended_once_by_ten_working_days() -> None:
    case, _ = transition(submitted(), A.ACCEPT, REVIEWER, d("2025-09-16"))
    assert case.decision_due == d("2025-09-25")
    case, event = transition(case, A.EXTEND, REVIEWER, d("2025-09-25"), "site visit needed")
    assert case.extended and case.state is RepairState.ACCEPTED
    assert case.decision_due == d("2025-10-15")  # across National Day and its adjusted days
    assert event.from_state == event.to_state == "accepted"
    with pytest.raises(ExtensionUsed) as caught:
        transition(case, A.EXTEND, REVIEWER, d("2025-09-26"), "again")
    assert caught.value.code == "repair.extension_used"
    assert A.EXTEND not in allowed_actions(case, "reviewer")


def test_an_extension_after_the_deadline_is_refused() -> None:
    case, _ = transition(submitted(), A.ACCEPT, REVIEWER, d("2025-09-16"))
    with pytest.raises(DeadlinePassed) as caught:
        transition(case, A.EXTEND, REVIEWER, d("2025-09-26"), "late")
    assert caught.value.code == "repair.deadline_passed"


def test_overdue_is_computed_against_today() -> None:
    case = submitted(d("2025-01-24"))  # intake due 2025-02-05
    assert not case.is_overdue(d("2025-02-05"))
    assert case.is_overdue(d("2025-02-06")) and case.overdue_by(d("2025-02-07")) == 2
    accepted, _ = transition(case, A.ACCEPT, REVIEWER, d("2025-02-06"))
    assert not accepted.is_overdue(d("2025-02-06"))
    approved, _ = transition(accepted, A.APPROVE, REVIEWER, d("2025-02-07"))
    assert not approved.is_overdue(d("2030-01-01")) and approved.overdue_by(d("2030-01-01")) == 0


def test_a_step_dated_before_the_last_one_is_refused() -> None:
    case = submitted(d("2025-01-24"))
    with pytest.raises(InvalidCaseInput) as caught:
        transition(case, A.ACCEPT, REVIEWER, d("2025-01-23"))
    assert caught.value.code == "repair.invalid_date"


def test_a_transition_leaves_the_old_case_unchanged() -> None:
    case = submitted()
    new, _ = transition(case, A.ACCEPT, REVIEWER, d("2025-01-27"))
    assert case.state is RepairState.SUBMITTED and case.accepted_on is None
    assert new is not case
    with pytest.raises(AttributeError):
        case.state = RepairState.APPROVED  # type: ignore[misc]


def test_allowed_actions_per_role() -> None:
    case = submitted()
    assert allowed_actions(case, "reviewer") == [A.ACCEPT, A.REFUSE]
    assert allowed_actions(case, "representative") == [A.WITHDRAW]

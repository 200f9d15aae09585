"""Property tests: no sequence of actions reaches an illegal state (repair and objection)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from corpcredit.calendar import add_working_days
from corpcredit.repair import (
    EXTENSION_DAYS,
    OPEN_STATES,
    TERMINAL_OBJECTION_STATES,
    TERMINAL_STATES,
    Actor,
    CaseError,
    IllegalTransition,
    Objection,
    ObjectionAction,
    ObjectionState,
    RepairAction,
    RepairCase,
    RepairState,
    decide,
    file_objection,
    transition,
)
from tests.repair.builders import ORG, RECORD, REP, REVIEWER, STRANGER, submitted

ACTORS = [REP, REVIEWER, STRANGER]
START = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 30))
REVIEWER_ACTIONS = set(RepairAction) - {RepairAction.WITHDRAW}


def proper(action: RepairAction) -> Actor:
    return REVIEWER if action in REVIEWER_ACTIONS else REP


# Mostly well-formed attempts (the right role, a reason, a later date), so that deep
# paths are explored; now and then a wrong actor, no reason or an earlier date.
STEP = st.tuples(
    st.sampled_from(list(RepairAction)),
    st.one_of(st.just(None), st.just(None), st.just(None), st.sampled_from(ACTORS)),
    st.one_of(st.integers(min_value=0, max_value=8), st.just(-1)),  # days after the last try
    st.sampled_from(["a reason", "a reason", "a reason", ""]),
)


S, A = RepairState, RepairAction
#: DOMAIN.md §6, written out independently of the machine: (state, action) → state.
LEGAL = {
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, A.REFUSE): S.REFUSED_AT_INTAKE,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.ACCEPTED, A.APPROVE): S.APPROVED,
    (S.ACCEPTED, A.REJECT): S.REJECTED,
    (S.ACCEPTED, A.WITHDRAW): S.WITHDRAWN,
    (S.ACCEPTED, A.EXTEND): S.ACCEPTED,
    (S.APPROVED, A.REVOKE): S.REVOKED,
}


def check_invariants(case: RepairCase) -> None:
    assert case.state in set(S)
    assert (case.due_on is not None) == (case.state in OPEN_STATES)
    assert case.submitted_on <= case.updated_on
    if case.state is S.SUBMITTED:
        assert case.accepted_on is None and case.decided_on is None
    if case.state in (S.ACCEPTED, S.APPROVED, S.REJECTED):
        assert case.accepted_on is not None and case.decision_due is not None
        regular = add_working_days(case.accepted_on, 7)
        extended = add_working_days(regular, EXTENSION_DAYS)
        assert case.decision_due == (extended if case.extended else regular)
    if case.state in (S.APPROVED, S.REJECTED, S.REFUSED_AT_INTAKE, S.WITHDRAWN, S.REVOKED):
        assert case.decided_on is not None
    assert (case.revoked_on is not None) == (case.state is S.REVOKED)
    if case.state in (S.APPROVED, S.REVOKED):
        assert case.accepted_on is not None


@settings(max_examples=150, deadline=None)
@given(START, st.lists(STEP, max_size=12))
def test_no_sequence_of_actions_reaches_an_illegal_repair_state(
    start: date, steps: list[tuple[RepairAction, Actor | None, int, str]]
) -> None:
    case = submitted(start)
    day, extensions, version = start, 0, 1
    for action, chosen, gap, reason in steps:
        actor = chosen or proper(action)
        day += timedelta(days=gap)
        was_terminal = case.state in TERMINAL_STATES
        try:
            new, event = transition(case, action, actor, day, reason)
        except IllegalTransition:
            assert (case.state, action) not in LEGAL
            continue
        except CaseError:
            continue  # refused for its actor, reason or date: the case is untouched
        assert not was_terminal, f"{action} left terminal state {case.state}"
        assert LEGAL[(case.state, action)] is new.state
        assert event.from_state == case.state.value and event.to_state == new.state.value
        assert event.actor == actor and event.on == day
        extensions += action is RepairAction.EXTEND
        version += 1
        assert new.version == version
        case = new
        check_invariants(case)
    assert extensions <= 1
    assert case.extended == (extensions == 1)


def test_every_reachable_state_allows_exactly_the_legal_actions() -> None:
    """Breadth-first over every reachable (state, extended): the whole table, exhaustively."""
    start = date(2025, 3, 3)
    frontier, seen = [submitted(start)], set()
    while frontier:
        case = frontier.pop()
        if (case.state, case.extended) in seen:
            continue
        seen.add((case.state, case.extended))
        for action in RepairAction:
            try:
                new, _ = transition(case, action, proper(action), case.updated_on, "why")
            except IllegalTransition:
                assert (case.state, action) not in LEGAL
                continue
            except CaseError as err:  # only a second extension may fail otherwise
                assert (action, case.extended, err.code) == (
                    A.EXTEND,
                    True,
                    "repair.extension_used",
                )
                continue
            assert LEGAL[(case.state, action)] is new.state
            check_invariants(new)
            frontier.append(new)
    assert {s for s, _ in seen} == set(RepairState)
    assert (S.ACCEPTED, True) in seen


@settings(max_examples=60, deadline=None)
@given(START, st.sampled_from(sorted(TERMINAL_STATES)), st.sampled_from(list(RepairAction)))
def test_terminal_repair_states_are_terminal(
    start: date, terminal: RepairState, action: RepairAction
) -> None:
    path = {
        RepairState.REFUSED_AT_INTAKE: [(RepairAction.REFUSE, REVIEWER)],
        RepairState.WITHDRAWN: [(RepairAction.WITHDRAW, REP)],
        RepairState.REJECTED: [(RepairAction.ACCEPT, REVIEWER), (RepairAction.REJECT, REVIEWER)],
        RepairState.REVOKED: [
            (RepairAction.ACCEPT, REVIEWER),
            (RepairAction.APPROVE, REVIEWER),
            (RepairAction.REVOKE, REVIEWER),
        ],
    }[terminal]
    case = submitted(start)
    for step, actor in path:
        case, _ = transition(case, step, actor, start, "why")
    assert case.state is terminal
    for actor in ACTORS:
        try:
            transition(case, action, actor, start + timedelta(days=1), "why")
        except CaseError as err:
            assert err.code in ("repair.illegal_transition", "repair.forbidden")
        else:
            raise AssertionError(f"{action} by {actor.role} left {terminal}")


OBJ_STEP = st.tuples(
    st.sampled_from(list(ObjectionAction)),
    st.sampled_from(ACTORS),
    st.integers(min_value=-2, max_value=10),
    st.sampled_from(["", "the decision number was wrong"]),
    st.integers(min_value=0, max_value=3),  # current record version
)


@settings(max_examples=100, deadline=None)
@given(START, st.lists(OBJ_STEP, max_size=8))
def test_no_sequence_of_decisions_reaches_an_illegal_objection_state(
    start: date, steps: list[tuple[ObjectionAction, Actor, int, str, int]]
) -> None:
    case: Objection
    case, _ = file_objection("o1", ORG, RECORD, 1, REP, start, "wrong authority")
    decided = 0
    for action, actor, gap, reason, version in steps:
        was_terminal = case.state in TERMINAL_OBJECTION_STATES
        try:
            new, event = decide(
                case, action, actor, start + timedelta(days=gap), reason,
                current_record_version=version,
            )  # fmt: skip
        except CaseError:
            continue
        assert not was_terminal
        decided += 1
        assert new.state in TERMINAL_OBJECTION_STATES and new.reason
        assert new.decided_on is not None and new.decided_on >= case.filed_on
        assert actor.role == "reviewer"
        assert (event.record_event == "withdrawn") == (new.state is ObjectionState.WITHDRAWN)
        if new.state is ObjectionState.CORRECTED:
            assert version > case.record_version
        case = new
    assert decided <= 1

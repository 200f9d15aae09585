"""Change detection and webhook signing: pure rules."""

from __future__ import annotations

from datetime import timedelta

from corpcredit.monitoring import WatchState, backoff, describe, diff, sign, verify

BEFORE = WatchState(score=923, grade="B", lists=frozenset({"abnormal"}), public=frozenset({"t/1"}))


def test_first_sight_is_a_baseline_without_events() -> None:
    assert diff(None, BEFORE) == []


def test_nothing_changed_means_no_events() -> None:
    assert diff(BEFORE, WatchState.from_json(BEFORE.to_json())) == []


def test_a_move_to_another_grade_band_is_an_event_a_move_within_one_is_not() -> None:
    within = WatchState(score=900, grade="B", lists=BEFORE.lists, public=BEFORE.public)
    assert diff(BEFORE, within) == []
    down = WatchState(score=840, grade="C", lists=BEFORE.lists, public=BEFORE.public)
    [change] = diff(BEFORE, down)
    assert change.kind == "grade_changed"
    assert describe(change.kind, change.detail) == "grade B → C (score 923 → 840)"


def test_list_entries_exits_records_repairs_and_withdrawals_are_events() -> None:
    after = WatchState(
        score=923,
        grade="B",
        lists=frozenset({"black"}),
        public=frozenset({"t/1", "t/2"}),
        repairs=frozenset({"case R-1 approved"}),
        withdrawn=frozenset({"t/9"}),
    )
    kinds = [(c.kind, describe(c.kind, c.detail)) for c in diff(BEFORE, after)]
    assert kinds == [
        ("list_entered", "entered the black list"),
        ("list_left", "left the abnormal list"),
        ("record_published", "new public record t/2"),
        ("repair_decided", "repair decided: case R-1 approved"),
        ("record_withdrawn", "record withdrawn: t/9"),
    ]


def test_a_signature_verifies_only_for_the_same_secret_time_and_body() -> None:
    signature = sign("s3cret", 1_700_000_000, b'{"id":1}')
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify("s3cret", 1_700_000_000, b'{"id":1}', signature)
    assert not verify("other", 1_700_000_000, b'{"id":1}', signature)
    assert not verify("s3cret", 1_700_000_001, b'{"id":1}', signature)
    assert not verify("s3cret", 1_700_000_000, b'{"id":2}', signature)


def test_backoff_doubles_from_thirty_seconds() -> None:
    assert [backoff(n) for n in (1, 2, 3, 8)] == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=3840),
    ]

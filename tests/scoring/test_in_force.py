"""Rule 1: a record is in force from its decision date until its (exclusive) end."""

from datetime import datetime, timedelta, timezone

from tests.factory import ent, ev, rec, result, run, usci

A = usci(1)


def test_general_record_counts_on_its_decision_date():
    r = rec(A, "admin_penalty", "general", "2025-01-01")
    assert result(run([ent(A)], [r], as_of="2025-01-01"), A)["score"] == 970


def test_record_decided_after_evaluation_date_does_not_count():
    r = rec(A, "admin_penalty", "general", "2025-01-02")
    assert result(run([ent(A)], [r], as_of="2025-01-01"), A)["score"] == 1000


def test_general_record_expires_exactly_one_year_later():
    r = rec(A, "admin_penalty", "general", "2025-01-01")
    assert result(run([ent(A)], [r], as_of="2025-12-31"), A)["score"] == 970
    assert result(run([ent(A)], [r], as_of="2026-01-01"), A)["score"] == 1000


def test_month_arithmetic_clips_to_the_last_day_of_the_month():
    # 2024-02-29 + 12 months = 2025-02-28 (tax grade C: general, -20, one rating year)
    r = rec(A, "tax_grade", None, "2024-02-29", grade="C")
    assert result(run([ent(A)], [r], as_of="2025-02-27"), A)["score"] == 980
    assert result(run([ent(A)], [r], as_of="2025-02-28"), A)["score"] == 1000


def test_later_ends_on_replaces_the_default_end_but_an_earlier_one_does_not():
    later = rec(A, "admin_penalty", "general", "2025-01-01", ends_on="2026-06-01")
    earlier = rec(A, "admin_penalty", "general", "2025-01-01", ends_on="2025-03-01")
    assert result(run([ent(A)], [later], as_of="2026-05-31"), A)["score"] == 970
    assert result(run([ent(A)], [later], as_of="2026-06-01"), A)["score"] == 1000
    assert result(run([ent(A)], [earlier], as_of="2025-06-01"), A)["score"] == 970


def test_abnormal_operations_has_no_automatic_end_and_ignores_ends_on():
    r = rec(A, "abnormal_operations", "general", "2020-01-01", ends_on="2021-01-01")
    out = run([ent(A)], [r], as_of="2026-01-01")
    assert result(out, A)["score"] == 980
    assert out.contributions.get_column("ends_on").to_list() == [None]


def test_lift_ends_the_record_on_its_effective_date():
    r = rec(A, "court_defaulter", "serious", "2025-01-01")
    lifted = [ev(r, "lifted", "2025-05-01")]
    assert result(run([ent(A)], [r], lifted, as_of="2025-04-30"), A)["score"] == 880
    assert result(run([ent(A)], [r], lifted, as_of="2025-05-01"), A)["score"] == 1000


def test_withdrawn_record_never_counts_even_before_the_withdrawal():
    r = rec(A, "admin_penalty", "serious", "2025-01-01")
    w = [ev(r, "withdrawn", "2025-06-01")]
    out = run([ent(A)], [r], w, as_of="2025-03-01")
    assert result(out, A)["score"] == 1000
    assert out.contributions.height == 0


def test_revoked_repair_cancels_repairs_dated_on_or_before_it():
    r = rec(A, "admin_penalty", "serious", "2024-01-01")
    repaired = ev(r, "repaired", "2025-03-01")
    revoked = ev(r, "revoked_repair", "2025-04-01")
    assert result(run([ent(A)], [r], [repaired], as_of="2025-03-15"), A)["score"] == 1000
    # Revocation applies at every evaluation date, also before it was decided.
    assert result(run([ent(A)], [r], [repaired, revoked], as_of="2025-03-15"), A)["score"] == 920
    again = ev(r, "repaired", "2025-05-01")
    assert (
        result(run([ent(A)], [r], [repaired, revoked, again], as_of="2025-05-01"), A)["score"]
        == 1000
    )
    assert (
        result(run([ent(A)], [r], [repaired, revoked, again], as_of="2025-04-30"), A)["score"]
        == 920
    )


CST = timezone(timedelta(hours=8))


def test_knowledge_time_hides_a_repair_learnt_later():
    r = rec(A, "admin_penalty", "serious", "2024-01-10", black=True)
    e = ev(r, "repaired", "2025-03-01", recorded_at=datetime(2025, 3, 2, 10, tzinfo=CST))
    now = run([ent(A)], [r], [e], as_of="2025-06-30")
    then = run(
        [ent(A)], [r], [e], as_of="2025-06-30", known_at=datetime(2025, 3, 1, 12, tzinfo=CST)
    )
    assert (result(now, A)["score"], result(now, A)["grade"]) == (1000, "A")
    assert (result(then, A)["score"], result(then, A)["grade"], result(then, A)["black"]) == (
        920,
        "D",
        True,
    )


def test_record_without_recorded_at_is_known_from_midnight_china_time_on_its_decision_date():
    r = rec(A, "admin_penalty", "general", "2025-03-01")
    just_before = datetime(2025, 2, 28, 23, 59, 59, tzinfo=CST)
    at_midnight = datetime(2025, 3, 1, 0, 0, tzinfo=CST)
    assert result(run([ent(A)], [r], as_of="2025-06-30", known_at=just_before), A)["score"] == 1000
    assert result(run([ent(A)], [r], as_of="2025-06-30", known_at=at_midnight), A)["score"] == 970


def test_naive_knowledge_time_is_read_as_china_standard_time():
    r = rec(A, "admin_penalty", "general", "2025-03-01")
    assert (
        result(run([ent(A)], [r], as_of="2025-06-30", known_at=datetime(2025, 3, 1, 0, 0)), A)[
            "score"
        ]
        == 970
    )

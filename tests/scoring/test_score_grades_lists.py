"""Rules 5–8 and §5: clamp and rounding, grades, the three lists, next change."""

from tests.factory import ent, ev, rec, result, run, usci

A = usci(100)
HEAD, BR = usci(101), usci(102)


def test_score_is_clamped_at_the_floor():
    recs = [rec(A, "serious_violation_list", "serious", "2025-01-01") for _ in range(4)]
    row = result(run([ent(A)], recs, as_of="2025-02-01"), A)
    assert (row["score"], row["own_points_h"]) == (600, -60000)


def test_score_is_clamped_at_the_ceiling():
    recs = [rec(A, "commendation", "positive", "2025-01-01") for _ in range(8)]
    row = result(run([ent(A)], recs, as_of="2025-02-01"), A)
    assert (row["score"], row["grade"]) == (1300, "AAA")


def test_grade_bands_apply_to_the_rounded_score():
    # 1000 + 30 (tax A) = 1030 → AA; 1000 - 40.5 = 959.5 → 960 → A
    tax_a = rec(A, "tax_grade", None, "2025-01-01", grade="A")
    assert result(run([ent(A)], [tax_a], as_of="2025-02-01"), A)["grade"] == "AA"
    branch_pen = rec(BR, "admin_penalty", "serious", "2025-01-01")  # -80 → head -40
    head_spot = rec(HEAD, "admin_penalty", "minor", "2025-01-01")  # gated: does not count
    out = run([ent(HEAD), ent(BR, HEAD)], [branch_pen, head_spot], as_of="2025-02-01")
    assert (result(out, HEAD)["score"], result(out, HEAD)["grade"]) == (960, "A")


def test_black_listed_entity_is_graded_d_whatever_its_points():
    k = rec(A, "court_defaulter", "serious", "2025-01-01")
    c = [rec(A, "commendation", "positive", "2025-01-01") for _ in range(4)]
    row = result(run([ent(A)], [k, *c], as_of="2025-02-01"), A)
    assert (row["score"], row["grade"], row["black"]) == (1080, "D", True)


def test_authority_black_flag_is_honoured_on_any_serious_record():
    flagged = rec(A, "environmental_violation", "serious", "2025-01-01", black=True)
    unflagged = rec(A, "environmental_violation", "serious", "2025-01-01")
    assert result(run([ent(A)], [flagged], as_of="2025-02-01"), A)["grade"] == "D"
    assert result(run([ent(A)], [unflagged], as_of="2025-02-01"), A)["grade"] == "B"


def test_abnormal_operations_escalate_to_black_on_the_36_month_date():
    r = rec(A, "abnormal_operations", "general", "2022-06-30")
    before = result(run([ent(A)], [r], as_of="2025-06-29"), A)
    on = result(run([ent(A)], [r], as_of="2025-06-30"), A)
    assert (before["black"], before["abnormal"], before["grade"]) == (False, True, "A")
    assert (on["black"], on["abnormal"], on["grade"]) == (True, True, "D")


def test_lifted_abnormal_record_leaves_both_lists():
    r = rec(A, "abnormal_operations", "general", "2022-01-01")
    row = result(run([ent(A)], [r], [ev(r, "lifted", "2025-01-01")], as_of="2025-06-30"), A)
    assert (row["black"], row["abnormal"], row["score"]) == (False, False, 1000)


def test_red_list_by_rating_needs_the_threshold():
    tax_a = rec(A, "tax_grade", None, "2025-01-01", grade="A")
    praise = rec(A, "commendation", "positive", "2024-01-01")
    assert result(run([ent(A)], [tax_a], as_of="2025-02-01"), A)["red"] is False  # 1030
    assert result(run([ent(A)], [tax_a, praise], as_of="2025-02-01"), A)["red"] is True  # 1080


def test_red_list_is_blocked_by_any_own_general_record_in_36_months_even_repaired():
    tax_a = rec(A, "tax_grade", None, "2025-01-01", grade="A")
    praise = [rec(A, "commendation", "positive", "2024-06-01") for _ in range(2)]
    old = rec(A, "spot_check_failed", "general", "2022-03-01")
    repaired = ev(old, "repaired", "2022-06-01")
    out = run([ent(A)], [tax_a, *praise, old], [repaired], as_of="2025-02-01")
    assert (result(out, A)["score"], result(out, A)["red"]) == (1130, False)
    # 36 months after the decision the look-back no longer sees it.
    out = run([ent(A)], [tax_a, *praise, old], [repaired], as_of="2025-03-01")
    assert result(out, A)["red"] is True


def test_withdrawn_record_does_not_block_the_red_list():
    tax_a = rec(A, "tax_grade", None, "2025-01-01", grade="A")
    praise = rec(A, "commendation", "positive", "2024-06-01")
    wrong = rec(A, "spot_check_failed", "general", "2024-03-01")
    out = run(
        [ent(A)], [tax_a, praise, wrong], [ev(wrong, "withdrawn", "2024-04-01")], as_of="2025-02-01"
    )
    assert result(out, A)["red"] is True


def test_red_flagged_commendation_puts_its_entity_on_the_red_list():
    c = rec(A, "commendation", "positive", "2025-01-01", red=True)
    assert result(run([ent(A)], [c], as_of="2025-02-01"), A)["red"] is True


def test_black_listed_entity_is_never_red():
    c = rec(A, "commendation", "positive", "2025-01-01", red=True)
    k = rec(A, "tax_blacklist", "serious", "2025-01-01")
    row = result(run([ent(A)], [c, k], as_of="2025-02-01"), A)
    assert (row["black"], row["red"]) == (True, False)


def test_tax_grade_b_neither_gates_nor_blocks_red():
    b = rec(A, "tax_grade", None, "2024-06-01", grade="B")
    minor = rec(A, "admin_penalty", "minor", "2024-07-01")
    assert result(run([ent(A)], [b, minor], as_of="2024-08-01"), A)["score"] == 1000


def test_next_change_is_the_earliest_date_across_the_organisation():
    h = rec(HEAD, "admin_penalty", "general", "2025-03-01")  # ends 2026-03-01
    b = rec(BR, "admin_penalty", "minor", "2025-05-10")  # ends 2025-08-10, gated, still a date
    out = run([ent(HEAD), ent(BR, HEAD)], [h, b], as_of="2025-06-30")
    assert str(result(out, HEAD)["next_change"]) == "2025-08-10"
    assert str(result(out, BR)["next_change"]) == "2025-08-10"


def test_next_change_includes_the_36_month_date_and_future_decisions():
    old = rec(A, "spot_check_failed", "general", "2024-06-30")
    assert str(result(run([ent(A)], [old], as_of="2025-06-30"), A)["next_change"]) == "2027-06-30"
    future = rec(A, "spot_check_failed", "general", "2025-09-01")
    assert (
        str(result(run([ent(A)], [future], as_of="2025-06-30"), A)["next_change"]) == "2025-09-01"
    )


def test_next_change_is_null_without_records_and_ignores_withdrawn_ones():
    r = rec(A, "admin_penalty", "general", "2025-01-01")
    assert result(run([ent(A)], as_of="2025-06-30"), A)["next_change"] is None
    out = run([ent(A)], [r], [ev(r, "withdrawn", "2025-02-01")], as_of="2025-06-30")
    assert result(out, A)["next_change"] is None

"""Rules 2–4: minor-record gating, own points, and points travelling inside an organisation."""

import pytest

from corpcredit.scoring.org import ParentCycleError
from tests.factory import ent, points, rec, result, run, usci

A = usci(10)
HEAD, B1, B2 = usci(20), usci(21, division="310115"), usci(22, division="440305")


def test_minor_record_alone_does_not_count():
    m = rec(A, "admin_penalty", "minor", "2025-01-01")
    out = run([ent(A)], [m], as_of="2025-02-01")
    assert result(out, A)["score"] == 1000
    assert points(out, A) == []


def test_minor_record_before_the_serious_one_does_not_count_but_one_on_or_after_does():
    before = rec(A, "admin_penalty", "minor", "2025-01-01", record_id="before")
    serious = rec(A, "environmental_violation", "serious", "2025-01-10", record_id="serious")
    same_day = rec(A, "admin_penalty", "minor", "2025-01-10", record_id="same")
    after = rec(A, "admin_penalty", "minor", "2025-02-01", record_id="after")
    out = run([ent(A)], [before, serious, same_day, after], as_of="2025-03-01")
    assert result(out, A)["score"] == 1000 - 80 - 5 - 5
    assert sorted(r for r, _, _ in points(out, A)) == ["after", "same", "serious"]


def test_minor_record_stops_counting_when_the_serious_record_ends():
    serious = rec(A, "environmental_violation", "serious", "2022-01-01", ends_on="2025-03-01")
    minor = rec(A, "admin_penalty", "minor", "2025-02-01")
    # ends_on 2025-03-01 is later than the default end (2025-01-01), so it replaces it.
    assert result(run([ent(A)], [serious, minor], as_of="2025-02-28"), A)["score"] == 915
    assert result(run([ent(A)], [serious, minor], as_of="2025-03-01"), A)["score"] == 1000


def test_gating_looks_only_at_the_entity_own_serious_records():
    serious_at_head = rec(HEAD, "admin_penalty", "serious", "2025-01-01")
    minor_at_branch = rec(B1, "admin_penalty", "minor", "2025-02-01")
    out = run([ent(HEAD), ent(B1, HEAD)], [serious_at_head, minor_at_branch], as_of="2025-03-01")
    assert result(out, B1)["own_points_h"] == 0
    assert result(out, B1)["received_points_h"] == -2000  # 25 % of -80


def test_branch_propagation_across_three_entities():
    h = rec(HEAD, "admin_penalty", "general", "2025-03-01", record_id="H")  # -30
    b1 = rec(B1, "admin_penalty", "serious", "2025-02-01", record_id="B1")  # -80
    b2 = rec(B2, "spot_check_failed", "general", "2025-04-01", record_id="B2")  # -15
    out = run([ent(HEAD), ent(B1, HEAD), ent(B2, HEAD)], [h, b1, b2], as_of="2025-06-30")
    assert points(out, HEAD) == [
        ("H", "own", -3000),
        ("B1", "from_branch", -4000),
        ("B2", "from_branch", -750),
    ]
    assert points(out, B1) == [
        ("B1", "own", -8000),
        ("H", "from_head", -750),
        ("B2", "from_sibling", -150),
    ]
    assert points(out, B2) == [
        ("B2", "own", -1500),
        ("H", "from_head", -750),
        ("B1", "from_sibling", -800),
    ]
    # 1000 - 30 - 47.5 = 922.5 → 923 (half-up); 1000 - 15 - 15.5 = 969.5 → 970
    assert [result(out, u)["score"] for u in (HEAD, B1, B2)] == [923, 911, 970]


def test_sub_branches_belong_to_the_same_organisation():
    sub = usci(23)
    r = rec(sub, "admin_penalty", "general", "2025-01-01", record_id="S")
    out = run([ent(HEAD), ent(B1, HEAD), ent(sub, B1)], [r], as_of="2025-02-01")
    assert points(out, HEAD) == [("S", "from_branch", -1500)]
    assert points(out, B1) == [("S", "from_sibling", -300)]


def test_positive_points_and_list_entries_do_not_travel():
    c = rec(B1, "commendation", "positive", "2025-01-01", red=True)
    k = rec(B1, "court_defaulter", "serious", "2025-01-01")
    out = run([ent(HEAD), ent(B1, HEAD)], [c, k], as_of="2025-02-01")
    assert result(out, HEAD)["received_points_h"] == -6000
    assert (result(out, HEAD)["black"], result(out, HEAD)["red"]) == (False, False)
    assert result(out, B1)["black"] is True


def test_missing_parent_makes_the_entity_its_own_head_office():
    orphan = usci(30)
    r = rec(orphan, "admin_penalty", "general", "2025-01-01")
    out = run([ent(orphan, usci(31))], [r], as_of="2025-02-01")
    assert result(out, orphan)["score"] == 970
    assert any("missing from the registry" in w for w in out.warnings)


def test_parent_cycle_is_an_error():
    a, b = usci(40), usci(41)
    with pytest.raises(ParentCycleError) as info:
        run([ent(a, b), ent(b, a)], as_of="2025-01-01")
    assert info.value.code == "input.parent_cycle"
    assert set(info.value.uscis) == {a, b}


def test_individual_businesses_are_never_scored_and_belong_to_no_organisation():
    person = usci(50, kind="92")
    r = rec(person, "admin_penalty", "serious", "2025-01-01", black=True)
    out = run([ent(HEAD), ent(person, HEAD)], [r], as_of="2025-02-01")
    row = result(out, person)
    assert row["natural_person"] is True
    assert (row["score"], row["grade"], row["own_points_h"], row["next_change"]) == (
        None,
        None,
        None,
        None,
    )
    assert (row["black"], row["red"], row["abnormal"]) == (False, False, False)
    assert out.contributions.height == 0
    assert result(out, HEAD)["score"] == 1000


def test_records_for_unknown_entities_are_skipped_with_a_warning():
    out = run(
        [ent(A)], [rec(usci(60), "admin_penalty", "general", "2025-01-01")], as_of="2025-02-01"
    )
    assert out.contributions.height == 0
    assert any("missing from the registry" in w for w in out.warnings)


def test_a_record_counting_zero_points_still_has_an_own_row():
    r = rec(A, "tax_grade", None, "2025-01-01", grade="B", record_id="B")
    out = run([ent(A)], [r], as_of="2025-02-01")
    assert points(out, A) == [("B", "own", 0)]

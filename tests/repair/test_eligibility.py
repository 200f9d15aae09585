"""Repair eligibility from the catalogue: kind, in force, earliest repair date."""

from __future__ import annotations

from datetime import date

import pytest

from corpcredit.catalogue import default_catalogue
from corpcredit.repair import (
    NotInForce,
    NotRepairable,
    NotYetEligible,
    RecordFacts,
    earliest_repair_date,
    eligibility,
)

CAT = default_catalogue()
d = date.fromisoformat


def general(decided: str = "2025-01-31", end: str | None = "2026-01-31") -> RecordFacts:
    return RecordFacts("admin_penalty", "general", d(decided), d(end) if end else None)


def test_a_general_record_waits_three_calendar_months_clipped_to_the_month_end() -> None:
    assert earliest_repair_date(general(), CAT) == d("2025-04-30")


def test_before_the_earliest_date_the_answer_says_when() -> None:
    answer = eligibility(general(), CAT, d("2025-04-29"))
    assert not answer.eligible and answer.reason_code == "repair.not_yet_eligible"
    assert answer.earliest_date == d("2025-04-30") and "2025-04-30" in answer.message
    with pytest.raises(NotYetEligible) as caught:
        answer.raise_unless_eligible()
    assert caught.value.details["earliest_date"] == "2025-04-30"


def test_from_the_earliest_date_on_the_record_is_eligible() -> None:
    answer = eligibility(general(), CAT, d("2025-04-30"))
    assert answer.eligible and answer.reason_code == "repair.eligible"
    answer.raise_unless_eligible()


def test_a_serious_record_waits_a_year_and_a_leap_day_clips() -> None:
    facts = RecordFacts("serious_violation_list", "serious", d("2024-02-29"), d("2027-02-28"))
    assert earliest_repair_date(facts, CAT) == d("2025-02-28")
    assert not eligibility(facts, CAT, d("2025-02-27")).eligible
    assert eligibility(facts, CAT, d("2025-02-28")).eligible


def test_a_minor_record_is_repairable_at_once() -> None:
    facts = RecordFacts("admin_penalty", "minor", d("2025-03-03"), d("2025-06-03"))
    assert eligibility(facts, CAT, d("2025-03-03")).eligible


def test_a_tax_grade_d_is_judged_by_its_effective_serious_tier() -> None:
    facts = RecordFacts("tax_grade", "serious", d("2025-04-01"), d("2026-04-01"))
    assert earliest_repair_date(facts, CAT) == d("2026-04-01")
    answer = eligibility(facts, CAT, d("2025-12-01"))
    assert answer.reason_code == "repair.not_repairable"  # it ends before it could be repaired


def test_positive_records_and_non_repairable_kinds_are_not_repairable() -> None:
    praise = RecordFacts("commendation", "positive", d("2025-01-01"), d("2028-01-01"))
    answer = eligibility(praise, CAT, d("2025-06-01"))
    assert answer.reason_code == "repair.not_repairable" and answer.earliest_date is None
    with pytest.raises(NotRepairable):
        answer.raise_unless_eligible()
    kinds = dict(CAT.kinds)
    kinds["spot_check_failed"] = kinds["spot_check_failed"].model_copy(update={"repairable": False})
    strict = CAT.model_copy(update={"kinds": kinds})
    spot = RecordFacts("spot_check_failed", "general", d("2025-01-01"), d("2026-01-01"))
    assert eligibility(spot, strict, d("2025-06-01")).reason_code == "repair.not_repairable"
    assert eligibility(spot, CAT, d("2025-06-01")).eligible


@pytest.mark.parametrize(
    ("facts", "on"),
    [
        (general(end="2025-05-10"), "2025-05-10"),  # expired, lifted or repaired: end passed
        (general(), "2025-01-30"),  # not yet decided
        (
            RecordFacts("admin_penalty", "general", d("2025-01-31"), None, withdrawn=True),
            "2025-06-01",
        ),
    ],
)
def test_a_record_not_in_force_cannot_be_repaired(facts: RecordFacts, on: str) -> None:
    answer = eligibility(facts, CAT, d(on))
    assert answer.reason_code == "repair.not_in_force"
    with pytest.raises(NotInForce):
        answer.raise_unless_eligible()


def test_abnormal_operations_have_no_automatic_end_and_are_repairable_after_the_wait() -> None:
    facts = RecordFacts("abnormal_operations", "general", d("2024-06-30"), None)
    assert eligibility(facts, CAT, d("2024-09-30")).eligible
    assert eligibility(facts, CAT, d("2024-09-29")).reason_code == "repair.not_yet_eligible"

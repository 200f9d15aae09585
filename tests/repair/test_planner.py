"""The repair planner: each negative record's repair date and outcome, by the kernel."""

from __future__ import annotations

from datetime import date

import polars as pl

from corpcredit.catalogue import default_catalogue
from corpcredit.repair import Outcome, RecordRef, plan_repairs
from tests.factory import ent, ev, frames, rec, result, run, usci

CAT = default_catalogue()
HEAD, BRANCH = usci(11), usci(12)
AS_OF = "2025-06-30"

BLACK = rec(HEAD, "serious_violation_list", "serious", "2024-03-01", record_id="black")
FINE = rec(HEAD, "admin_penalty", "general", "2025-05-01", record_id="fine")
OLD = rec(HEAD, "spot_check_failed", "general", "2024-01-10", record_id="old")  # expired
PRAISE = rec(HEAD, "commendation", "positive", "2025-01-01", record_id="praise")
LIFTED = rec(HEAD, "abnormal_operations", "general", "2024-06-01", record_id="lifted")
BRANCH_FINE = rec(BRANCH, "admin_penalty", "general", "2025-02-01", record_id="bfine")
ENTITIES = [ent(HEAD), ent(BRANCH, HEAD)]
RECORDS = [BLACK, FINE, OLD, PRAISE, LIFTED, BRANCH_FINE]
EVENTS = [ev(LIFTED, "lifted", "2024-12-01")]


def plan(as_of: str = AS_OF, who: str = HEAD):
    e, r, v = frames(ENTITIES, RECORDS, EVENTS)
    return plan_repairs(e, r, v, who, CAT, date.fromisoformat(as_of))


def direct(extra: list[dict[str, object]], as_of: str) -> Outcome:
    out = run(ENTITIES, RECORDS, EVENTS + extra, as_of=as_of)
    r = result(out, HEAD)
    return Outcome(r["as_of"], r["score"], r["grade"], r["black"], r["red"], r["abnormal"])


def test_the_plan_lists_the_own_negative_records_in_force() -> None:
    p = plan()
    assert [i.record for i in p.items] == [RecordRef("t", "black"), RecordRef("t", "fine")]
    assert p.current == direct([], AS_OF)
    assert p.current.black and p.current.grade == "D"


def test_an_eligible_record_is_repaired_today_exactly_as_the_kernel_says() -> None:
    item = plan().items[0]
    assert item.eligibility.eligible and item.eligibility.earliest_date == date(2025, 3, 1)
    assert item.repair_on == date(2025, 6, 30)
    assert item.if_repaired == direct([ev(BLACK, "repaired", AS_OF)], AS_OF)
    assert item.without_repair == direct([], AS_OF)
    assert item.if_repaired is not None and not item.if_repaired.black
    assert item.if_repaired.grade != "D"


def test_a_record_not_yet_eligible_is_simulated_on_its_earliest_date() -> None:
    item = plan().items[1]
    assert item.eligibility.reason_code == "repair.not_yet_eligible"
    assert item.repair_on == date(2025, 8, 1) == item.eligibility.earliest_date
    assert item.if_repaired == direct([ev(FINE, "repaired", "2025-08-01")], "2025-08-01")
    assert item.without_repair == direct([], "2025-08-01")
    assert item.if_repaired is not None and item.without_repair is not None
    assert item.if_repaired.score is not None and item.without_repair.score is not None
    assert item.if_repaired.score - item.without_repair.score == 30


def test_a_non_repairable_record_is_listed_without_a_simulation() -> None:
    kinds = dict(CAT.kinds)
    kinds["admin_penalty"] = kinds["admin_penalty"].model_copy(update={"repairable": False})
    strict = CAT.model_copy(update={"kinds": kinds})
    e, r, v = frames(ENTITIES, RECORDS, EVENTS)
    item = plan_repairs(e, r, v, HEAD, strict, date(2025, 6, 30)).items[1]
    assert item.eligibility.reason_code == "repair.not_repairable"
    assert item.repair_on is None and item.if_repaired is None


def test_a_natural_person_gets_no_plan() -> None:
    person = usci(13, kind="92")
    e, r, v = frames([ent(person)], [rec(person, "admin_penalty", "general", "2025-01-01")])
    p = plan_repairs(e, r, v, person, CAT, date(2025, 6, 30))
    assert p.current.score is None and p.items == ()


def test_the_planner_does_not_change_its_inputs() -> None:
    e, r, v = frames(ENTITIES, RECORDS, EVENTS)
    before = v.clone()
    plan_repairs(e, r, v, HEAD, CAT, date(2025, 6, 30))
    assert v.equals(before) and v.height == 1
    assert isinstance(r, pl.DataFrame)

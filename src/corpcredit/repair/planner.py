"""The repair planner: what repairing each negative record would change, computed.

For each negative record of an organisation in force on ``as_of``, the planner
gives its eligibility (NDRC Order 36, SAMR Order 107: earliest repair date from
the catalogue) and, when it can be repaired, the score, grade and lists the
entity would have on the day a repair could take effect (today if already
eligible, else the earliest repair date), with the record repaired and without.
Both come from the scoring kernel itself, run with one added ``repaired`` event
on that day: nothing is estimated. The "without" outcome on the same day shows
the repair's own effect, apart from other records that end meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from corpcredit.catalogue import NEGATIVE_TIERS, Catalogue
from corpcredit.repair.case import RecordRef
from corpcredit.repair.eligibility import Eligibility, RecordFacts, eligibility
from corpcredit.scoring import prepare_records, score
from corpcredit.scoring.frames import EVENT_SCHEMA, conform

__all__ = ["Outcome", "PlanItem", "RepairPlan", "plan_repairs", "repaired_event"]

Frame = pl.DataFrame | pl.LazyFrame


@dataclass(frozen=True)
class Outcome:
    """An entity's score, grade and list flags on ``as_of`` (score None: natural person)."""

    as_of: date
    score: int | None
    grade: str | None
    black: bool
    red: bool
    abnormal: bool


@dataclass(frozen=True)
class PlanItem:
    """One negative in-force record: eligibility now, and the outcome of repairing it.

    ``repair_on`` is the day simulated (None when the record cannot be repaired);
    ``without_repair`` and ``if_repaired`` are the outcomes on that day.
    """

    record: RecordRef
    kind: str
    tier: str
    decided_on: date
    ends_on: date | None
    eligibility: Eligibility
    repair_on: date | None
    without_repair: Outcome | None
    if_repaired: Outcome | None


@dataclass(frozen=True)
class RepairPlan:
    usci: str
    as_of: date
    current: Outcome
    items: tuple[PlanItem, ...]


def repaired_event(record: RecordRef, on: date) -> pl.DataFrame:
    """The event an approved repair adds: ``repaired`` effective on the decision date."""
    row = {
        "source": record.source,
        "record_id": record.record_id,
        "event": "repaired",
        "effective_on": on,
        "recorded_at": None,
    }
    return pl.DataFrame([row], schema=EVENT_SCHEMA)


def _outcome(results: pl.DataFrame, usci: str) -> Outcome:
    rows = results.filter(pl.col("usci") == usci).to_dicts()
    if len(rows) != 1:
        raise KeyError(f"{usci} is not among the entities given to the planner")
    r = rows[0]
    return Outcome(r["as_of"], r["score"], r["grade"], r["black"], r["red"], r["abnormal"])


def plan_repairs(
    entities: Frame,
    records: Frame,
    events: Frame | None,
    usci: str,
    cat: Catalogue,
    as_of: date,
) -> RepairPlan:
    """The plan for ``usci``; the frames must hold its whole organisation (as
    :func:`corpcredit.store.frames.load_frames` loads it)."""
    ent, rec = entities.lazy().collect(), records.lazy().collect()
    ev = conform(events if events is not None else pl.DataFrame(schema=EVENT_SCHEMA), EVENT_SCHEMA)
    base_events = ev.collect()
    memo: dict[date, Outcome] = {}

    def baseline(day: date) -> Outcome:
        if day not in memo:
            memo[day] = _outcome(score(ent, rec, base_events, cat, day).results, usci)
        return memo[day]

    current = baseline(as_of)
    if current.score is None:  # a natural person: never scored, nothing to plan
        return RepairPlan(usci, as_of, current, ())
    prepared = (
        prepare_records(rec, base_events, cat, None)
        .filter(
            (pl.col("usci") == usci)
            & pl.col("tier_eff").is_in(sorted(NEGATIVE_TIERS))
            & (pl.col("decided_on") <= as_of)
            & (pl.col("end").is_null() | (pl.col("end") > as_of))
        )
        .sort("decided_on", "source", "record_id")
        .collect()
    )
    items = [
        _item(row, ent, rec, base_events, cat, as_of, usci, baseline) for row in prepared.to_dicts()
    ]
    return RepairPlan(usci, as_of, current, tuple(items))


def _item(
    row: dict[str, Any],
    ent: pl.DataFrame,
    rec: pl.DataFrame,
    events: pl.DataFrame,
    cat: Catalogue,
    as_of: date,
    usci: str,
    baseline: Any,
) -> PlanItem:
    ref = RecordRef(row["source"], row["record_id"])
    facts = RecordFacts(row["kind"], row["tier_eff"], row["decided_on"], row["end"])
    answer = eligibility(facts, cat, as_of)
    repair_on = without = repaired = None
    if answer.earliest_date is not None:
        repair_on = max(as_of, answer.earliest_date)
        with_repair = pl.concat([events, repaired_event(ref, repair_on)])
        repaired = _outcome(score(ent, rec, with_repair, cat, repair_on).results, usci)
        without = baseline(repair_on)
    return PlanItem(
        record=ref,
        kind=row["kind"],
        tier=row["tier_eff"],
        decided_on=row["decided_on"],
        ends_on=row["end"],
        eligibility=answer,
        repair_on=repair_on,
        without_repair=without,
        if_repaired=repaired,
    )

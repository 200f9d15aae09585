"""Whether a record may be repaired now, and from when (DOMAIN.md §3, §6).

Under NDRC Order 36 and SAMR Order 107 an organisation may apply to repair a
record when the record's kind is repairable, the record is in force, and its
earliest repair date has come: the decision date plus the tier's (or the kind's)
repair wait in calendar months, clipped to the month's end (minor: at once once
the obligation is met; general: 3 months; serious: 1 year, by default). Every
number comes from the rule catalogue.

Some decisions within a repairable kind cannot be repaired early (revocation,
closure, a practice ban under ``admin_penalty``); the data does not say which,
so the reviewer checks the decision at intake (the catalogue's note says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from corpcredit.calendar import add_months
from corpcredit.catalogue import NEGATIVE_TIERS, Catalogue
from corpcredit.repair.errors import CaseError, NotInForce, NotRepairable, NotYetEligible

__all__ = [
    "ELIGIBLE",
    "Eligibility",
    "RecordFacts",
    "earliest_repair_date",
    "eligibility",
]

ELIGIBLE = "repair.eligible"
_ERRORS: dict[str, type[CaseError]] = {
    NotRepairable.code: NotRepairable,
    NotInForce.code: NotInForce,
    NotYetEligible.code: NotYetEligible,
}


@dataclass(frozen=True)
class RecordFacts:
    """What eligibility needs to know of a record.

    ``tier`` is the effective tier (for a graded kind, its grade's tier, as the
    kernel's ``tier_eff``); ``end`` the exclusive final end after ``ends_on``,
    lifts and repairs (None: no automatic end), as
    :func:`corpcredit.scoring.prepare_records` computes it.
    """

    kind: str
    tier: str | None
    decided_on: date
    end: date | None
    withdrawn: bool = False


@dataclass(frozen=True)
class Eligibility:
    """The answer for one record on ``as_of``.

    ``reason_code`` is ``repair.eligible`` or the code of the error an application
    would meet; ``earliest_date`` the first day a repair may be applied for (None
    when it never may).
    """

    eligible: bool
    reason_code: str
    earliest_date: date | None
    as_of: date
    message: str

    def raise_unless_eligible(self) -> None:
        """Raise the matching :class:`~corpcredit.repair.errors.CaseError` unless eligible."""
        if not self.eligible:
            details = {
                "earliest_date": self.earliest_date.isoformat() if self.earliest_date else None
            }
            raise _ERRORS[self.reason_code](self.message, details=details)


def earliest_repair_date(facts: RecordFacts, cat: Catalogue) -> date | None:
    """Decision date + repair wait; None for a non-repairable kind or a non-negative record."""
    kind = cat.kinds.get(facts.kind)
    if kind is None or not kind.repairable or facts.tier not in NEGATIVE_TIERS:
        return None
    return add_months(facts.decided_on, cat.repair_after_months(facts.kind, facts.tier))


def eligibility(facts: RecordFacts, cat: Catalogue, as_of: date) -> Eligibility:
    """Whether ``facts``' record may be repaired on ``as_of``, and from when."""

    def answer(code: str, earliest: date | None, message: str) -> Eligibility:
        return Eligibility(code == ELIGIBLE, code, earliest, as_of, message)

    kind = cat.kinds.get(facts.kind)
    if kind is None or not kind.repairable:
        return answer(
            NotRepairable.code, None, f"records of kind {facts.kind!r} cannot be repaired"
        )
    if facts.tier not in NEGATIVE_TIERS:
        return answer(NotRepairable.code, None, "only a negative record can be repaired")
    earliest = earliest_repair_date(facts, cat)
    assert earliest is not None
    if facts.withdrawn:
        return answer(NotInForce.code, None, "the record was withdrawn: it never counted")
    if facts.end is not None and earliest >= facts.end:
        return answer(
            NotRepairable.code,
            None,
            f"the record stops counting on {facts.end.isoformat()}, "
            f"before it could be repaired on {earliest.isoformat()}",
        )
    if as_of < facts.decided_on or (facts.end is not None and as_of >= facts.end):
        return answer(
            NotInForce.code,
            earliest,
            "the record is not in force (not yet decided, expired, lifted or already repaired)",
        )
    if as_of < earliest:
        return answer(
            NotYetEligible.code,
            earliest,
            f"the record may be repaired from {earliest.isoformat()}",
        )
    return answer(ELIGIBLE, earliest, f"the record may be repaired since {earliest.isoformat()}")

"""One-line builders for due-process tests: actors, eligible answers, open cases."""

from __future__ import annotations

from datetime import date

from corpcredit.repair import (
    ELIGIBLE,
    Actor,
    Eligibility,
    RecordRef,
    RepairCase,
    submit,
)
from tests.factory import usci

ORG = usci(1)
OTHER = usci(2)
REP = Actor("rep-1", "representative", ORG)
STRANGER = Actor("rep-2", "representative", OTHER)
REVIEWER = Actor("staff-1", "reviewer")
RECORD = RecordRef("samr", "R-1")
SHA = "a" * 64


def eligible_on(on: date) -> Eligibility:
    return Eligibility(True, ELIGIBLE, date(2024, 1, 1), on, "eligible")


def submitted(on: date = date(2025, 1, 24)) -> RepairCase:
    case, _ = submit("c1", ORG, RECORD, REP, on, SHA, eligible_on(on))
    return case

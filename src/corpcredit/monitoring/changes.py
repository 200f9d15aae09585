"""What changed for a watched organisation: its last seen state against the present.

A :class:`WatchState` is what monitoring remembers of an organisation: score and
grade, the lists it is on, its public records (general and serious tiers), the
repair decisions about it and its withdrawn records. :func:`diff` turns two
states into change events (the issue's list): the grade moved to another band,
a list was entered or left, a record was published, a repair was decided, a
record was withdrawn. Pure: no SQL here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "Change", "WatchState", "describe", "diff"]

#: Every kind of change event.
KINDS = (
    "grade_changed",
    "list_entered",
    "list_left",
    "record_published",
    "repair_decided",
    "record_withdrawn",
)


@dataclass(frozen=True)
class WatchState:
    """The remembered state of one organisation (sets hold record or case keys)."""

    score: int | None = None
    grade: str | None = None
    lists: frozenset[str] = field(default_factory=frozenset)
    public: frozenset[str] = field(default_factory=frozenset)
    repairs: frozenset[str] = field(default_factory=frozenset)
    withdrawn: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "grade": self.grade,
            "lists": sorted(self.lists),
            "public": sorted(self.public),
            "repairs": sorted(self.repairs),
            "withdrawn": sorted(self.withdrawn),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WatchState:
        return cls(
            score=data.get("score"),
            grade=data.get("grade"),
            **{k: frozenset(data.get(k, ())) for k in ("lists", "public", "repairs", "withdrawn")},
        )


@dataclass(frozen=True)
class Change:
    """One change event before it is stored: its kind and what it is about."""

    kind: str
    detail: dict[str, Any]


def diff(before: WatchState | None, after: WatchState) -> list[Change]:
    """The changes from ``before`` to ``after``; none on first sight (the baseline)."""
    if before is None:
        return []
    out: list[Change] = []
    if before.grade and after.grade and before.grade != after.grade:
        out.append(
            Change(
                "grade_changed",
                {
                    "from": before.grade,
                    "to": after.grade,
                    "score_from": before.score,
                    "score_to": after.score,
                },
            )
        )
    out += [Change("list_entered", {"list": x}) for x in sorted(after.lists - before.lists)]
    out += [Change("list_left", {"list": x}) for x in sorted(before.lists - after.lists)]
    out += [Change("record_published", {"record": r}) for r in sorted(after.public - before.public)]
    out += [
        Change("repair_decided", {"decision": r}) for r in sorted(after.repairs - before.repairs)
    ]
    out += [
        Change("record_withdrawn", {"record": r})
        for r in sorted(after.withdrawn - before.withdrawn)
    ]
    return out


def describe(kind: str, detail: dict[str, Any]) -> str:
    """One line for a person: ``grade B → C (score 923 → 840)``."""
    if kind == "grade_changed":
        return (
            f"grade {detail['from']} → {detail['to']} "
            f"(score {detail.get('score_from')} → {detail.get('score_to')})"
        )
    if kind == "list_entered":
        return f"entered the {detail['list']} list"
    if kind == "list_left":
        return f"left the {detail['list']} list"
    if kind == "record_published":
        return f"new public record {detail['record']}"
    if kind == "repair_decided":
        return f"repair decided: {detail['decision']}"
    return f"record withdrawn: {detail['record']}"

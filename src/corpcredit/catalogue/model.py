"""The rule catalogue: typed model of every number the scoring kernel uses.

Kinds, tiers, points, publication and repair periods, repairability, list effects,
branch weights, grade bands and the red-list rule all live here (DOMAIN.md §3–5);
the kernel holds no per-kind constants. A catalogue is versioned, and every score
carries the version that produced it.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "NEGATIVE_TIERS",
    "TIER_NAMES",
    "BlackGrade",
    "Branches",
    "Catalogue",
    "Grade",
    "GradeRule",
    "Kind",
    "Label",
    "Lists",
    "RedQualifying",
    "Score",
    "Tier",
    "TierRule",
]

TierName = Literal["minor", "general", "serious", "positive", "none"]
TIER_NAMES: tuple[str, ...] = ("minor", "general", "serious", "positive", "none")
NEGATIVE_TIERS: frozenset[str] = frozenset({"minor", "general", "serious"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Model):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Score(_Model):
    base: int
    floor: int
    ceiling: int

    @model_validator(mode="after")
    def _ordered(self) -> Score:
        if not self.floor <= self.base <= self.ceiling:
            raise ValueError("floor <= base <= ceiling must hold")
        return self


class Grade(_Model):
    grade: str = Field(min_length=1, max_length=8)
    min: int
    max: int
    label: Label

    @model_validator(mode="after")
    def _ordered(self) -> Grade:
        if self.min > self.max:
            raise ValueError(f"grade {self.grade}: min {self.min} is above max {self.max}")
        return self


class BlackGrade(_Model):
    grade: str = Field(min_length=1, max_length=8)
    label: Label


class Branches(_Model):
    to_head_percent: int = Field(ge=0, le=100)
    to_branch_percent: int = Field(ge=0, le=100)
    to_sibling_percent: int = Field(ge=0, le=100)


class RedQualifying(_Model):
    kind: str
    grade: str | None = None


class Lists(_Model):
    abnormal_escalation_months: int = Field(gt=0)
    red_score_threshold: int
    red_lookback_months: int = Field(gt=0)
    red_qualifying: tuple[RedQualifying, ...] = ()


class Tier(_Model):
    label: Label
    published: bool
    repair_after_months: int = Field(ge=0)
    max_months: int = Field(gt=0)


class TierRule(_Model):
    points: Decimal
    label: Label

    @model_validator(mode="after")
    def _hundredths(self) -> TierRule:
        if self.points != self.points.quantize(Decimal("0.01")):
            raise ValueError(f"points {self.points} have more than two decimal places")
        return self


class GradeRule(TierRule):
    tier: TierName


class Kind(_Model):
    label: Label
    repairable: bool = True
    note: str = ""
    period_months: int | None = Field(default=None, gt=0)
    repair_after_months: int | None = Field(default=None, ge=0)
    no_automatic_end: bool = False
    black: bool = False
    abnormal_list: bool = False
    red_if_flagged: bool = False
    tiers: dict[TierName, TierRule] = Field(default_factory=dict)
    grades: dict[str, GradeRule] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shape(self) -> Kind:
        if bool(self.tiers) == bool(self.grades):
            raise ValueError("a kind needs either 'tiers' or 'grades', not both or neither")
        if self.black and "serious" not in self.tier_names():
            raise ValueError("a kind flagged black needs a serious tier")
        for name, rule in self.rules().items():
            tier = self.grades[name].tier if self.grades else name
            key = f"grades.{name}" if self.grades else f"tiers.{name}"
            if tier in NEGATIVE_TIERS and rule.points > 0:
                raise ValueError(f"{key}.points: a {tier} record cannot have positive points")
            if tier == "positive" and rule.points < 0:
                raise ValueError(f"{key}.points: a positive record cannot have negative points")
        return self

    @property
    def graded(self) -> bool:
        return bool(self.grades)

    def rules(self) -> dict[str, TierRule]:
        if self.grades:
            return dict(self.grades)
        return {str(k): v for k, v in self.tiers.items()}

    def tier_names(self) -> set[str]:
        if self.grades:
            return {g.tier for g in self.grades.values()}
        return set(self.tiers)


class Catalogue(_Model):
    """A complete, validated rule catalogue."""

    version: str = Field(min_length=1)
    score: Score
    grades: tuple[Grade, ...]
    black_grade: BlackGrade
    branches: Branches
    lists: Lists
    tiers: dict[TierName, Tier]
    kinds: dict[str, Kind]

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        self._check_grade_bands()
        for kind_name, kind in self.kinds.items():
            for tier in kind.tier_names():
                if tier not in self.tiers:
                    raise ValueError(f"kinds.{kind_name}: tier {tier!r} is not defined in [tiers]")
        for i, q in enumerate(self.lists.red_qualifying):
            qkind = self.kinds.get(q.kind)
            if qkind is None:
                raise ValueError(f"lists.red_qualifying.{i}: unknown kind {q.kind!r}")
            if q.grade is not None and q.grade not in qkind.grades:
                raise ValueError(
                    f"lists.red_qualifying.{i}: kind {q.kind!r} has no grade {q.grade!r}"
                )
        return self

    def _check_grade_bands(self) -> None:
        bands = sorted(self.grades, key=lambda g: g.min)
        if not bands:
            raise ValueError("grades: at least one grade band is needed")
        names = [g.grade for g in bands]
        if len(set(names)) != len(names) or self.black_grade.grade in names:
            raise ValueError("grades: grade names must be unique (and differ from black_grade)")
        if bands[0].min != self.score.floor or bands[-1].max != self.score.ceiling:
            raise ValueError(
                f"grades: bands must cover {self.score.floor}..{self.score.ceiling} exactly, "
                f"they cover {bands[0].min}..{bands[-1].max}"
            )
        for lower, upper in pairwise(bands):
            if upper.min <= lower.max:
                raise ValueError(f"grades: bands {lower.grade} and {upper.grade} overlap")
            if upper.min != lower.max + 1:
                raise ValueError(
                    f"grades: gap between {lower.grade} (max {lower.max}) "
                    f"and {upper.grade} (min {upper.min})"
                )

    def grade_for(self, score: int) -> str:
        for band in self.grades:
            if band.min <= score <= band.max:
                return band.grade
        raise ValueError(f"score {score} outside {self.score.floor}..{self.score.ceiling}")

    def period_months(self, kind: str, tier: str) -> int | None:
        """Default publication period in months; None when the kind has no automatic end."""
        k = self.kinds[kind]
        if k.no_automatic_end:
            return None
        return k.period_months if k.period_months is not None else self.tiers[tier].max_months  # type: ignore[index]

    def repair_after_months(self, kind: str, tier: str) -> int:
        k = self.kinds[kind]
        if k.repair_after_months is not None:
            return k.repair_after_months
        return self.tiers[tier].repair_after_months  # type: ignore[index]

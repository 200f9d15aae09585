"""Explanations: every contributing line of a score, the top four negative reasons first.

A credit decision must say why (DOMAIN.md §4 rule 7). Each line names the record
(kind, tier, authority, decision number), its points, the date it stops counting,
and for travelling amounts the member of the organisation it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from corpcredit.scoring.kernel import ScoreOutput

__all__ = ["TOP_REASONS", "Explanation", "Line", "explain", "top_reasons"]

TOP_REASONS = 4


@dataclass(frozen=True)
class Line:
    record_source: str
    record_id: str
    from_usci: str
    role: str
    points_h: int
    ends_on: date | None
    kind: str
    tier: str
    authority: str | None
    decision_no: str | None
    decided_on: date

    @property
    def points(self) -> str:
        sign = "-" if self.points_h < 0 else "+" if self.points_h > 0 else ""
        a = abs(self.points_h)
        return f"{sign}{a // 100}.{a % 100:02d}"


@dataclass(frozen=True)
class Explanation:
    usci: str
    result: dict[str, Any]
    top: list[Line]
    lines: list[Line]


def _reason_order(frame: pl.DataFrame) -> pl.DataFrame:
    # Most negative first; ties: the later decision first, then the record key.
    return frame.sort(
        ["points_h", "decided_on", "record_source", "record_id", "from_usci"],
        descending=[False, True, False, False, False],
    )


def explain(out: ScoreOutput, usci: str, n: int = TOP_REASONS) -> Explanation:
    """The explanation of one entity's result in ``out``."""
    rows = out.results.filter(pl.col("usci") == usci).to_dicts()
    if not rows:
        raise KeyError(usci)
    contrib = out.contributions.filter(pl.col("usci") == usci)
    fields = list(Line.__dataclass_fields__)
    top_frame = _reason_order(contrib.filter(pl.col("points_h") < 0)).head(n)
    top = [Line(**r) for r in top_frame.select(fields).to_dicts()]
    top_keys = {(x.record_source, x.record_id, x.from_usci, x.role) for x in top}
    rest = [
        Line(**r)
        for r in contrib.select(fields).to_dicts()
        if (r["record_source"], r["record_id"], r["from_usci"], r["role"]) not in top_keys
    ]
    return Explanation(usci=usci, result=rows[0], top=top, lines=top + rest)


def top_reasons(contributions: pl.DataFrame, n: int = TOP_REASONS) -> pl.DataFrame:
    """For bulk use: the ``n`` most negative contribution lines of every entity, ranked."""
    ranked = _reason_order(contributions.filter(pl.col("points_h") < 0))
    return ranked.with_columns(pl.int_range(pl.len()).over("usci").alias("rank") + 1).filter(
        pl.col("rank") <= n
    )

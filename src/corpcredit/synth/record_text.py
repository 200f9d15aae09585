"""The text columns of synthetic records: authority, decision number, summary.

Each text is a combination of a few small vocabularies (template, place,
level, year, sequence number), so every possible authority name, decision-number
head and tail and summary is built once in a small table and each record only
gathers from it by index. Gathering shares the table's string buffers, which
keeps five million records cheap in time and memory; per-record string
formatting would cost tens of seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from corpcredit.synth import templates as tp
from corpcredit.synth.divisions import Divisions

__all__ = ["RecordText", "build_text"]

_LEVELS = 3  # CITY, DISTRICT, PROVINCE: rows of a place table are level * n_div + division


@dataclass(frozen=True)
class RecordText:
    authority: pl.Series
    heads: pl.Series
    tails: pl.Series
    summary: pl.Series
    grades: tuple[str, ...]
    n_div: int
    first_year: int
    n_years: int
    n_seq: int
    auth_id: np.ndarray  # per template
    mid_id: np.ndarray  # per template; -1 no number, -2 court case number

    def authority_index(self, template: np.ndarray, place: np.ndarray) -> np.ndarray:
        """``place`` is ``level * n_div + division``."""
        return np.asarray(self.auth_id[template] * (_LEVELS * self.n_div) + place)

    def number_index(
        self, template: np.ndarray, place: np.ndarray, year: np.ndarray, seq: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(head index, tail index, has a number) per record; ``seq`` in ``[0, n_seq)``."""
        mid = self.mid_id[template]
        court = mid == -2
        block = _LEVELS * self.n_div
        n_mid = int(self.mid_id.max()) + 1
        y = year - self.first_year
        head = np.where(court, (n_mid + y) * block + place, mid * block + place)
        tail = np.where(court, self.n_years * self.n_seq + seq, y * self.n_seq + seq)
        return head, tail, mid != -1

    def summary_index(
        self, template: np.ndarray, year: np.ndarray, grade: np.ndarray
    ) -> np.ndarray:
        """Template summary, or the tax grade sentence when ``grade`` is not negative."""
        rated = len(self.summary) - self.n_years * len(self.grades)
        graded = rated + (year - self.first_year) * len(self.grades) + grade
        return np.where(grade >= 0, graded, template)


def _places(div: Divisions, columns: tuple[pl.Expr, pl.Expr, pl.Expr]) -> pl.Series:
    """One string per (level, division): city-level, district-level, province-level."""
    return pl.concat([div.table.select(e.alias("x")).to_series() for e in columns])


def build_text(
    div: Divisions,
    templates: tuple[tp.Template, ...],
    first_year: int,
    n_years: int,
    n_seq: int,
    grades: tuple[str, ...],
) -> RecordText:
    """Tables for ``templates`` over every place, year and sequence number."""
    c = pl.col
    region = _places(div, (c("city"), c("region_district"), c("province")))
    abbr = _places(
        div,
        (
            c("city_abbr"),
            pl.concat_str(c("city_abbr"), c("district_abbr")),
            c("province_abbr"),
        ),
    )
    court = _places(
        div,
        (
            pl.concat_str(c("province_abbr"), c("code").str.slice(2, 2)),
            pl.concat_str(c("province_abbr"), c("code").str.slice(2, 4)),
            c("province_abbr"),
        ),
    )

    patterns = list(dict.fromkeys(t.authority for t in templates))
    authority = pl.concat(
        [
            pl.select(pl.concat_str(pl.lit(pre), region, pl.lit(post))).to_series()
            for pre, post in (p.split("{region}") for p in patterns)
        ]
    )
    mids = list(dict.fromkeys(t.number for t in templates if t.number not in (None, tp.COURT)))
    years = range(first_year, first_year + n_years)
    heads = pl.concat(
        [pl.select(pl.concat_str(abbr, pl.lit(f"{m}〔"))).to_series() for m in mids]
        + [
            pl.select(pl.concat_str(pl.lit(f"（{y}）"), court, pl.lit("执"))).to_series()
            for y in years
        ]
    )
    tails = pl.Series(
        [f"{y}〕{s + 1}号" for y in years for s in range(n_seq)]
        + [f"{s + 1}号" for s in range(n_seq)]
    )
    summary = pl.Series(
        [t.summary for t in templates]
        + [f"{y - 1}年度纳税信用评价结果为{g}级" for y in years for g in grades]
    )
    mid_id = np.array(
        [
            -1 if t.number is None else -2 if t.number == tp.COURT else mids.index(t.number)
            for t in templates
        ]
    )
    return RecordText(
        authority=authority,
        heads=heads,
        tails=tails,
        summary=summary,
        grades=grades,
        n_div=len(div),
        first_year=first_year,
        n_years=n_years,
        n_seq=n_seq,
        auth_id=np.array([patterns.index(t.authority) for t in templates]),
        mid_id=mid_id,
    )

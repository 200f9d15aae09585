"""Synthetic records: findings of competent authorities about the synthetic entities.

Counts per entity are heavy-tailed (negative binomial: many entities have none
or a few, some have dozens), scaled by how much of the six-year history window
the entity has existed. Each record follows a :mod:`corpcredit.synth.templates`
template chosen by the entity's role; rated enterprises also get one
``tax_grade`` per rating year, published in April. Everything is drawn in numpy
and assembled column-wise in Polars, so five million records take seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from corpcredit.synth import entity_types as et
from corpcredit.synth import templates as tp
from corpcredit.synth._random import categorical, uniform_ints
from corpcredit.synth.divisions import Divisions
from corpcredit.synth.entities import ROLE_BRANCH, ROLE_PERSON, EntityPlan
from corpcredit.synth.record_text import build_text

__all__ = ["ALL_TEMPLATES", "RECORD_SCHEMA", "RecordPlan", "plan_records"]

RECORD_SCHEMA = pl.Schema(
    {
        "record_id": pl.String(),
        "source": pl.String(),
        "usci": pl.String(),
        "kind": pl.String(),
        "tier": pl.String(),
        "decided_on": pl.Date(),
        "authority": pl.String(),
        "decision_no": pl.String(),
        "legal_basis": pl.String(),
        "summary": pl.String(),
        "amount_cny": pl.Float64(),
        "grade": pl.String(),
        "black": pl.Boolean(),
        "red": pl.Boolean(),
        "ends_on": pl.Date(),
        "recorded_at": pl.Datetime("us", "UTC"),
    }
)

ALL_TEMPLATES = (*tp.TEMPLATES, tp.TAX_GRADE)
_TAX_GRADE = len(ALL_TEMPLATES) - 1
assert len(ALL_TEMPLATES) <= 64, "the record sort key packs the template index in 6 bits"

HISTORY_YEARS = 6
# Mean records per entity over a full window: enterprises, branches, individual
# businesses, other organisations (tax grades come on top for rated enterprises).
_MEAN_RECORDS = np.array([6.5, 3.6, 1.0, 1.6])
_DISPERSION = 0.6  # negative binomial shape: small means heavy tails
_MAX_PER_ENTITY = 150
_LATEST_DECISION = 12  # days before as_of, so every record is known by then
_TAX_RATED_SHARE = 0.4
_GRADES = ("A", "B", "M", "C", "D")
_GRADE_P = np.array([0.22, 0.42, 0.25, 0.08, 0.03])
_GRADE_KEEP = 0.7  # chance a rating year repeats the firm's usual grade
_DECISION_SEQ = 2000  # decision numbers run 1 .. 2000 per authority and year
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class RecordPlan:
    """The records feed plus, per row, its template index and decision day."""

    frame: pl.DataFrame
    template: np.ndarray
    decided: np.ndarray  # days since 1970-01-01


def years_before(d: date, years: int) -> date:
    """``d`` minus whole calendar years, 29 February becoming 28 February."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


def _per_template(values: Sequence[object], template: np.ndarray) -> np.ndarray:
    return np.asarray(np.array(values)[template])


def _draw_counts(
    rng: np.random.Generator, ents: EntityPlan, start: int, end: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    person, branch = ents.role == ROLE_PERSON, ents.role == ROLE_BRANCH
    group = np.select([person, branch, ents.etype == et.ENTERPRISE], [2, 1, 0], 3)
    low = np.maximum(ents.registered + 30, start)
    span = np.maximum(end - low, 0)
    mean = _MEAN_RECORDS[group] * span / (end - start)
    counts = rng.negative_binomial(_DISPERSION, _DISPERSION / (_DISPERSION + mean))
    return group, low, np.minimum(counts, _MAX_PER_ENTITY) * (span > 0)


def _tax_grades(
    rng: np.random.Generator, rated: np.ndarray, registered: np.ndarray, as_of: date
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One rating per year for each rated enterprise: (entity, decision day, grade)."""
    published = date(as_of.year, 4, 30) + timedelta(days=_LATEST_DECISION) <= as_of
    last = as_of.year - (1 if published else 2)
    reg_year = registered[rated].astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    first = np.maximum(reg_year, as_of.year - HISTORY_YEARS)
    wanted = uniform_ints(rng, 1, HISTORY_YEARS + 1, len(rated))
    years = np.clip(np.minimum(wanted, last - first + 1), 0, None)
    ent = np.repeat(rated, years)
    offset = np.arange(len(ent)) - np.repeat(np.cumsum(years) - years, years)
    year = np.repeat(last - years + 1, years) + offset
    april = (year + 1 - 1970).astype("datetime64[Y]").astype("datetime64[M]") + 3
    day = april.astype("datetime64[D]").astype(np.int64) + uniform_ints(rng, 0, 26, len(ent))
    usual = np.repeat(categorical(rng, _GRADE_P, len(rated)), years)
    other = categorical(rng, _GRADE_P, len(ent))
    return ent, day, np.where(rng.random(len(ent)) < _GRADE_KEEP, usual, other)


def plan_records(
    rng: np.random.Generator, ents: EntityPlan, div: Divisions, as_of: date
) -> RecordPlan:
    """Draw the records of ``ents`` decided in the six years before ``as_of``."""
    start = (years_before(as_of, HISTORY_YEARS) - _EPOCH).days
    end = (as_of - _EPOCH).days - _LATEST_DECISION
    group, low, counts = _draw_counts(rng, ents, start, end)

    ent = np.repeat(np.arange(len(counts)), counts)
    weights = np.array([t.weight for t in tp.TEMPLATES])
    template = np.empty(len(ent), dtype=np.int64)
    for g in range(4):
        sel = np.flatnonzero(group[ent] == g)
        template[sel] = categorical(rng, weights[:, g], len(sel))
    decided = uniform_ints(rng, low[ent], end + 1, len(ent))

    rated = np.flatnonzero((group == 0) & (rng.random(len(group)) < _TAX_RATED_SHARE))
    t_ent, t_day, t_grade = _tax_grades(rng, rated, ents.registered, as_of)
    keep = (t_day >= low[t_ent]) & (t_day <= end)
    ent = np.concatenate([ent, t_ent[keep]])
    template = np.concatenate([template, np.full(keep.sum(), _TAX_GRADE)])
    decided = np.concatenate([decided, t_day[keep]])
    grade = np.concatenate([np.full(len(decided) - keep.sum(), -1), t_grade[keep]])

    # Entity, then decision date, then template: one stable sort on a packed key
    # (16 bits of days since 1970 and 6 bits of template index).
    order = np.argsort((ent << 22) | (decided << 6) | template, kind="stable")
    ent, template, decided, grade = ent[order], template[order], decided[order], grade[order]
    frame = _assemble(rng, ents, div, as_of, ent, template, decided, grade)
    return RecordPlan(frame=frame, template=template, decided=decided)


def _record_ids(source: np.ndarray, year: np.ndarray, first_year: int) -> pl.Series:
    """``GSXT2024`` + an 8-digit counter per source and year, in record order."""
    key = (source * 100 + (year - first_year)).astype(np.int16)
    order = np.argsort(key, kind="stable")  # a radix sort on 16-bit keys
    ranked = key[order]
    group_start = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    sizes = np.diff(np.r_[group_start, len(ranked)])
    counter = np.empty(len(key), dtype=np.int64)
    counter[order] = np.arange(len(key)) - np.repeat(group_start, sizes) + 1
    prefix = pl.Series(list(tp.SOURCES.values())).gather(source)
    number = pl.Series(year * 100_000_000 + counter).cast(pl.String)
    return pl.select(pl.concat_str(pl.lit(prefix), pl.lit(number))).to_series()


def _flag(rng: np.random.Generator, share: Sequence[float], template: np.ndarray) -> pl.Series:
    """``true`` for a template-dependent share of the rows, null for the others."""
    hit = pl.Series(rng.random(len(template)) < _per_template(share, template))
    return pl.select(pl.when(pl.lit(hit)).then(True)).to_series()


def _amounts(rng: np.random.Generator, template: np.ndarray) -> pl.Series:
    """Log-uniform fines within the template's range, to the 10 or 100 yuan; else null."""
    bounds = np.array([t.amount or (0.0, 0.0) for t in ALL_TEMPLATES])
    u = rng.random(len(template))
    rows = np.flatnonzero(bounds[template, 0] > 0)
    lo, hi = bounds[template[rows], 0], bounds[template[rows], 1]
    amount = lo * np.exp(u[rows] * np.log(hi / lo))
    step = np.where(amount >= 10_000, 100.0, 10.0)
    fines = pl.Series(np.round(amount / step) * step)
    return pl.repeat(None, len(template), dtype=pl.Float64, eager=True).scatter(rows, fines)


def _ends_on(rng: np.random.Generator, template: np.ndarray, decided: np.ndarray) -> pl.Series:
    """Decision date plus the template's longer ban in whole years, for some rows."""
    longer = np.array([t.longer_end or (0.0, 0, 0) for t in ALL_TEMPLATES])[template]
    rows = np.flatnonzero(rng.random(len(template)) < longer[:, 0])
    years = longer[rows, 1] + rng.random(len(rows)) * (longer[rows, 2] - longer[rows, 1] + 1)
    later = pl.select(
        pl.lit(pl.Series(decided[rows], dtype=pl.Int32).cast(pl.Date)).dt.offset_by(
            pl.format("{}y", pl.lit(pl.Series(years.astype(np.int64))))
        )
    ).to_series()
    return pl.repeat(None, len(decided), dtype=pl.Date, eager=True).scatter(rows, later)


def _recorded_at(rng: np.random.Generator, decided: np.ndarray) -> pl.Series:
    """1-10 days after the decision, 08:30-20:00 China Standard Time, stored in UTC."""
    n = len(decided)
    day = decided + uniform_ints(rng, 1, 11, n)
    second = uniform_ints(rng, 30_600 - 28_800, 72_000 - 28_800, n)
    return pl.Series((day * 86_400 + second) * 1_000_000).cast(pl.Datetime("us", "UTC"))


def _assemble(
    rng: np.random.Generator,
    ents: EntityPlan,
    div: Divisions,
    as_of: date,
    ent: np.ndarray,
    template: np.ndarray,
    decided: np.ndarray,
    grade: np.ndarray,
) -> pl.DataFrame:
    """The records frame; each column is built and its temporaries freed in turn."""
    n = len(ent)
    first_year = years_before(as_of, HISTORY_YEARS).year
    n_years = as_of.year - first_year + 1
    text = build_text(div, ALL_TEMPLATES, first_year, n_years, _DECISION_SEQ, _GRADES)
    year = decided.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    level = _per_template([t.level for t in ALL_TEMPLATES], template)
    level = np.where(level == tp.EITHER, (rng.random(n) < 0.5).astype(np.int64), level)
    place = level * len(div) + ents.division[ent]
    del level
    head, tail, numbered = text.number_index(
        template, place, year, uniform_ints(rng, 0, _DECISION_SEQ, n)
    )
    decision_no = pl.select(
        pl.when(pl.lit(pl.Series(numbered))).then(
            pl.concat_str(pl.lit(text.heads.gather(head)), pl.lit(text.tails.gather(tail)))
        )
    ).to_series()
    del head, tail, numbered
    source = _per_template([list(tp.SOURCES).index(t.source) for t in ALL_TEMPLATES], template)
    columns = {
        "record_id": _record_ids(source, year, first_year),
        "source": pl.Series(list(tp.SOURCES)).gather(source),
        "usci": ents.frame["usci"].gather(ent),
        "kind": pl.Series([t.kind for t in ALL_TEMPLATES]).gather(template),
        "tier": pl.Series([t.tier for t in ALL_TEMPLATES], dtype=pl.String).gather(template),
        "decided_on": pl.Series(decided.astype(np.int32)).cast(pl.Date),
        "authority": text.authority.gather(text.authority_index(template, place)),
        "decision_no": decision_no,
        "legal_basis": pl.Series([t.basis for t in ALL_TEMPLATES]).gather(template),
        "summary": text.summary.gather(text.summary_index(template, year, grade)),
        "amount_cny": _amounts(rng, template),
        "grade": pl.Series(_GRADES).gather(np.maximum(grade, 0)),
        "black": _flag(rng, [t.black for t in ALL_TEMPLATES], template),
        "red": _flag(rng, [t.red for t in ALL_TEMPLATES], template),
        "ends_on": _ends_on(rng, template, decided),
        "recorded_at": _recorded_at(rng, decided),
    }
    del source, place, year
    graded = pl.Series(grade >= 0)
    columns["grade"] = pl.select(pl.when(pl.lit(graded)).then(pl.lit(columns["grade"]))).to_series()
    return pl.DataFrame(columns).cast(RECORD_SCHEMA)

"""Registered names, English names and former names of synthetic organisations.

Names are assembled column-wise with Polars from integer draws into the pools of
:mod:`corpcredit.synth.vocabulary`, so a million names cost well under a second.
Registered names are unique within a registry: rows whose name repeats an
earlier row's are redrawn (new trade name, industry or type-specific word) until
none repeats; every redraw comes from the seeded generator, so the result is
deterministic.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import polars as pl

from corpcredit.errors import CorpCreditError
from corpcredit.synth import entity_types as et
from corpcredit.synth import vocabulary as vocab
from corpcredit.synth._random import categorical, uniform_ints
from corpcredit.synth.divisions import Divisions

__all__ = ["RootNames", "branch_names", "root_names"]

_MAX_REDRAWS = 100
_ENGLISH_SHARE = 0.30
_ALIAS_SHARE = 0.06
_SECOND_ALIAS_SHARE = 0.25
_SUB_RANGE = 2**20  # type-specific word index, reduced modulo each pool's length

_ENT_PATTERN_P = (0.70, 0.12, 0.10, 0.08)  # city first, (city) bracketed, province, none
_PUBLIC_NUMBERED_SHARE = 0.5


def _series(values: tuple[str, ...] | list[str]) -> pl.Series:
    return pl.Series(values, dtype=pl.String)


_TRADE = _series(vocab.TRADE_CHARS)
_TRADE_OPT = _series(("", *vocab.TRADE_CHARS))  # index 0: no third character
_INDUSTRY = _series([i[0] for i in vocab.INDUSTRIES])
_INDUSTRY_EN = _series([i[1] for i in vocab.INDUSTRIES])
_INDUSTRY_P = np.array([i[2] for i in vocab.INDUSTRIES], dtype=float)
_SUFFIX = _series([s[0] for s in vocab.LEGAL_SUFFIXES])
_SUFFIX_FORM = _series([s[1] for s in vocab.LEGAL_SUFFIXES])
_SUFFIX_P = np.array([s[2] for s in vocab.LEGAL_SUFFIXES], dtype=float)
_NUMERALS = _series(["", *(vocab.chinese_numeral(n) for n in range(1, 100))])
_LEGAL_FORM = _series(list(et.LEGAL_FORM))


@functools.cache
def _trade_pinyin() -> tuple[pl.Series, pl.Series, pl.Series]:
    """Romanised trade characters: capitalised (first), lower case, lower case or none."""
    from pypinyin import lazy_pinyin

    syllables = [lazy_pinyin(c)[0] for c in vocab.TRADE_CHARS]
    return (
        _series([s.capitalize() for s in syllables]),
        _series(syllables),
        _series(["", *syllables]),
    )


def _pick(pool: pl.Series, column: str) -> pl.Expr:
    """``pool[column % len(pool)]`` for every row."""
    return pl.lit(pool).gather(pl.col(column) % len(pool))


@dataclass
class _Parts:
    """Integer draws behind the names of root (non-branch) entities."""

    etype: np.ndarray
    division: np.ndarray
    group: np.ndarray
    pattern: np.ndarray
    t1: np.ndarray
    t2: np.ndarray
    t3: np.ndarray
    industry: np.ndarray
    suffix: np.ndarray
    sub: np.ndarray
    num: np.ndarray
    other: np.ndarray

    def redraw(self, rows: np.ndarray, rng: np.random.Generator, n_divisions: int) -> None:
        """Redraw every free component of ``rows`` (type, place and group stay)."""
        n = len(rows)
        k = len(vocab.TRADE_CHARS)
        pattern = categorical(rng, np.array(_ENT_PATTERN_P), n)
        # Other types: 0 city-level, 1 district-level, 2 hometown chamber / province.
        self.pattern[rows] = np.where(
            self.etype[rows] == et.ENTERPRISE, pattern, uniform_ints(rng, 0, 3, n)
        )
        self.t1[rows] = uniform_ints(rng, 0, k, n)
        self.t2[rows] = (self.t1[rows] + uniform_ints(rng, 1, k, n)) % k
        self.t3[rows] = np.where(rng.random(n) < 0.3, uniform_ints(rng, 1, k + 1, n), 0)
        self.industry[rows] = categorical(rng, _INDUSTRY_P, n)
        self.suffix[rows] = categorical(rng, _SUFFIX_P, n)
        self.sub[rows] = uniform_ints(rng, 0, _SUB_RANGE, n)
        # Numbered schools and hospitals: mostly small numbers (第三中学), a few up to 60.
        number = 1 + (60 * rng.random(n) ** 2).astype(np.int64)
        self.num[rows] = np.where(rng.random(n) < _PUBLIC_NUMBERED_SHARE, number, 0)
        self.other[rows] = uniform_ints(rng, 0, n_divisions, n)

    def frame(self, div: Divisions, rows: np.ndarray) -> pl.DataFrame:
        idx = pl.Series(self.division[rows])
        columns = {c: div.table[c].gather(idx) for c in _PLACE_COLUMNS}
        columns["other_city"] = div.table["city_short"].gather(self.other[rows])
        for c in ("group", "pattern", "t1", "t2", "t3", "industry", "suffix", "sub", "num"):
            columns[c] = pl.Series(getattr(self, c)[rows])
        return pl.DataFrame(columns)


_PLACE_COLUMNS = (
    "city", "city_short", "province", "province_short", "region_district", "city_en", "province_en"
)  # fmt: skip


@functools.cache
def _name_exprs() -> dict[int, pl.Expr]:
    """One name expression per entity type, over the columns of ``_Parts.frame``."""
    c = pl.col
    trade = pl.concat_str(_pick(_TRADE, "t1"), _pick(_TRADE, "t2"), _pick(_TRADE_OPT, "t3"))
    pattern = c("pattern")
    enterprise = pl.concat_str(
        pl.when(pattern == 0)
        .then(c("city_short"))
        .when(pattern == 2)
        .then(c("province_short"))
        .otherwise(pl.lit("")),
        trade,
        pl.when(pattern == 1).then(pl.format("（{}）", c("city_short"))).otherwise(pl.lit("")),
        _pick(_INDUSTRY, "industry"),
        pl.when(c("group")).then(pl.lit("集团")).otherwise(pl.lit("")),
        _pick(_SUFFIX, "suffix"),
    )
    shop = pl.concat_str(c("region_district"), trade, _pick(_series(vocab.SHOPS), "sub"))
    coop = pl.concat_str(
        c("region_district"),
        trade,
        _pick(_series(vocab.COOP_PRODUCTS), "sub"),
        pl.lit("专业合作社"),
    )
    social = (
        pl.when((pattern == 2) & (c("other_city") != c("city_short")))
        .then(pl.concat_str(c("city"), c("other_city"), pl.lit(vocab.CHAMBER)))
        .otherwise(
            pl.concat_str(
                pl.when(pattern == 1).then(c("region_district")).otherwise(c("city")),
                pl.when(c("sub") % 3 == 0)
                .then(_pick(_series(vocab.SOCIAL_ORGANISATIONS), "sub"))
                .otherwise(
                    pl.concat_str(
                        _pick(_INDUSTRY, "industry"), _pick(_series(vocab.ASSOCIATION_KINDS), "t2")
                    )
                ),
            )
        )
    )
    pne = pl.concat_str(
        c("region_district"), trade, _pick(_series(vocab.PRIVATE_NON_ENTERPRISE), "sub")
    )
    foundation = pl.concat_str(
        pl.when(pattern <= 1).then(c("province")).otherwise(c("city")),
        trade,
        _pick(_series(vocab.FOUNDATION_PURPOSES), "sub"),
        pl.lit("基金会"),
    )
    public = pl.concat_str(
        pl.when(pattern == 0).then(c("city")).otherwise(c("region_district")),
        pl.when(c("num") > 0)
        .then(
            pl.concat_str(
                pl.lit("第"),
                pl.lit(_NUMERALS).gather(c("num")),
                _pick(_series(vocab.NUMBERED_INSTITUTIONS), "sub"),
            )
        )
        .when(c("sub") % 2 == 0)
        .then(_pick(_series(vocab.PUBLIC_INSTITUTIONS), "sub"))
        .otherwise(
            pl.concat_str(
                _pick(_series(vocab.STREETS), "t1"),
                _pick(_series(vocab.STREET_INSTITUTIONS), "industry"),
            )
        ),
    )
    return {
        et.ENTERPRISE: enterprise,
        et.INDIVIDUAL: shop,
        et.COOP: coop,
        et.SOCIAL: social,
        et.PRIVATE_NON_ENTERPRISE: pne,
        et.FOUNDATION: foundation,
        et.PUBLIC: public,
    }


def _english_expr() -> pl.Expr:
    c = pl.col
    first, middle, last = _trade_pinyin()
    trade = pl.concat_str(_pick(first, "t1"), _pick(middle, "t2"), _pick(last, "t3"))
    pattern = c("pattern")
    tail = pl.concat_str(
        pl.lit(" "),
        _pick(_INDUSTRY_EN, "industry"),
        pl.when(c("group")).then(pl.lit(" Group")).otherwise(pl.lit("")),
        pl.lit(" Co., Ltd."),
    )
    return (
        pl.when(pattern == 0)
        .then(pl.concat_str(c("city_en"), pl.lit(" "), trade, tail))
        .when(pattern == 1)
        .then(pl.concat_str(trade, pl.lit(" ("), c("city_en"), pl.lit(")"), tail))
        .when(pattern == 2)
        .then(pl.concat_str(c("province_en"), pl.lit(" "), trade, tail))
        .otherwise(pl.concat_str(trade, tail))
        .alias("name_en")
    )


@dataclass(frozen=True)
class RootNames:
    """Name columns for root entities, in the order of the rows passed in."""

    name: pl.Series
    name_en: pl.Series
    aliases: pl.Series
    legal_form: pl.Series


def root_names(
    rng: np.random.Generator,
    div: Divisions,
    etype: np.ndarray,
    division: np.ndarray,
    group: np.ndarray,
) -> RootNames:
    """Unique registered names (plus English and former names) for root entities."""
    n = len(etype)
    zeros = np.zeros(n, dtype=np.int64)
    parts = _Parts(
        etype=etype.astype(np.int8),
        division=division,
        group=group.astype(bool),
        **{k: zeros.copy() for k in ("pattern", "t1", "t2", "t3", "industry", "suffix")},
        **{k: zeros.copy() for k in ("sub", "num", "other")},
    )
    every = np.arange(n)
    parts.redraw(every, rng, len(div))
    name = _compose(parts, div, every)
    pending = np.flatnonzero(~name.is_first_distinct().to_numpy())
    for _ in range(_MAX_REDRAWS):
        if len(pending) == 0:
            break
        # Redraw only the repeats, and check them against the names already taken.
        parts.redraw(pending, rng, len(div))
        candidate = _compose(parts, div, pending)
        name = name.scatter(pending, None)
        taken = name.filter(name.is_in(candidate.implode(), nulls_equal=False))
        clash = candidate.is_in(taken.implode()) | ~candidate.is_first_distinct()
        name = name.scatter(pending, candidate)
        pending = pending[clash.to_numpy()]
    else:  # pragma: no cover - only for registries far larger than the name space
        raise CorpCreditError(
            "could not draw unique organisation names; generate fewer entities",
            code="synth.names_exhausted",
        )

    is_enterprise = etype == et.ENTERPRISE
    has_en = np.flatnonzero(is_enterprise & (rng.random(n) < _ENGLISH_SHARE))
    english = parts.frame(div, has_en).select(_english_expr()).to_series()
    name_en = pl.repeat(None, n, dtype=pl.String, eager=True).scatter(has_en, english)

    # A former name: the same firm before it changed its industry word (and, for some,
    # its trade name too).
    has_alias = np.flatnonzero(is_enterprise & (rng.random(n) < _ALIAS_SHARE))
    first_alias = _variant(parts, div, has_alias, rng, industry=True)
    second = rng.random(len(has_alias)) < _SECOND_ALIAS_SHARE
    second_alias = _variant(parts, div, has_alias, rng, industry=False)
    alias_text = pl.select(
        pl.when(pl.lit(pl.Series(second)))
        .then(pl.concat_str(pl.lit(first_alias), pl.lit("|"), pl.lit(second_alias)))
        .otherwise(pl.lit(first_alias))
    ).to_series()
    aliases = pl.repeat(None, n, dtype=pl.String, eager=True).scatter(has_alias, alias_text)

    legal_form = pl.select(
        pl.when(pl.lit(pl.Series(is_enterprise)))
        .then(pl.lit(_SUFFIX_FORM).gather(pl.lit(pl.Series(parts.suffix))))
        .otherwise(pl.lit(_LEGAL_FORM).gather(pl.lit(pl.Series(parts.etype))))
    ).to_series()
    return RootNames(
        name=name.alias("name"),
        name_en=name_en.alias("name_en"),
        aliases=aliases.alias("aliases"),
        legal_form=legal_form.alias("legal_form"),
    )


def _variant(
    parts: _Parts, div: Divisions, rows: np.ndarray, rng: np.random.Generator, *, industry: bool
) -> pl.Series:
    """Names of ``rows`` with a different industry word, or a different trade name."""
    frame = parts.frame(div, rows)
    k = len(vocab.TRADE_CHARS)
    if industry:
        shift = rng.integers(1, len(vocab.INDUSTRIES), size=len(rows))
        frame = frame.with_columns(
            industry=pl.Series((parts.industry[rows] + shift) % len(vocab.INDUSTRIES))
        )
    else:
        frame = frame.with_columns(
            t1=pl.Series((parts.t1[rows] + rng.integers(1, k, size=len(rows))) % k)
        )
    return frame.select(_name_exprs()[et.ENTERPRISE]).to_series()


def _compose(parts: _Parts, div: Divisions, rows: np.ndarray) -> pl.Series:
    """Registered names of ``rows``, each type by its own pattern."""
    out = pl.repeat("", len(rows), dtype=pl.String, eager=True)
    kinds = parts.etype[rows]
    for kind, expr in _name_exprs().items():
        sel = np.flatnonzero(kinds == kind)
        if len(sel):
            out = out.scatter(sel, parts.frame(div, rows[sel]).select(expr).to_series())
    return out


def branch_names(
    head_name: pl.Series,
    head_en: pl.Series,
    parent: np.ndarray,
    place: pl.Series,
    place_en: pl.Series,
) -> tuple[pl.Series, pl.Series]:
    """``{head}{place}分公司``; a second branch in the same place is ``{place}第二分公司``."""
    frame = pl.DataFrame(
        {
            "head": head_name,
            "head_en": head_en,
            "parent": parent,
            "place": place,
            "place_en": place_en,
        }
    ).with_columns(k=pl.int_range(pl.len()).over("parent", "place"))
    k = pl.col("k")
    out = frame.select(
        name=pl.concat_str(
            "head",
            "place",
            pl.when(k > 0)
            .then(pl.concat_str(pl.lit("第"), pl.lit(_NUMERALS).gather(k + 1)))
            .otherwise(pl.lit("")),
            pl.lit("分公司"),
        ),
        name_en=pl.concat_str(
            "head_en",
            pl.lit(" "),
            "place_en",
            pl.when(k > 0).then(pl.format(" No. {}", k + 1)).otherwise(pl.lit("")),
            pl.lit(" Branch"),
        ),
    )
    return out["name"], out["name_en"]

"""The evaluation cases: variants of synthetic registered names, labelled.

See :mod:`corpcredit.screening.evaluation` for what the set holds and why.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

from corpcredit.screening.evalfirms import (
    EN_FORMS,
    INDUSTRIES,
    Firm,
    FirmCounts,
    division_places,
    homophones,
    parse_firm,
    pinyin_name,
    pinyin_of,
    s2t,
    sound_of,
    sounds_of,
    title,
)
from corpcredit.synth import vocabulary as vocab

__all__ = ["NEGATIVE", "POSITIVE", "EvalCase", "build_cases"]


@dataclass(frozen=True)
class EvalCase:
    """One query, the USCI it means (``None``: nothing in the registry) and how it
    was made."""

    query: str
    expected: str | None
    variant: str


class _Builder:
    def __init__(self, reg: FirmCounts, rng: np.random.Generator, entities: pl.DataFrame) -> None:
        self.reg = reg
        self.rng = rng
        self.entities = entities
        pool = "".join(f.name for f in reg.firms) + "".join(vocab.TRADE_CHARS)
        self.homophones = homophones(pool)
        # (city, province code): a negative region lies in another province.
        self.cities = sorted({(c, code[:2]) for code, (c, _) in division_places().items() if c})

    def pick(self, seq: list[Any]) -> Any:
        return seq[int(self.rng.integers(len(seq)))]

    # positives ----------------------------------------------------------------
    def legal_form_dropped(self, f: Firm) -> str | None:
        if self.reg.no_form[(f.region, f.trade, f.industry, f.group)] != 1:
            return None
        return f.compose(suffix="")

    def legal_form_changed(self, f: Firm) -> str | None:
        if f.suffix == "股份有限公司":
            new = "有限公司"
        else:
            new = self.pick(
                ["股份有限公司", "有限责任公司" if f.suffix == "有限公司" else "有限公司"]
            )
        if self.reg.no_region[(f.trade, f.industry, f.group)] != 1:
            # Another firm of the same name (in any region, with any form): once the
            # form is changed, which one is meant is no longer sure.
            return None
        return f.compose(suffix=new)

    def region_moved(self, f: Firm) -> str | None:
        if not f.region or self.reg.full[(f.region, f.trade, f.industry, f.group, f.form)] != 1:
            return None
        return f.compose(bracketed=not f.bracketed)

    def region_dropped(self, f: Firm) -> str | None:
        # Only this firm has the name in any region, with or without the group word.
        if not f.region or self.reg.anywhere[(f.trade, f.industry)] != 1:
            return None
        return f.compose(region="")

    def traditional(self, f: Firm) -> str | None:
        text = s2t()(f.name)
        if text == f.name or self.reg.full[(f.region, f.trade, f.industry, f.group, f.form)] != 1:
            return None
        return text

    def _sound_unique(self, f: Firm) -> bool:
        key = (sound_of(f.region), *sounds_of(f.trade, f.industry), f.group)
        return self.reg.sound_no_form[key] == 1

    def pinyin(self, f: Firm) -> str | None:
        return pinyin_name(f, int(self.rng.integers(3))) if self._sound_unique(f) else None

    def english(self, f: Firm) -> str | None:
        if not f.name_en or self.reg.english[(sound_of(f.trade), f.industry)] != 1:
            return None
        text = f.name_en.removesuffix(" Co., Ltd.")
        if f.region and self.rng.random() < 0.3:
            region = title(pinyin_of(f.region))
            text = text.replace(f"({region}) ", "").removeprefix(f"{region} ")
        text = f"{text} {self.pick(list(EN_FORMS))}".strip()
        return str(self.pick([text, text.upper(), text.lower()]))

    def typo_homophone(self, f: Firm) -> str | None:
        if not self._sound_unique(f):
            return None
        word = f.trade + f.industry
        for i in self.rng.permutation(len(word)):
            options = [c for c in self.homophones.get(pinyin_of(word[i])[0], []) if c != word[i]]
            if options:
                typo = word[:i] + self.pick(options) + word[i + 1 :]
                n = len(f.trade)
                if self.reg.anywhere[(typo[:n], typo[n:])]:
                    return None
                return f.compose(trade=typo[:n], industry=typo[n:])
        return None

    def typo_doubled(self, f: Firm) -> str | None:
        if self.reg.full[(f.region, f.trade, f.industry, f.group, f.form)] != 1:
            return None
        word = f.trade + f.industry
        i = int(self.rng.integers(len(word)))
        typo = word[: i + 1] + word[i:]
        n = len(f.trade) + (1 if i < len(f.trade) else 0)
        if self.reg.anywhere[(typo[:n], typo[n:])]:  # the typo is another firm's name
            return None
        return f.compose(trade=typo[:n], industry=typo[n:])

    def combined(self, f: Firm) -> str | None:
        if not f.region or self.reg.no_form[(f.region, f.trade, f.industry, f.group)] != 1:
            return None
        return s2t()(f.compose(bracketed=not f.bracketed, suffix=""))

    # hard negatives ------------------------------------------------------------
    def _other_trade(self, f: Firm) -> str | None:
        """The trade name with one character changed to one that sounds different,
        such that no firm of the registry has the result (in writing or sound)."""
        i = int(self.rng.integers(len(f.trade)))
        sound = pinyin_of(f.trade[i])[0]
        for ch in self.rng.permutation(list(vocab.TRADE_CHARS)):
            trade = f.trade[:i] + str(ch) + f.trade[i + 1 :]
            if pinyin_of(str(ch))[0] != sound and self.reg.unknown(trade, f.industry):
                return trade
        return None

    def other_trade_char(self, f: Firm) -> str | None:
        trade = self._other_trade(f)
        return None if trade is None else f.compose(trade=trade, suffix=self.pick([f.suffix, ""]))

    def other_trade_pinyin(self, f: Firm) -> str | None:
        trade = self._other_trade(f)
        return None if trade is None else pinyin_name(replace(f, trade=trade), 0)

    def other_region(self, f: Firm) -> str | None:
        if not f.region:
            return None
        # Only this firm has the trade name and industry, in writing and in sound.
        if self.reg.anywhere[(f.trade, f.industry)] != 1:
            return None
        if self.reg.sound_anywhere[sounds_of(f.trade, f.industry)] != 1:
            return None
        for _ in range(20):
            city, province = self.pick(self.cities)
            if province != f.usci[2:4] and not f.region.startswith(city):
                return f.compose(region=city)
        return None

    def other_industry(self, f: Firm) -> str | None:
        for _ in range(20):
            industry = self.pick(list(INDUSTRIES))
            if industry == f.industry or industry in f.industry or f.industry in industry:
                continue
            text = f.compose(industry=industry)
            if self.reg.unknown(f.trade, industry) and text not in f.aliases:
                return text
        return None


POSITIVE = (
    "legal_form_dropped",
    "legal_form_changed",
    "region_moved",
    "region_dropped",
    "traditional",
    "pinyin",
    "english",
    "typo_homophone",
    "typo_doubled",
    "combined",
)
NEGATIVE = ("other_trade_char", "other_trade_pinyin", "other_region", "other_industry")


def _neighbours(reg: FirmCounts) -> Iterator[tuple[Firm, Firm]]:
    """Pairs of firms of one region and industry whose trade names differ in one
    character that sounds different."""
    groups: dict[tuple[Any, ...], list[Firm]] = {}
    for f in reg.firms:
        groups.setdefault((f.region, f.industry, f.group, len(f.trade)), []).append(f)
    for firms in groups.values():
        by_mask: dict[tuple[int, str], list[Firm]] = {}
        for f in firms:
            for i in range(len(f.trade)):
                by_mask.setdefault((i, f.trade[:i] + "*" + f.trade[i + 1 :]), []).append(f)
        for (i, _), found in by_mask.items():
            for a, b in itertools.pairwise(found):
                if pinyin_of(a.trade[i]) != pinyin_of(b.trade[i]):
                    yield a, b


def _branch_cases(
    reg: FirmCounts, entities: pl.DataFrame, rng: np.random.Generator, n: int
) -> list[EvalCase]:
    """Branches (in traditional characters) and head offices that have branches; a
    head office only when no other firm's name reads the same."""
    branches = entities.filter(pl.col("parent_usci").is_not_null())
    if branches.is_empty():
        return []
    picked = branches.sample(min(n, branches.height), seed=int(rng.integers(2**31)))
    cases = [EvalCase(s2t()(r["name"]), r["usci"], "branch") for r in picked.iter_rows(named=True)]
    unique = {
        f.usci for f in reg.firms if reg.no_form[(f.region, f.trade, f.industry, f.group)] == 1
    }
    heads = entities.filter(
        pl.col("usci").is_in(picked["parent_usci"].implode())
        & pl.col("usci").is_in(pl.Series(sorted(unique), dtype=pl.String).implode())
    )
    cases += [EvalCase(r["name"], r["usci"], "head_office") for r in heads.iter_rows(named=True)]
    return cases


def build_cases(entities: pl.DataFrame, *, per_variant: int = 60, seed: int = 7) -> list[EvalCase]:
    """About ``per_variant`` cases of each kind from a synthetic ``entities`` frame."""
    rng = np.random.default_rng(seed)
    places = division_places()
    roots = entities.filter(pl.col("parent_usci").is_null() & pl.col("usci").str.starts_with("91"))
    firms = [f for r in roots.iter_rows(named=True) if (f := parse_firm(r, places)) is not None]
    former = [
        f
        for r in roots.filter(pl.col("aliases").is_not_null()).iter_rows(named=True)
        for alias in r["aliases"].split("|")
        if (f := parse_firm({"usci": r["usci"], "name": alias}, places)) is not None
    ]
    reg = FirmCounts(firms, former, set(entities["name"].to_list()))
    builder = _Builder(reg, rng, entities)
    order = [firms[i] for i in rng.permutation(len(firms))]
    cases: list[EvalCase] = []
    for variant in (*POSITIVE, *NEGATIVE):
        make: Callable[[Firm], str | None] = getattr(builder, variant)
        expected_none = variant in NEGATIVE
        made = 0
        for f in order:
            if made >= per_variant:
                break
            query = make(f)
            if query is None or (query in reg.names and expected_none):
                continue
            cases.append(EvalCase(query, None if expected_none else f.usci, variant))
            made += 1
        order = order[made:] + order[:made]  # the next variant starts elsewhere
    pairs = list(_neighbours(reg))
    for j in rng.permutation(len(pairs))[:per_variant]:
        a, _ = pairs[j]
        if reg.no_form[(a.region, a.trade, a.industry, a.group)] == 1:
            cases.append(EvalCase(a.compose(suffix=""), a.usci, "near_neighbour"))
    cases += _branch_cases(reg, entities, rng, per_variant)
    return cases

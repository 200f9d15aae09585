"""Synthetic firms taken apart, and the counts that make an evaluation label sure.

Synthetic enterprise names are built as ``region + trade name + industry +
[集团] + legal form`` (:mod:`corpcredit.synth.names`); :func:`parse_firm` takes a
registered name (or a former name) back apart using the generator's own word
pools, and :class:`FirmCounts` counts how many firms share each reading of a
name — in writing, without region or form, in sound — so that
:mod:`.evalset` keeps a variant only when its label is well defined.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from corpcredit.synth import vocabulary as vocab
from corpcredit.synth.divisions import load_divisions

__all__ = [
    "EN_FORMS",
    "INDUSTRIES",
    "Firm",
    "FirmCounts",
    "division_places",
    "homophones",
    "parse_firm",
    "pinyin_name",
    "pinyin_of",
    "s2t",
    "sound_of",
    "sounds_of",
    "title",
]

_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司")
INDUSTRIES = tuple(sorted((i[0] for i in vocab.INDUSTRIES), key=len, reverse=True))
_TRADE = frozenset(vocab.TRADE_CHARS)
_PY_FORMS = {
    "股份有限公司": ("gufen", "youxian", "gongsi"),
    "有限责任公司": ("youxian", "zeren", "gongsi"),
    "有限公司": ("youxian", "gongsi"),
}
EN_FORMS = ("Co., Limited", "Company Limited", "Ltd.", "Co Ltd", "Limited", "")


@dataclass(frozen=True)
class Firm:
    usci: str
    name: str
    name_en: str | None
    region: str
    bracketed: bool
    trade: str
    industry: str
    group: bool
    suffix: str
    aliases: tuple[str, ...]

    @property
    def form(self) -> str:
        return "jsc" if self.suffix == "股份有限公司" else "ltd"

    def compose(
        self,
        *,
        region: str | None = None,
        trade: str | None = None,
        industry: str | None = None,
        suffix: str | None = None,
        bracketed: bool | None = None,
    ) -> str:
        region = self.region if region is None else region
        trade = self.trade if trade is None else trade
        industry = self.industry if industry is None else industry
        suffix = self.suffix if suffix is None else suffix
        bracketed = self.bracketed if bracketed is None else bracketed
        group = "集团" if self.group else ""
        if region and bracketed:
            return f"{trade}（{region}）{industry}{group}{suffix}"
        return f"{region}{trade}{industry}{group}{suffix}"


@functools.cache
def pinyin_of(text: str) -> tuple[str, ...]:
    """pypinyin's own reading, independent of the matcher's tables."""
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(text))


def sound_of(text: str) -> str:
    return "".join(pinyin_of(text))


@functools.cache
def s2t() -> Callable[[str], str]:
    import opencc

    convert: Callable[[str], str] = opencc.OpenCC("s2t").convert
    return convert


def division_places() -> dict[str, tuple[str, str]]:
    """Division code → (city short name, province short name)."""
    table = load_divisions().table
    return {
        row["code"]: (row["city_short"], row["province_short"])
        for row in table.select("code", "city_short", "province_short").iter_rows(named=True)
    }


def parse_firm(row: Mapping[str, Any], places: Mapping[str, tuple[str, str]]) -> Firm | None:
    name: str = row["name"]
    suffix = next((s for s in _SUFFIXES if name.endswith(s)), None)
    if suffix is None:
        return None
    rest = name[: -len(suffix)]
    group = rest.endswith("集团")
    rest = rest.removesuffix("集团")
    industry = next((i for i in INDUSTRIES if rest.endswith(i)), None)
    if industry is None:
        return None
    rest = rest[: -len(industry)]
    city, province = places.get(row["usci"][2:8], ("", ""))
    bracketed = False
    region = ""
    if rest.endswith("）") and "（" in rest:
        rest, _, inner = rest[:-1].partition("（")
        region, bracketed = inner, True
    elif city and rest.startswith(city):
        region, rest = city, rest[len(city) :]
    elif province and rest.startswith(province):
        region, rest = province, rest[len(province) :]
    if not 2 <= len(rest) <= 3 or not set(rest) <= _TRADE:
        return None
    aliases = tuple(a for a in (row.get("aliases") or "").split("|") if a)
    return Firm(
        row["usci"], name, row.get("name_en"), region, bracketed, rest, industry, group, suffix,
        aliases,
    )  # fmt: skip


@dataclass
class FirmCounts:
    """Parsed firms and the counts that decide whether a variant's label is sound.

    Former names (aliases) count like registered names: a query equal to another
    firm's former name has no sure label.
    """

    firms: list[Firm]
    former: list[Firm]
    names: set[str]
    full: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    no_form: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    no_region: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    anywhere: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    sound_no_form: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    sound_anywhere: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    english: Counter[tuple[Any, ...]] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        for f in (*self.firms, *self.former):
            self.full[(f.region, f.trade, f.industry, f.group, f.form)] += 1
            self.no_form[(f.region, f.trade, f.industry, f.group)] += 1
            self.no_region[(f.trade, f.industry, f.group)] += 1
            self.anywhere[(f.trade, f.industry)] += 1
            self.sound_no_form[(sound_of(f.region), *sounds_of(f.trade, f.industry), f.group)] += 1
            self.sound_anywhere[sounds_of(f.trade, f.industry)] += 1
            if f.name_en:
                self.english[(sound_of(f.trade), f.industry)] += 1

    def unknown(self, trade: str, industry: str) -> bool:
        """No firm anywhere has this trade name and industry, in writing or sound."""
        return (
            not self.anywhere[(trade, industry)]
            and not self.sound_anywhere[sounds_of(trade, industry)]
        )


def sounds_of(trade: str, industry: str) -> tuple[str, str]:
    return sound_of(trade), sound_of(industry)


def homophones(pool: Iterable[str]) -> dict[str, list[str]]:
    by_sound: dict[str, list[str]] = {}
    for ch in sorted(set(pool)):
        if "\u4e00" <= ch <= "\u9fff":
            by_sound.setdefault(pinyin_of(ch)[0], []).append(ch)
    return by_sound


def title(syllables: Iterable[str]) -> str:
    return "".join(syllables).capitalize()


def pinyin_name(f: Firm, style: int) -> str:
    words = []
    if f.region and not f.bracketed:
        words.append(title(pinyin_of(f.region)))
    words.append(title(pinyin_of(f.trade)))
    if f.region and f.bracketed:
        words.append(f"({title(pinyin_of(f.region))})")
    ind = pinyin_of(f.industry)
    words.extend(title(ind[i : i + 2]) for i in range(0, len(ind), 2))
    if f.group:
        words.append("Jituan")
    words.extend(w.capitalize() for w in _PY_FORMS[f.suffix])
    text = " ".join(words)
    if style == 1 and not f.bracketed:  # run together, as typed into a search box
        return text.replace(" ", "").lower()
    return text.upper() if style == 2 else text

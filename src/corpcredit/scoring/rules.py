"""The catalogue as a lookup table the kernel joins against.

One row per (kind, key) where key is the tier, or for graded kinds the grade. The
kernel never branches on a kind's name: everything it needs is a column here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import polars as pl

from corpcredit.catalogue import Catalogue

__all__ = ["per_catalogue", "rule_row", "rules_frame"]

_T = TypeVar("_T")
# What was built from each catalogue lately: id → (the catalogue, {name: value}). The
# catalogue is kept (an id is only unique while its object lives) and compared by
# identity; a catalogue is immutable (frozen), so what was built from it stays right.
_BUILT: dict[int, tuple[Catalogue, dict[str, Any]]] = {}
_KEEP = 8


def per_catalogue(cat: Catalogue, name: str, build: Callable[[], _T]) -> _T:
    """``build()``, made once per catalogue and ``name`` and then reused.

    One incremental ingest scores one organisation: a few rows, for which building
    the rule table and the kernel's expressions anew costs as much as running them.
    Only immutable values belong here (Polars expressions, frames nobody mutates).
    """
    entry = _BUILT.get(id(cat))
    if entry is None or entry[0] is not cat:
        if len(_BUILT) >= _KEEP:
            _BUILT.clear()
        entry = _BUILT[id(cat)] = (cat, {})
    built = entry[1]
    if name not in built:
        built[name] = build()
    value: _T = built[name]
    return value


def rules_frame(cat: Catalogue) -> pl.DataFrame:
    """Flatten the catalogue's kinds into the kernel's rule table (built once per
    catalogue: do not modify it)."""
    return per_catalogue(cat, "rules_frame", lambda: _rules_frame(cat))


def _rules_frame(cat: Catalogue) -> pl.DataFrame:
    qualifying = {(q.kind, q.grade) for q in cat.lists.red_qualifying}
    rows = []
    for kind_name, kind in cat.kinds.items():
        for key, rule in kind.rules().items():
            tier = kind.grades[key].tier if kind.graded else key
            rows.append(
                {
                    "kind": kind_name,
                    "key": key,
                    "graded": kind.graded,
                    "tier_eff": tier,
                    "points_h": int(rule.points * 100),
                    "period_months": cat.period_months(kind_name, tier),
                    "black_kind": kind.black,
                    "abnormal_kind": kind.abnormal_list,
                    "red_if_flagged": kind.red_if_flagged,
                    "red_qualifying": (kind_name, key if kind.graded else None) in qualifying
                    or (kind_name, None) in qualifying,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "kind": pl.Utf8,
            "key": pl.Utf8,
            "graded": pl.Boolean,
            "tier_eff": pl.Utf8,
            "points_h": pl.Int64,
            "period_months": pl.Int64,
            "black_kind": pl.Boolean,
            "abnormal_kind": pl.Boolean,
            "red_if_flagged": pl.Boolean,
            "red_qualifying": pl.Boolean,
        },
    )


def rule_row(cat: Catalogue, rules: pl.DataFrame) -> pl.Expr:
    """Each record's row in ``rules`` (:func:`rules_frame`), or null when it has none:
    see :func:`_rule_row` (built once per catalogue for its own rule table)."""
    if rules is not rules_frame(cat):
        return _rule_row(cat, rules)
    return per_catalogue(cat, "rule_row", lambda: _rule_row(cat, rules))


def _rule_row(cat: Catalogue, rules: pl.DataFrame) -> pl.Expr:
    """Each record's row in ``rules`` (:func:`rules_frame`), or null when it has none.

    From the columns ``kind``, ``tier`` and ``grade``; the key is the grade for graded
    kinds and the tier otherwise. Millions of records pass through here, so the row is
    found by integer codes into a dense kind × key table, not by joining text; tier
    and grade are coded separately so that no text column is built on the way.
    """
    kinds = sorted(set(rules.get_column("kind")))
    keys = sorted(set(rules.get_column("key")))
    lookup: list[int | None] = [None] * (len(kinds) * len(keys))
    for i, (kind, key) in enumerate(rules.select("kind", "key").iter_rows()):
        lookup[kinds.index(kind) * len(keys) + keys.index(key)] = i
    graded = [kinds.index(k) for k, v in cat.kinds.items() if v.graded and k in kinds]

    def code(col: str, values: list[str]) -> pl.Expr:
        return pl.col(col).cast(pl.Enum(values), strict=False).to_physical().cast(pl.Int64)

    kind = code("kind", kinds)
    key = (
        pl.when(kind.is_in(pl.Series(graded, dtype=pl.Int64).implode()))
        .then(code("grade", keys))
        .otherwise(code("tier", keys))
    )
    return pl.lit(pl.Series(lookup, dtype=pl.Int64)).gather(kind * len(keys) + key)

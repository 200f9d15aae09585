"""The catalogue as a lookup table the kernel joins against.

One row per (kind, key) where key is the tier, or for graded kinds the grade. The
kernel never branches on a kind's name: everything it needs is a column here.
"""

from __future__ import annotations

import polars as pl

from corpcredit.catalogue import Catalogue

__all__ = ["rules_frame"]


def rules_frame(cat: Catalogue) -> pl.DataFrame:
    """Flatten the catalogue's kinds into the kernel's rule table."""
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

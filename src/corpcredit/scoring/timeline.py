"""A score timeline: the kernel at many evaluation dates, for score-history charts.

The natural dates of a history are the days on which something changes, so
:func:`change_dates` lists them (decisions, ends, the 36-month dates) between two
days; :func:`score_timeline` evaluates the kernel on any list of dates and returns
one results frame with an ``as_of`` per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import polars as pl

from corpcredit.catalogue import Catalogue
from corpcredit.scoring.kernel import Frame, ScoreOutput, prepare_records, score

__all__ = ["change_dates", "score_timeline"]


def change_dates(
    records: Frame,
    events: Frame | None,
    cat: Catalogue,
    start: date,
    end: date,
    known_at: datetime | None = None,
) -> list[date]:
    """Every date in [start, end] on which a record starts, ends or crosses 36 months."""
    rec = prepare_records(records, events, cat, known_at)
    months = sorted({cat.lists.abnormal_escalation_months, cat.lists.red_lookback_months})
    cands = [pl.col("decided_on"), pl.col("end")] + [
        pl.col("decided_on").dt.offset_by(f"{m}mo") for m in months
    ]
    found = (
        rec.select(pl.concat_list(cands).alias("d"))
        .explode("d", empty_as_null=True)
        .filter(pl.col("d").is_between(start, end))
        .unique()
        .collect()
        .get_column("d")
        .to_list()
    )
    return sorted({start, end, *found})


def score_timeline(
    entities: Frame,
    records: Frame,
    events: Frame | None,
    cat: Catalogue,
    dates: Sequence[date],
    known_at: datetime | None = None,
) -> ScoreOutput:
    """Results and contributions at each date, stacked (``as_of`` tells them apart)."""
    ent, rec = entities.lazy().collect(), records.lazy().collect()
    ev = events.lazy().collect() if events is not None else None
    outs = [score(ent, rec, ev, cat, d, known_at) for d in sorted(set(dates))]
    if not outs:
        raise ValueError("a timeline needs at least one date")
    contributions = pl.concat(
        [
            o.contributions.with_columns(pl.lit(o.results["as_of"][0]).alias("as_of"))
            for o in outs
            if o.results.height
        ]
        or [outs[0].contributions.with_columns(pl.lit(None, pl.Date).alias("as_of"))]
    )
    warnings = sorted({w for o in outs for w in o.warnings})
    return ScoreOutput(
        results=pl.concat([o.results for o in outs]), contributions=contributions, warnings=warnings
    )

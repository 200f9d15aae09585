"""Synthetic record events: lifts, repairs, withdrawals and revoked repairs.

Each record's template says how often it is lifted (abnormal operations
remedied, a court defaulter who performed, a tax blacklist paid), repaired
(after the tier's earliest-repair delay, while still in force) or withdrawn
(shortly after the decision). A few repairs are later revoked. Every event takes
effect after the decision and no later than three days before ``as_of``, and is
recorded a day or two after it takes effect, so the registry knows it by then.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from corpcredit.synth.records import ALL_TEMPLATES, RecordPlan

__all__ = ["EVENT_SCHEMA", "plan_events"]

EVENT_SCHEMA = pl.Schema(
    {
        "source": pl.String(),
        "record_id": pl.String(),
        "event": pl.String(),
        "effective_on": pl.Date(),
        "recorded_at": pl.Datetime("us", "UTC"),
    }
)

_EVENTS = pl.Series(["lifted", "repaired", "withdrawn", "revoked_repair"])
LIFTED, REPAIRED, WITHDRAWN, REVOKED_REPAIR = range(4)
_LATEST_EFFECT = 3  # days before as_of
_REVOKED_SHARE = 0.06  # of repairs, later found to rest on false evidence
_WITHDRAW_DAYS = (5, 120)
_EPOCH = date(1970, 1, 1)


def _table(attr: str) -> np.ndarray:
    """(share, min days, max days) per template; zeros when the template has none."""
    return np.array([getattr(t, attr) or (0.0, 0, 0) for t in ALL_TEMPLATES], dtype=float)


def plan_events(rng: np.random.Generator, records: RecordPlan, as_of: date) -> pl.DataFrame:
    """Draw the events of ``records`` that took effect by ``as_of``."""
    n = len(records.template)
    lift, repair = _table("lift")[records.template], _table("repair")[records.template]
    withdraw = np.array([t.withdraw for t in ALL_TEMPLATES])[records.template]
    u, v = rng.random(n), rng.random(n)
    event = np.select(
        [u < lift[:, 0], u < lift[:, 0] + repair[:, 0], u < lift[:, 0] + repair[:, 0] + withdraw],
        [LIFTED, REPAIRED, WITHDRAWN],
        -1,
    )
    # Most remedies come early: lifting delays are skewed towards their minimum.
    delay = np.select(
        [event == LIFTED, event == REPAIRED],
        [
            lift[:, 1] + v**2 * (lift[:, 2] - lift[:, 1]),
            repair[:, 1] + v * (repair[:, 2] - repair[:, 1]),
        ],
        _WITHDRAW_DAYS[0] + v * (_WITHDRAW_DAYS[1] - _WITHDRAW_DAYS[0]),
    ).astype(np.int64)
    latest = (as_of - _EPOCH).days - _LATEST_EFFECT
    effective = records.decided + delay
    row = np.flatnonzero((event >= 0) & (effective <= latest))
    kind, day = event[row], effective[row]

    repaired = row[kind == REPAIRED]
    revoked = rng.random(len(repaired)) < _REVOKED_SHARE
    later = effective[repaired] + rng.integers(10, 181, len(repaired))
    revoked &= later <= latest
    row = np.concatenate([row, repaired[revoked]])
    kind = np.concatenate([kind, np.full(revoked.sum(), REVOKED_REPAIR)])
    day = np.concatenate([day, later[revoked]])

    order = np.lexsort((day, row))
    row, kind, day = row[order], kind[order], day[order]
    recorded_day = day + rng.integers(1, 3, len(row))
    recorded_sec = rng.integers(9 * 3600, 18 * 3600, len(row)) - 8 * 3600  # CST → UTC
    source_id = records.frame.select("source", "record_id")[pl.Series(row)]
    return pl.DataFrame(
        {
            "source": source_id["source"],
            "record_id": source_id["record_id"],
            "event": _EVENTS.gather(kind),
            "effective_on": pl.Series(day, dtype=pl.Int32).cast(pl.Date),
            "recorded_at": pl.Series((recorded_day * 86_400 + recorded_sec) * 1_000_000).cast(
                pl.Datetime("us", "UTC")
            ),
        },
        schema=EVENT_SCHEMA,
    )

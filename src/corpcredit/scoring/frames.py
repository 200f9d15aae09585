"""The kernel's table shapes: what it reads (entities, records, events) and writes.

Polars schemas are the one place where column names and types of the kernel's
inputs and outputs are fixed; feed readers, the store and the Spark runner all
conform to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

import polars as pl

__all__ = [
    "CHINA_TZ",
    "CONTRIBUTION_SCHEMA",
    "ENTITY_SCHEMA",
    "EVENT_SCHEMA",
    "RECORD_SCHEMA",
    "RESULT_SCHEMA",
    "ROLE_ORDER",
    "conform",
    "conformed",
    "midnight_china",
    "to_utc",
]

CHINA_TZ = timezone(timedelta(hours=8), "CST")
_TS = pl.Datetime("us", "UTC")

ENTITY_SCHEMA: dict[str, pl.DataType] = {"usci": pl.Utf8(), "parent_usci": pl.Utf8()}

RECORD_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.Utf8(),
    "record_id": pl.Utf8(),
    "usci": pl.Utf8(),
    "kind": pl.Utf8(),
    "tier": pl.Utf8(),
    "decided_on": pl.Date(),
    "authority": pl.Utf8(),
    "decision_no": pl.Utf8(),
    "grade": pl.Utf8(),
    "black": pl.Boolean(),
    "red": pl.Boolean(),
    "ends_on": pl.Date(),
    "recorded_at": _TS,
}

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.Utf8(),
    "record_id": pl.Utf8(),
    "event": pl.Utf8(),
    "effective_on": pl.Date(),
    "recorded_at": _TS,
}

# Points are integer hundredths (``*_h``) so every engine gives bit-identical results.
RESULT_SCHEMA: dict[str, pl.DataType] = {
    "usci": pl.Utf8(),
    "as_of": pl.Date(),
    "natural_person": pl.Boolean(),
    "score": pl.Int64(),
    "grade": pl.Utf8(),
    "black": pl.Boolean(),
    "red": pl.Boolean(),
    "abnormal": pl.Boolean(),
    "own_points_h": pl.Int64(),
    "received_points_h": pl.Int64(),
    "next_change": pl.Date(),
    "catalogue_version": pl.Utf8(),
}

CONTRIBUTION_SCHEMA: dict[str, pl.DataType] = {
    "usci": pl.Utf8(),
    "record_source": pl.Utf8(),
    "record_id": pl.Utf8(),
    "from_usci": pl.Utf8(),
    "role": pl.Utf8(),
    "points_h": pl.Int64(),
    "ends_on": pl.Date(),
    "kind": pl.Utf8(),
    "tier": pl.Utf8(),
    "authority": pl.Utf8(),
    "decision_no": pl.Utf8(),
    "decided_on": pl.Date(),
}

# Contributions are listed own first, then what came from branches, head, siblings.
ROLE_ORDER: dict[str, int] = {"own": 0, "from_branch": 1, "from_head": 2, "from_sibling": 3}


def conform(frame: pl.DataFrame | pl.LazyFrame, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    """Select the schema's columns in order, adding missing optional ones as nulls."""
    return frame.lazy().select(conformed(_names(frame), schema))


def conformed(present: Iterable[str], schema: dict[str, pl.DataType]) -> list[pl.Expr]:
    """The expressions of :func:`conform`, for a frame with the columns ``present``."""
    have = set(present)
    return [
        (pl.col(name) if name in have else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    ]


def _names(frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
    # A frame knows its columns; a lazy frame's schema is resolved, which costs a query.
    return frame.columns if isinstance(frame, pl.DataFrame) else frame.collect_schema().names()


def to_utc(ts: datetime) -> datetime:
    """A knowledge time as aware UTC; a naive timestamp is read as China Standard Time."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=CHINA_TZ)
    return ts.astimezone(UTC)


def midnight_china(col: str) -> pl.Expr:
    """00:00 China Standard Time on a date column, as UTC (the default recorded_at)."""
    return (pl.col(col).cast(pl.Datetime("us")) - pl.duration(hours=8)).dt.replace_time_zone("UTC")

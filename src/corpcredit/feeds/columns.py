"""Vectorised parsers for feed columns: each returns (typed value, error mask).

A value that is present but cannot be read becomes an error for its row and
column; an empty cell is null. Parquet columns that already have the right type
pass through unchanged.
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "clean_text",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_timestamp",
]

TRUE_WORDS = ["true", "t", "yes", "y", "1", "是"]
FALSE_WORDS = ["false", "f", "no", "n", "0", "否"]


def clean_text(col: str) -> pl.Expr:
    """Trimmed text; an empty or blank cell is null."""
    s = pl.col(col).cast(pl.Utf8).str.strip_chars()
    return pl.when(s == "").then(None).otherwise(s)


def parse_date(col: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    if dtype == pl.Date:
        return pl.col(col), pl.lit(False)
    if isinstance(dtype, pl.Datetime):
        return pl.col(col).dt.date(), pl.lit(False)
    s = clean_text(col)
    parsed = s.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    return parsed, s.is_not_null() & parsed.is_null()


def parse_timestamp(col: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """ISO 8601 timestamps; one without an offset (or a bare date) is China Standard Time."""
    if isinstance(dtype, pl.Datetime):
        c = pl.col(col)
        if dtype.time_zone is None:
            c = c.dt.replace_time_zone("Asia/Shanghai")
        return c.dt.convert_time_zone("UTC").cast(pl.Datetime("us", "UTC")), pl.lit(False)
    if dtype == pl.Date:
        return (
            pl.col(col)
            .cast(pl.Datetime("us"))
            .dt.replace_time_zone("Asia/Shanghai")
            .dt.convert_time_zone("UTC"),
            pl.lit(False),
        )
    s = clean_text(col).str.replace(r"^(\d{4}-\d{2}-\d{2}) ", "${1}T").str.replace(r"Z$", "+00:00")
    parsed = s.map_batches(_text_timestamps, return_dtype=_UTC, is_elementwise=True)
    return parsed, s.is_not_null() & parsed.is_null()


_UTC = pl.Datetime("us", "UTC")


def _text_timestamps(text: pl.Series) -> pl.Series:
    """With an offset, or else local (China Standard Time) with seconds, minutes or a date.

    In two steps: only the values without an offset are tried as local times. (In
    one expression Polars parses every value four times; a failed parse costs as
    much as a good one, and feeds usually give the offset.)
    """
    frame = text.to_frame("s").with_columns(
        pl.col("s")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", time_zone="UTC", strict=False)
        .alias("o")
    )
    rest = pl.when(pl.col("o").is_null()).then(pl.col("s"))
    frame = frame.with_columns(rest.alias("s"))
    s = pl.col("s")
    local = (
        pl.coalesce(
            s.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False),
            s.str.to_datetime("%Y-%m-%dT%H:%M", strict=False),
            s.str.strptime(pl.Date, "%Y-%m-%d", strict=False).cast(pl.Datetime("us")),
        )
        .dt.replace_time_zone("Asia/Shanghai")
        .dt.convert_time_zone("UTC")
    )
    return frame.select(pl.coalesce(pl.col("o"), local).cast(_UTC)).to_series().alias(text.name)


def parse_bool(col: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    if dtype == pl.Boolean:
        return pl.col(col), pl.lit(False)
    s = clean_text(col).str.to_lowercase()
    parsed = pl.when(s.is_in(TRUE_WORDS)).then(True).when(s.is_in(FALSE_WORDS)).then(False)
    return parsed, s.is_not_null() & parsed.is_null()


def parse_decimal(col: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    if dtype.is_numeric():
        return pl.col(col).cast(pl.Decimal(18, 2)), pl.lit(False)
    s = clean_text(col).str.replace_all(",", "")
    parsed = s.cast(pl.Decimal(18, 2), strict=False)
    return parsed, s.is_not_null() & parsed.is_null()

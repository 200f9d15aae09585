"""Write batch outputs in the FORMATS.md layout, atomically, as Parquet or CSV.

Points leave the kernel as integer hundredths and are written as decimals with two
places; nothing half-written is ever left at the destination (write to a temporary
file beside it, then rename).
"""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

import polars as pl

__all__ = [
    "CONTRIBUTION_COLUMNS",
    "RESULT_COLUMNS",
    "format_contributions",
    "format_results",
    "write_outputs",
]

RESULT_COLUMNS = [
    "usci",
    "as_of",
    "natural_person",
    "score",
    "grade",
    "black",
    "red",
    "abnormal",
    "own_points",
    "received_points",
    "next_change",
    "catalogue_version",
]
CONTRIBUTION_COLUMNS = [
    "usci",
    "record_source",
    "record_id",
    "from_usci",
    "role",
    "points",
    "ends_on",
]


def _points_text(col: str) -> pl.Expr:
    h = pl.col(col)
    a = h.abs()
    text = (
        pl.when(h < 0).then(pl.lit("-")).otherwise(pl.lit(""))
        + (a // 100).cast(pl.Utf8)
        + pl.lit(".")
        + (a % 100).cast(pl.Utf8).str.zfill(2)
    )
    return pl.when(h.is_null()).then(None).otherwise(text)


_POINTS = pl.Decimal(18, 2)


def _points(col: str, name: str, csv: bool) -> pl.Expr:
    if csv:
        return _points_text(col).alias(name)
    # Hundredths as a decimal of two places, by arithmetic: the same values as parsing
    # their text (a test holds the two together), at a sixth of the processor time.
    return (pl.col(col).cast(_POINTS) / 100).cast(_POINTS).alias(name)


def format_results(results: pl.DataFrame, *, csv: bool) -> pl.DataFrame:
    return results.with_columns(
        _points("own_points_h", "own_points", csv),
        _points("received_points_h", "received_points", csv),
    ).select(RESULT_COLUMNS)


def format_contributions(contributions: pl.DataFrame, *, csv: bool) -> pl.DataFrame:
    return contributions.with_columns(_points("points_h", "points", csv)).select(
        CONTRIBUTION_COLUMNS
    )


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() == ".csv"


def write_outputs(outputs: list[tuple[pl.DataFrame, Path]]) -> None:
    """Write every (frame, path) to a temporary file, then rename them all into place."""
    with ExitStack() as stack:
        staged: list[tuple[str, Path]] = []
        try:
            for frame, path in outputs:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
                os.close(fd)
                staged.append((tmp, path))
                if _is_csv(path):
                    frame.write_csv(tmp)
                else:
                    frame.write_parquet(tmp, compression="zstd", statistics=True)
        except BaseException:
            for tmp, _ in staged:
                Path(tmp).unlink(missing_ok=True)
            raise
        for tmp, path in staged:
            os.replace(tmp, path)
        stack.close()

"""Writing a synthetic registry as the entities, records and record-events feeds.

Parquet keeps the frames' types (dates as dates, ``recorded_at`` as a UTC
timestamp, ``black``/``red`` as booleans). CSV writes dates as ``YYYY-MM-DD``,
``recorded_at`` in China Standard Time with its ``+08:00`` offset, booleans as
``true``/``false`` and nulls as empty fields, fines with two decimals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import polars as pl

from corpcredit.errors import CorpCreditError
from corpcredit.synth.registry import SyntheticRegistry

__all__ = ["FEEDS", "Format", "write"]

Format = Literal["parquet", "csv"]
FEEDS = ("entities", "records", "events")
_TIMESTAMP = "%Y-%m-%dT%H:%M:%S%:z"


def _for_csv(frame: pl.DataFrame) -> pl.DataFrame:
    timestamps = [n for n, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    return frame.with_columns(
        pl.col(timestamps).dt.convert_time_zone("Asia/Shanghai").dt.strftime(_TIMESTAMP)
    )


def write(registry: SyntheticRegistry, out_dir: Path, fmt: Format = "parquet") -> dict[str, Path]:
    """Write ``entities``, ``records`` and ``events`` files into ``out_dir``; return their paths."""
    if fmt not in ("parquet", "csv"):
        raise CorpCreditError(
            f"unknown format {fmt!r}: use 'parquet' or 'csv'", code="synth.invalid_argument"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for feed in FEEDS:
        frame: pl.DataFrame = getattr(registry, feed)
        path = out_dir / f"{feed}.{fmt}"
        if fmt == "parquet":
            frame.write_parquet(path, compression="zstd", statistics=True)
        else:
            _for_csv(frame).write_csv(path, float_precision=2)
        paths[feed] = path
    return paths

"""Writing the feeds: Parquet and CSV read back with Polars to the same data."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from corpcredit import synth
from corpcredit.errors import CorpCreditError


def _read_csv(path: Path, like: pl.DataFrame) -> pl.DataFrame:
    """Read a CSV feed with the frame's schema; timestamps parsed from their +08:00 text."""
    timestamps = [n for n, t in like.schema.items() if isinstance(t, pl.Datetime)]
    schema = {n: pl.String if n in timestamps else t for n, t in like.schema.items()}
    return pl.read_csv(path, schema=schema).with_columns(
        pl.col(timestamps)
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_unit="us")
        .dt.convert_time_zone("UTC")
    )


def test_parquet_round_trips(small: synth.SyntheticRegistry, tmp_path: Path) -> None:
    paths = synth.write(small, tmp_path)
    assert {p.name for p in paths.values()} == {
        "entities.parquet", "records.parquet", "events.parquet"
    }  # fmt: skip
    for feed, path in paths.items():
        assert_frame_equal(pl.read_parquet(path), getattr(small, feed))


def test_csv_round_trips(small: synth.SyntheticRegistry, tmp_path: Path) -> None:
    paths = synth.write(small, tmp_path, "csv")
    assert {p.name for p in paths.values()} == {"entities.csv", "records.csv", "events.csv"}
    for feed, path in paths.items():
        expected = getattr(small, feed)
        assert_frame_equal(_read_csv(path, expected), expected)


def test_csv_text_conventions(small: synth.SyntheticRegistry, tmp_path: Path) -> None:
    paths = synth.write(small, tmp_path, "csv")
    header, *rows = paths["records"].read_text(encoding="utf-8").splitlines()
    assert header == ",".join(small.records.columns)
    raw = pl.read_csv(paths["records"], infer_schema=False)
    assert set(raw["black"].drop_nulls().unique()) == {"true"}
    assert raw["recorded_at"].str.contains(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$").all()
    assert raw["decided_on"].str.contains(r"^\d{4}-\d{2}-\d{2}$").all()
    assert len(rows) == small.records.height


def test_unknown_format_is_refused(small: synth.SyntheticRegistry, tmp_path: Path) -> None:
    with pytest.raises(CorpCreditError, match="unknown format"):
        synth.write(small, tmp_path, "xlsx")  # type: ignore[arg-type]

"""The worked example of ../shared/examples/worked: batch score must reproduce it exactly."""

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from corpcredit.cli import app
from tests.worked import WORKED

KNOWN = "2025-03-01T12:00:00+08:00"


def _read(path: Path) -> pl.DataFrame:
    df = pl.read_csv(path, infer_schema=False, empty_string_is_null=False)
    return df.drop("catalogue_version", strict=False)


def _batch(tmp_path: Path, *extra: str, suffix: str = "csv") -> tuple[Path, Path]:
    out, contrib = tmp_path / f"results.{suffix}", tmp_path / f"contributions.{suffix}"
    args = [
        "batch",
        "score",
        str(WORKED / "entities.csv"),
        str(WORKED / "records.csv"),
        "--events",
        str(WORKED / "events.csv"),
        "--as-of",
        "2025-06-30",
        "--out",
        str(out),
        "--contributions",
        str(contrib),
        *extra,
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    return out, contrib


@pytest.mark.parametrize(
    ("extra", "expected"),
    [((), "2025-06-30"), (("--known-at", KNOWN), "2025-06-30-known-2025-03-01")],
)
def test_worked_example_csv_outputs_match_exactly(tmp_path, extra, expected):
    out, contrib = _batch(tmp_path, *extra, "--workers", "1")
    assert_frame_equal(_read(out), _read(WORKED / f"expected-results-{expected}.csv"))
    assert_frame_equal(_read(contrib), _read(WORKED / f"expected-contributions-{expected}.csv"))
    assert set(pl.read_csv(out, infer_schema=False)["catalogue_version"]) == {"2026.1"}


def test_two_workers_write_byte_identical_files(tmp_path):
    one = _batch(tmp_path / "one", "--workers", "1")
    two = _batch(tmp_path / "two", "--workers", "2")
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_parquet_outputs_carry_decimals_and_the_same_values(tmp_path):
    out, contrib = _batch(tmp_path, "--workers", "1", suffix="parquet")
    res = pl.read_parquet(out)
    assert res.schema["own_points"] == pl.Decimal(18, 2)
    assert res.schema["black"] == pl.Boolean
    head = res.filter(pl.col("usci") == "91110105MA01HEAD9C").row(0, named=True)
    assert (head["score"], head["grade"], str(head["received_points"])) == (923, "B", "-47.50")
    assert pl.read_parquet(contrib).height == 15

"""`corpcredit generate` writes the three feeds and prints a summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from corpcredit.cli import app


def test_generate_writes_three_parquet_files(tmp_path: Path) -> None:
    out = tmp_path / "registry"
    result = CliRunner().invoke(
        app, ["generate", "--entities", "800", "--seed", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "entities.parquet", "events.parquet", "records.parquet"
    ]  # fmt: skip
    assert pl.read_parquet(out / "entities.parquet").height == 800
    assert "natural persons" in result.output
    assert "tax_grade" in result.output


def test_generate_csv_with_an_as_of_date(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["generate", "--entities", "300", "--out", str(tmp_path), "--format", "csv",
         "--as-of", "2025-06-30"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    records = pl.read_csv(tmp_path / "records.csv", schema_overrides={"decided_on": pl.Date})
    assert records["decided_on"].max() <= date(2025, 6, 30)
    assert (tmp_path / "events.csv").exists() and (tmp_path / "entities.csv").exists()


def test_generate_requires_an_output_directory() -> None:
    result = CliRunner().invoke(app, ["generate", "--entities", "10"])
    assert result.exit_code != 0

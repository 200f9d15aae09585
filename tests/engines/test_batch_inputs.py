"""Batch inputs without contribution lines: what only those lines show is not read,
and the results are the same files as with them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from corpcredit.catalogue import default_catalogue
from corpcredit.cli import app
from corpcredit.engines.inputs import CHECKED_THEN_SHOWN, CONTRIBUTION_ONLY, load_inputs
from corpcredit.scoring.frames import ENTITY_SCHEMA, RECORD_SCHEMA
from tests.worked import WORKED


def _score(out: Path, *extra: str) -> None:
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
        str(out / "results.parquet"),
        *extra,
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output


def test_results_without_contributions_are_the_same_file(tmp_path: Path) -> None:
    _score(tmp_path / "with", "--contributions", str(tmp_path / "with" / "lines.csv"))
    _score(tmp_path / "without")
    assert (tmp_path / "with" / "lines.csv").exists()
    assert (tmp_path / "without" / "results.parquet").read_bytes() == (
        tmp_path / "with" / "results.parquet"
    ).read_bytes()


def test_without_contributions_only_their_columns_are_left_unread() -> None:
    paths = [WORKED / f"{n}.csv" for n in ("entities", "records", "events")]
    cat = default_catalogue()
    full = load_inputs(*paths, cat)
    lean = load_inputs(*paths, cat, contributions=False)
    shown = [*CONTRIBUTION_ONLY, *CHECKED_THEN_SHOWN]
    for name in shown:
        assert full.records.get_column(name).null_count() < full.records.height
        assert name not in lean.records.columns
    assert lean.records.equals(full.records.drop(shown))
    assert lean.entities.equals(full.entities)
    assert lean.heads is not None and full.heads is not None
    assert (lean.heads[0] == full.heads[0]).all() and lean.heads[1] == full.heads[1]


def test_only_the_columns_the_kernel_reads_are_kept() -> None:
    paths = [WORKED / f"{n}.csv" for n in ("entities", "records", "events")]
    full = load_inputs(*paths, default_catalogue())
    assert full.entities.columns == [*ENTITY_SCHEMA, "natural_person"]
    assert full.records.columns == list(RECORD_SCHEMA)
    assert full.records.get_column("usci").n_chunks() == 1  # one copy, one chunk each

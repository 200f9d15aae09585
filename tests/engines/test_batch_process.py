"""`corpcredit batch score` as its own process: the console script ends itself early
(after writing) and must give the same files and exit codes as when run in-process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from corpcredit.cli import app
from tests.worked import WORKED


def _args(feeds: Path, out: Path) -> list[str]:
    return [
        "batch",
        "score",
        str(feeds / "entities.csv"),
        str(feeds / "records.csv"),
        "--events",
        str(feeds / "events.csv"),
        "--as-of",
        "2025-06-30",
        "--out",
        str(out / "results.parquet"),
        "--contributions",
        str(out / "contributions.csv"),
    ]


def _process(*args: str) -> subprocess.CompletedProcess[str]:
    # A normal exit (SystemExit) runs the ``finally``; the early end of a finished
    # batch run does not.
    code = "from corpcredit.cli import main\ntry:\n    main()\nfinally:\n    print('TORN DOWN')"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, encoding="utf-8"
    )


def test_the_process_writes_what_an_in_process_run_writes(tmp_path: Path) -> None:
    res = _process(*_args(WORKED, tmp_path / "process"))
    assert res.returncode == 0, res.stderr
    assert "scored 10 entities from 13 records" in " ".join(res.stdout.split())
    assert "TORN DOWN" not in res.stdout
    inside = CliRunner().invoke(app, _args(WORKED, tmp_path / "inside"))
    assert inside.exit_code == 0, inside.output
    for name in ("results.parquet", "contributions.csv"):
        assert (tmp_path / "process" / name).read_bytes() == (
            tmp_path / "inside" / name
        ).read_bytes()
    assert sorted(p.name for p in (tmp_path / "process").iterdir()) == [
        "contributions.csv",
        "results.parquet",
    ]


def test_bad_input_still_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    for name in ("entities.csv", "records.csv", "events.csv"):
        shutil.copy(WORKED / name, tmp_path / name)
    records = tmp_path / "records.csv"
    records.write_text(
        records.read_text("utf-8").replace("spot_check_failed", "spot_check_flunked", 1), "utf-8"
    )
    res = _process(*_args(tmp_path, tmp_path / "out"))
    assert res.returncode == 2
    assert "TORN DOWN" in res.stdout
    assert "input.unknown_kind" in res.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

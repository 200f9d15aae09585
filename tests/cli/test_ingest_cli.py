"""`corpcredit ingest|score|refresh`: exit codes, summaries, and surviving SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpcredit import synth
from corpcredit.cli import app
from corpcredit.cli.ingest import worst_exit
from corpcredit.store import create_engine_for, upgrade
from tests.ingest.builders import (
    AS_OF,
    ENTITY_FIELDS,
    RECORD_FIELDS,
    count,
    entity,
    ingest,
    progress,
    record,
    rows,
    snapshot,
    write_feed,
)

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'var' / 'registry.db'}"
    monkeypatch.setenv("CORPCREDIT_DATABASE_URL", url)
    return url


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_ingest_exits_0_when_everything_landed_and_names_the_counts(
    db_url: str, tmp_path: Path
) -> None:
    path = write_feed(tmp_path / "e.csv", [entity(1), entity(2)], ENTITY_FIELDS)
    code, out = _invoke("ingest", "entities", str(path))
    assert code == 0, out
    for word in ("accepted", "updated", "unchanged", "quarantined"):
        assert word in out
    code, out = _invoke("ingest", "entities", str(path))
    assert code == 0 and "all 2 rows unchanged" in out


def test_ingest_exits_3_when_rows_were_quarantined_and_names_the_report(
    db_url: str, tmp_path: Path
) -> None:
    _invoke("ingest", "entities", str(write_feed(tmp_path / "e.csv", [entity(1)], ENTITY_FIELDS)))
    recs = [record("R1", 1), record("R2", 1, kind="gossip")]
    path = write_feed(tmp_path / "r.csv", recs, RECORD_FIELDS)
    report = tmp_path / "out" / "problems.csv"
    code, out = _invoke(
        "ingest", "records", str(path), "--report", str(report), "--as-of", "2026-06-30"
    )
    assert code == 3, out
    assert "problems.csv" in out.replace("\n", "")  # Rich may wrap a long path
    lines = report.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{path},3,kind,gossip,input.unknown_kind,")


def test_ingest_exits_2_when_a_file_cannot_be_read_and_still_reads_the_others(
    db_url: str, tmp_path: Path
) -> None:
    good = write_feed(tmp_path / "e.csv", [entity(1)], ENTITY_FIELDS)
    bad = tmp_path / "e2.csv"
    bad.write_bytes("usci,name\n91,Société\n".encode("latin-1"))
    code, out = _invoke("ingest", "entities", str(bad), str(good))
    assert code == 2, out
    assert "input.encoding" in out
    engine = create_engine_for(db_url)
    try:
        assert count(engine, "entities") == 1
    finally:
        engine.dispose()


def test_several_files_exit_with_the_worst_outcome() -> None:
    assert worst_exit([0, 3, 0]) == 3
    assert worst_exit([3, 2, 0]) == 2
    assert worst_exit([]) == 0


def test_score_and_refresh_rescore_the_registry(db_url: str, tmp_path: Path) -> None:
    _invoke("ingest", "entities", str(write_feed(tmp_path / "e.csv", [entity(1)], ENTITY_FIELDS)))
    recs = [record("R1", 1, decided_on="2025-03-01")]
    path = write_feed(tmp_path / "r.csv", recs, RECORD_FIELDS)
    _invoke("ingest", "records", str(path), "--as-of", "2025-06-01")
    code, out = _invoke("score", "--as-of", "2025-06-01", "--workers", "1")
    assert code == 0, out
    assert "scored 1 entities" in out
    code, out = _invoke("refresh", "--today", "2025-07-01")
    assert code == 0 and "nothing to refresh" in out
    code, out = _invoke("refresh", "--today", "2026-03-02")
    assert code == 0 and "refreshed 1 entities" in out
    engine = create_engine_for(db_url)
    try:
        assert rows(engine, "SELECT score FROM results") == [(1000,)]
    finally:
        engine.dispose()


def _cli(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CORPCREDIT_DATABASE_URL": url}
    return subprocess.Popen(
        [sys.executable, "-m", "corpcredit.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
def test_a_killed_ingest_resumes_to_the_same_store_as_a_clean_one(tmp_path: Path) -> None:
    registry = synth.generate(2_500, 4, as_of=AS_OF)
    paths = synth.write(registry, tmp_path / "feeds", "csv")
    total = registry.records.height
    chunk = 300
    killed_url = f"sqlite:///{tmp_path / 'killed.db'}"
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    engines = {u: create_engine_for(u) for u in (killed_url, clean_url)}
    try:
        for engine in engines.values():
            upgrade(engine)
            ingest(engine, "entities", paths["entities"])
        args = ["ingest", "records", str(paths["records"]), "--chunk-rows", str(chunk)]
        args += ["--as-of", AS_OF.isoformat()]
        proc = _cli(killed_url, *args)
        deadline = time.monotonic() + 300
        state = None
        while time.monotonic() < deadline and proc.poll() is None:
            state = progress(killed_url)
            if state and state[1] >= chunk:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the ingest finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        status, done = progress(killed_url) or ("", 0)
        assert status == "running" and chunk <= done < total
        killed = engines[killed_url]
        (landed,) = rows(killed, "SELECT count(*) FROM records")[0]
        assert 0 < landed <= done  # whole chunks only, consistent with the marker
        assert count(killed, "record_versions") == landed

        rerun = _cli(killed_url, *args)
        out, _ = rerun.communicate(timeout=600)
        assert rerun.returncode in (0, 3), out.decode()
        assert b"resumed" in out
        report_after_resume = (paths["records"].parent / "records.csv.quarantine.csv").read_text()

        ingest(engines[clean_url], "records", paths["records"], chunk_rows=chunk)
        report_clean = (paths["records"].parent / "records.csv.quarantine.csv").read_text()
        for engine in engines.values():
            ingest(engine, "events", paths["events"])
        assert snapshot(killed) == snapshot(engines[clean_url])
        assert report_after_resume == report_clean
        assert rows(killed, "SELECT status FROM ingest_batches WHERE kind = 'records'") == [
            ("done",)
        ]
    finally:
        for engine in engines.values():
            engine.dispose()


@pytest.mark.parametrize("kind", ["entities", "records", "events"])
def test_the_chunk_size_the_command_defaults_to_is_the_pipelines(kind: str) -> None:
    import typer.main

    from corpcredit.ingest.pipeline import DEFAULT_CHUNK_ROWS

    group = typer.main.get_command(app).commands["ingest"]  # type: ignore[attr-defined]
    (option,) = [p for p in group.commands[kind].params if p.name == "chunk_rows"]
    assert option.default == DEFAULT_CHUNK_ROWS

"""`corpcredit demo`: a fresh, scored synthetic registry and what to try next."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpcredit.cli import app
from corpcredit.settings import Settings
from corpcredit.store import create_engine_for
from tests.ingest.builders import count, rows

runner = CliRunner()


def _demo(db: Path, *extra: str) -> str:
    result = runner.invoke(app, ["demo", "--entities", "300", "--database", str(db), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_builds_a_fresh_scored_registry_and_says_what_to_try(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    out = _demo(db, "--no-serve")
    engine = create_engine_for(f"sqlite:///{db}")
    try:
        assert count(engine, "entities") == 300
        assert count(engine, "results") == 300
        assert count(engine, "records") > 1000
        assert rows(engine, "SELECT DISTINCT status FROM ingest_batches") == [("done",)]
    finally:
        engine.dispose()
    assert "grade" in out and "on the black list" in out
    assert f"export CORPCREDIT_DATABASE_URL=sqlite:///{db}" in out
    assert "corpcredit show" in out and "corpcredit lists black" in out

    _demo(db, "--no-serve", "--seed", "2")  # replaces the old database
    engine = create_engine_for(f"sqlite:///{db}")
    try:
        assert count(engine, "entities") == 300
        assert count(engine, "ingest_batches") == 3
    finally:
        engine.dispose()


def test_demo_serve_starts_the_site_on_the_demo_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corpcredit.web

    calls: list[tuple[Any, ...]] = []

    def fake_serve(settings: Settings, host: str, port: int) -> None:
        calls.append((settings.database_url, host, port))

    monkeypatch.setattr(corpcredit.web, "serve", fake_serve)
    db = tmp_path / "demo.db"
    out = _demo(db, "--serve")
    assert "http://127.0.0.1:8000" in out
    assert calls == [(f"sqlite:///{db}", "127.0.0.1", 8000)]


def test_demo_serve_without_a_site_says_so_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "corpcredit.web" else real(name, *a),
    )
    out = _demo(tmp_path / "demo.db", "--serve")
    assert "not built yet" in out

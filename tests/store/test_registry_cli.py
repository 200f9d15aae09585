"""`corpcredit init` and `corpcredit audit verify|head` over a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from corpcredit.audit import append
from corpcredit.cli import app
from corpcredit.store import create_engine_for, head_revision
from corpcredit.store.schema import audit_log

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'var' / 'registry.db'}"
    monkeypatch.setenv("CORPCREDIT_DATABASE_URL", url)
    return url


def _append(url: str, count: int) -> None:
    engine = create_engine_for(url)
    try:
        with engine.begin() as conn:
            for n in range(count):
                append(conn, "staff:1", "record.created", "record", f"src/R{n}", {"n": n})
    finally:
        engine.dispose()


def _execute(url: str, sql: str) -> None:
    engine = create_engine_for(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def test_init_creates_the_database_and_prints_url_and_revision(db_url: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "registry.db").exists()
    assert db_url in result.output
    assert f"schema revision: {head_revision()}" in result.output
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 0 and again.output == result.output


def test_init_without_a_url_uses_var_under_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CORPCREDIT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "corpcredit.db").exists()


def test_init_hides_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "CORPCREDIT_DATABASE_URL", "postgresql://registry:s3cret@127.0.0.1:1/r?connect_timeout=2"
    )
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 4  # store.unavailable, reported once
    assert "store.unavailable" in result.output
    assert "s3cret" not in result.output


def test_audit_verify_reports_an_intact_chain(db_url: str) -> None:
    runner.invoke(app, ["init"])
    _append(db_url, 3)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("chain intact: 3 entries, head ")


def test_audit_verify_on_a_new_database_is_intact_and_empty(db_url: str) -> None:
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0
    assert "chain intact: 0 entries" in result.output


def test_audit_verify_exits_1_naming_the_first_bad_entry(db_url: str) -> None:
    runner.invoke(app, ["init"])
    _append(db_url, 4)
    _execute(db_url, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "chain broken at entry 2 (hash)" in result.output


def test_audit_head_prints_seq_and_hash_as_text_and_json(db_url: str) -> None:
    runner.invoke(app, ["init"])
    _append(db_url, 2)
    engine = create_engine_for(db_url)
    with engine.connect() as conn:
        last = conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.seq == 2)).scalar()
    engine.dispose()
    text = runner.invoke(app, ["audit", "head"])
    assert text.exit_code == 0 and text.output.strip() == f"seq 2 hash {last}"
    as_json = runner.invoke(app, ["audit", "head", "--json"])
    assert as_json.exit_code == 0 and json.loads(as_json.output) == {"seq": 2, "hash": last}


def test_audit_verify_against_a_published_head_catches_truncation(db_url: str) -> None:
    runner.invoke(app, ["init"])
    _append(db_url, 3)
    published = json.loads(runner.invoke(app, ["audit", "head", "--json"]).output)
    _execute(db_url, "DELETE FROM audit_log WHERE seq = 3")
    expect = f"{published['seq']}:{published['hash']}"
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    result = runner.invoke(app, ["audit", "verify", "--expect", expect])
    assert result.exit_code == 1
    assert "entry 3" in result.output
    bad = runner.invoke(app, ["audit", "verify", "--expect", "three"])
    assert bad.exit_code == 2

"""`corpcredit watch …` end to end."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from corpcredit.cases.accounts import create_account
from corpcredit.cli import app
from corpcredit.store.schema import results
from tests.screening.registry import GATE, screening_registry

runner = CliRunner()


@pytest.fixture
def registry(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    screening_registry(engine)
    create_account(engine, "buyer", "correct horse battery", "reviewer", actor="test")
    monkeypatch.setenv("CORPCREDIT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_watch_add_list_scan_events_and_remove(registry: Engine) -> None:
    assert run("watch", "add", GATE, "--account", "buyer", "--label", "s1") == (0, "Watching.\n")
    code, out = run("watch", "list", "--account", "buyer")
    assert code == 0 and GATE in out and "杭州门控科技有限公司" in out
    assert run("watch", "scan")[1] == "0 change event(s).\n"  # the baseline
    with registry.begin() as conn:
        conn.execute(sa.update(results).where(results.c.usci == GATE).values(grade="C", score=840))
    assert run("watch", "scan")[1] == "1 change event(s).\n"
    code, out = run("watch", "events", "--account", "buyer")
    assert code == 0 and "grade B → C" in out
    code, out = run("watch", "events", "--account", "buyer", "--atom")
    assert code == 0 and out.startswith("<?xml") and "urn:corpcredit:event:" in out
    code, out = run("watch", "webhook", "http://127.0.0.1:9/hook", "--account", "buyer")
    assert code == 4 and "monitoring.private_webhook" in out
    code, out = run("watch", "webhook", "https://hooks.example.com/cc", "--account", "buyer")
    assert code == 0 and "secret (shown once)" in out
    assert run("watch", "remove", GATE, "--account", "buyer") == (0, "Removed.\n")


def test_an_unknown_account_is_a_clear_error(registry: Engine) -> None:
    code, out = run("watch", "add", GATE, "--account", "nobody")
    assert code == 4 and "account.not_found" in out


def test_deliver_reports_what_it_did(registry: Engine) -> None:
    code, out = run("watch", "deliver")
    assert code == 0 and out == "delivered 0, to retry 0, parked 0\n"

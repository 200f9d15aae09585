"""`corpcredit show`: the organisation page in a terminal, and its exit codes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from corpcredit.cli import app
from tests.services.test_lookup_registry import (
    DEFAULTER,
    GATE,
    HEAD,
    PERSON,
    REPAIRED,
    SHANGHAI,
    worked,
)

runner = CliRunner()


@pytest.fixture
def registry(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    worked(engine)
    monkeypatch.setenv("CORPCREDIT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def show(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["show", *args])
    return result.exit_code, result.output


def test_show_prints_score_reasons_records_and_branches(registry: Engine) -> None:
    code, out = show(HEAD, "--as-of", "2025-06-30")
    assert code == 0, out
    assert "北京示例控股集团有限公司" in out and "91 110105 MA01HEAD9 C" in out
    assert "score 923" in out and "grade B" in out
    assert out.index("-40.00") < out.index("-30.00") < out.index("-7.50")  # top reasons first
    assert "北京示例控股集团有限公司上海分公司" in out  # the travelling line names its branch
    assert "Records in force" in out and "2026-03-01" in out
    assert SHANGHAI in out


def test_show_black_listed_entity_prints_its_exit_date(registry: Engine) -> None:
    code, out = show(DEFAULTER, "--as-of", "2025-06-30")
    assert code == 0, out
    assert "BLACK LIST" in out and "since 2024-10-15" in out
    assert "scheduled exit 2026-10-15" in out and "repair from 2025-10-15" in out


def test_show_json_known_at_reproduces_the_page_before_the_repair_was_learnt(
    registry: Engine,
) -> None:
    code, out = show(REPAIRED, "--as-of", "2025-06-30", "--json")
    assert code == 0, out
    now = json.loads(out)
    assert (now["score"], now["black"], now["records"]) == (1000, False, [])
    code, out = show(
        REPAIRED, "--as-of", "2025-06-30", "--known-at", "2025-03-01T12:00:00+08:00", "--json"
    )
    assert code == 0, out
    then = json.loads(out)
    assert (then["score"], then["grade"]["code"], then["black"]) == (920, "D", True)
    assert then["known_at"] == "2025-03-01T04:00:00+00:00"
    assert then["lists"][0]["scheduled_exit"] == "2027-01-10"
    assert [r["record_id"] for r in then["records"]] == ["W12"]


def test_show_json_is_the_public_view(registry: Engine) -> None:
    code, out = show(GATE, "--as-of", "2025-06-30", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert [r["record_id"] for r in data["records"]] == ["W5"]
    assert data["withheld_points_h"] == -500 and "W6" not in out and "W4" not in out
    code, out = show(PERSON, "--json")
    person = json.loads(out)
    assert person["score"] is None and person["identity"]["legal_form"] is None


def test_unknown_usci_exits_4_with_entity_not_found(registry: Engine) -> None:
    code, out = show("91110000600037341L")
    assert code == 4
    assert "[entity.not_found]" in out and "91110000600037341L" in out


def test_invalid_usci_exits_4_with_the_identifier_modules_reason(registry: Engine) -> None:
    code, out = show("91110105MA01HEAD9D")
    assert code == 4
    assert "[usci.check]" in out and "should be 'C' but is 'D'" in out


def test_bad_dates_are_usage_errors(registry: Engine) -> None:
    assert show(HEAD, "--as-of", "30/06/2025")[0] == 2
    assert show(HEAD, "--known-at", "yesterday")[0] == 2

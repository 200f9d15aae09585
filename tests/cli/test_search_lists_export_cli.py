"""`corpcredit search`, `lists` and `export` over a registry database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from corpcredit.cli import app
from tests.services.test_lookup_registry import ABNORMAL, DEFAULTER, GATE, HEAD, worked

runner = CliRunner()


@pytest.fixture
def registry(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    reg = worked(engine)
    reg.list_entry(
        DEFAULTER, "black", "2024-10-15", basis=[{"source": "example", "record_id": "W10"}]
    )
    reg.list_entry(ABNORMAL, "black", "2025-06-30")
    reg.list_entry(GATE, "black", "2021-01-01", "2023-01-01")
    monkeypatch.setenv("CORPCREDIT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_search_by_name_without_legal_form(registry: Engine) -> None:
    code, out = run("search", "北京示例控股集团有限责任公司", "--json")
    assert code == 0, out
    page = json.loads(out)
    assert page["total"] == 3 and page["hits"][0]["usci"] == HEAD
    assert page["hits"][0]["score"] == 923
    code, out = run("search", "武汉失信工程")
    assert code == 0 and DEFAULTER in out and "880" in out and "black" in out


def test_search_limit_and_bad_query(registry: Engine) -> None:
    code, out = run("search", "北京示例", "--limit", "1", "--json")
    assert code == 0 and len(json.loads(out)["hits"]) == 1
    code, out = run("search", "x" * 300)
    assert code == 4 and "[search.invalid_query]" in out


def test_lists_csv_has_the_scheduled_exit(registry: Engine) -> None:
    code, out = run("lists", "black", "--as-of", "2025-06-30", "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["usci"] for r in rows] == [ABNORMAL, DEFAULTER]
    defaulter = rows[1]
    assert (defaulter["entered_on"], defaulter["scheduled_exit"]) == ("2024-10-15", "2026-10-15")
    assert json.loads(defaulter["basis"]) == [{"source": "example", "record_id": "W10"}]


def test_lists_json_as_of_and_region(registry: Engine) -> None:
    code, out = run("lists", "black", "--as-of", "2022-06-01", "--format", "json")
    assert code == 0 and [m["usci"] for m in json.loads(out)] == [GATE]
    code, out = run(
        "lists", "black", "--as-of", "2025-06-30", "--region", "4201", "--format", "json"
    )
    assert code == 0 and [m["usci"] for m in json.loads(out)] == [DEFAULTER]
    code, out = run("lists", "black", "--as-of", "2025-06-30")
    assert code == 0 and "black list: 2 entries" in out


def test_lists_refuses_an_unknown_list_and_a_bad_region(registry: Engine) -> None:
    assert run("lists", "grey")[0] == 2
    code, out = run("lists", "black", "--region", "4")
    assert code == 4 and "[lists.invalid_query]" in out


def test_export_writes_the_files_and_refuses_to_overwrite(registry: Engine, tmp_path: Path) -> None:
    out_dir = tmp_path / "open-data"
    code, out = run("export", str(out_dir))
    assert code == 0, out
    assert "records: 8 rows" in out
    manifest = json.loads((out_dir / "manifest.json").read_text("utf-8"))
    assert manifest["tables"]["entities"] == {"rows": 10}
    code, out = run("export", str(out_dir))
    assert code == 4 and "[export.target_exists]" in out

"""`corpcredit screen` end to end: a CSV and an XLSX supplier list, and reviewer decisions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from corpcredit.cli import app
from corpcredit.screening import MATCHER_VERSION, REPORT_COLUMNS
from tests.screening.registry import DEFAULTER, GATE, HEAD, screening_registry

runner = CliRunner()
SUPPLIERS = [
    ("S-1", "北京示例控股集团有限责任公司", ""),
    ("S-2", "武汉失信工程", ""),
    ("S-3", "南京异常贸易", GATE),
    ("S-4", "不存在的公司", ""),
]


@pytest.fixture
def registry(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    screening_registry(engine)
    monkeypatch.setenv("CORPCREDIT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return tmp_path / "index"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_screening_a_csv_writes_a_csv_report_and_its_summary(
    registry: Path, tmp_path: Path
) -> None:
    source = tmp_path / "suppliers.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ref", "name", "usci"])
        writer.writerows(SUPPLIERS)
    out = tmp_path / "report.csv"
    code, output = run("screen", str(source), "--out", str(out), "--index", str(registry))
    assert code == 0, output
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["ref", "name", "usci", *REPORT_COLUMNS]
    got = {r["ref"]: r for r in rows}
    assert got["S-1"]["match_usci"] == HEAD and got["S-1"]["credit_grade"] == "B"
    assert got["S-2"]["match_usci"] == DEFAULTER and got["S-2"]["credit_lists"] == "black"
    assert got["S-3"]["flags"] == "name_contradicts_usci"
    assert got["S-4"]["match_status"] == "none"
    summary = json.loads((tmp_path / "report.summary.json").read_text("utf-8"))
    assert summary["rows"] == 4 and summary["stamp"]["matcher_version"] == MATCHER_VERSION
    assert "audit head" in output


def test_screening_an_xlsx_writes_a_workbook_with_a_summary_sheet(
    registry: Path, tmp_path: Path
) -> None:
    source = tmp_path / "suppliers.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet()
    for r, row in enumerate([("ref", "name", "usci"), *SUPPLIERS]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    out = tmp_path / "report.xlsx"
    code, output = run("screen", str(source), "--out", str(out), "--index", str(registry))
    assert code == 0, output
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["Screening", "Summary"]
    table = list(workbook["Screening"].iter_rows(values_only=True))
    header = list(table[0])
    assert header == ["ref", "name", "usci", *REPORT_COLUMNS]
    by_ref = {row[0]: dict(zip(header, row, strict=True)) for row in table[1:]}
    assert by_ref["S-2"]["match_usci"] == DEFAULTER and by_ref["S-2"]["credit_score"] == 880
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert summary["Rows screened"] == 4 and summary["Matched on the black list"] == 1
    assert summary["Matcher version"] == MATCHER_VERSION
    assert isinstance(summary["Audit log head (seq)"], int)
    workbook.close()


def test_a_list_without_name_or_usci_is_refused(registry: Path, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("supplier name\n某公司\n", encoding="utf-8")
    code, output = run("screen", str(source), "--out", str(tmp_path / "r.csv"))
    assert code == 2 and "screening.invalid_input" in output


def test_a_reviewer_decision_changes_the_next_report(registry: Path, tmp_path: Path) -> None:
    source = tmp_path / "one.csv"
    source.write_text("name\n武汉失信工程有限公司\n", encoding="utf-8")
    code, output = run("screen-decide", "武汉失信工程", DEFAULTER, "--by", "reviewer-1")
    assert code == 0 and "Recorded" in output
    out = tmp_path / "r.csv"
    assert run("screen", str(source), "--out", str(out), "--index", str(registry))[0] == 0
    with out.open(encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert (row["match_status"], row["flags"]) == ("none", "reviewer_rejected")
    assert run("screen-decide", "武汉失信工程", DEFAULTER, "--by", "r", "--withdraw")[0] == 0


def test_the_index_command_reports_the_index(registry: Path) -> None:
    code, output = run("screen-index", "--index", str(registry))
    assert code == 0 and "11 organisations" in output

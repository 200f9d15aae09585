"""`corpcredit ids check` (FORMATS.md, "Identifier check")."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from corpcredit.cli import app

runner = CliRunner()


def check(*args: str) -> tuple[int, list[list[str]]]:
    result = runner.invoke(app, ["ids", "check", *args])
    return result.exit_code, [line.split("\t") for line in result.stdout.splitlines()]


def test_all_valid_exits_0_with_one_tab_separated_line_each() -> None:
    code, lines = check("91110000600037341L", "9144030071526726xg")
    assert code == 0
    assert lines == [
        ["91110000600037341L", "valid", "91110000600037341L", ""],
        ["9144030071526726xg", "valid", "9144030071526726XG", ""],
    ]


def test_any_invalid_exits_1_with_the_reason() -> None:
    code, lines = check("91110000600037341L", "91110000600037341M")
    assert code == 1
    value, status, normalized, reason = lines[1]
    assert (value, status, normalized) == ("91110000600037341M", "invalid", "91110000600037341M")
    assert "position 18" in reason and "'L'" in reason


def test_several_reasons_are_joined_with_semicolons() -> None:
    _, [[*_, reason]] = check("000000000000000000")
    assert reason.count("; ") == 1
    assert "registration authority" in reason and "province-level" in reason


def test_warnings_are_shown_for_valid_values() -> None:
    _, [[_, status, _, reason]] = check("911101996000373417")
    assert status == "valid"
    assert reason.startswith("division code 110199 is not in GB/T 2260")


def test_value_is_escaped_but_chinese_stays_readable() -> None:
    code, lines = check("9111\t0000600037341L\u200b", "代码\n91")
    assert code == 1
    assert lines[0][:3] == ["9111\\t0000600037341L\\u200b", "valid", "91110000600037341L"]
    assert lines[1][0] == "代码\\n91"
    assert len(lines) == 2


def test_json_lines() -> None:
    result = runner.invoke(app, ["ids", "check", "--json", "92340621MA2PBKRXXG", "9511"])
    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert list(first) == [
        "input",
        "valid",
        "normalized",
        "errors",
        "warnings",
        "authority",
        "entity_type",
        "natural_person",
    ]
    assert first["valid"] is True
    assert first["natural_person"] is True
    assert first["authority"] == {
        "code": "9",
        "en": "market regulation",
        "zh": "市场监督管理（工商）",
    }
    assert first["entity_type"]["zh"] == "个体工商户"
    assert second["valid"] is False
    assert second["errors"][0]["code"] == "usci.length"
    assert second["authority"] is None


def test_file_with_bom_crlf_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "codes.txt"
    path.write_bytes("\ufeff91110000600037341L\r\n\r\n   \n121200004013590816\n".encode())
    code, lines = check("--file", str(path))
    assert code == 0
    assert [line[0] for line in lines] == ["91110000600037341L", "121200004013590816"]


def test_values_and_file_together(tmp_path: Path) -> None:
    path = tmp_path / "codes.txt"
    path.write_text("91110000600037341M\n", encoding="utf-8")
    code, lines = check("91110000600037341L", "--file", str(path))
    assert code == 1
    assert [line[1] for line in lines] == ["valid", "invalid"]


def test_no_value_is_a_usage_error() -> None:
    result = runner.invoke(app, ["ids", "check"])
    assert result.exit_code == 2
    assert result.stdout == ""


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("统一社会信用代码\n".encode("gbk"))
    result = runner.invoke(app, ["ids", "check", "--file", str(path)])
    assert result.exit_code == 2
    assert "[input.invalid]" in result.stderr
    assert "GB18030" in result.stderr
    assert result.stdout == ""


def test_missing_file_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ids", "check", "--file", str(tmp_path / "none.txt")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = shutil.which("corpcredit", path=str(Path(sys.executable).parent))
    command = (
        [script] if script else [sys.executable, "-c", "from corpcredit.cli import main; main()"]
    )
    return subprocess.run(
        [*command, "ids", "check", *args], capture_output=True, text=True, encoding="utf-8"
    )


def test_installed_command_exit_codes_and_output() -> None:
    ok = run_cli("91110000600037341L", "92340621MA2PBKRXXG")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[1] == "92340621MA2PBKRXXG\tvalid\t92340621MA2PBKRXXG\t"

    bad = run_cli("91110000600037341L", "9111000060003734OL")
    assert bad.returncode == 1, bad.stderr
    assert bad.stdout.splitlines()[1].startswith(
        "9111000060003734OL\tinvalid\t9111000060003734OL\t"
    )

    usage = run_cli()
    assert usage.returncode == 2
    assert "VALUE" in usage.stderr

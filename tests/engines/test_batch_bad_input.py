"""Batch scoring refuses invalid input as a whole, naming file, row and column."""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpcredit.cli import app
from tests.worked import WORKED


def _copy(tmp_path: Path) -> Path:
    for name in ("entities.csv", "records.csv", "events.csv"):
        shutil.copy(WORKED / name, tmp_path / name)
    return tmp_path


def _run(d: Path) -> tuple[int, str, Path]:
    out = d / "out" / "results.csv"
    res = CliRunner().invoke(
        app,
        [
            "batch",
            "score",
            str(d / "entities.csv"),
            str(d / "records.csv"),
            "--events",
            str(d / "events.csv"),
            "--as-of",
            "2025-06-30",
            "--out",
            str(out),
        ],
    )
    return res.exit_code, res.output, out


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "where", "code"),
    [
        (
            "records.csv",
            "W3,example,91440305MA03BR02X7,spot_check_failed",
            "W3,example,91440305MA03BR02X7,spot_check_flunked",
            "row 4, column 'kind'",
            "input.unknown_kind",
        ),
        (
            "records.csv",
            "W1,example,91110105MA01HEAD9C,admin_penalty,general",
            "W1,example,91110105MA01HEAD9C,admin_penalty,huge",
            "row 2, column 'tier'",
            "input.bad_tier",
        ),
        (
            "records.csv",
            "2025-04-01,示例市市场监督管理局,示市监罚〔2025〕8号,A",
            "2025-04-01,示例市市场监督管理局,示市监罚〔2025〕8号,Q",
            "row 9, column 'grade'",
            "input.bad_grade",
        ),
        (
            "records.csv",
            "示市监罚〔2025〕1号,,,",
            "示市监罚〔2025〕1号,,true,",
            "row 2, column 'black'",
            "input.black_below_serious",
        ),
        (
            "records.csv",
            "示市监罚〔2024〕12号,,true,",
            "示市监罚〔2024〕12号,,maybe,",
            "row 13, column 'black'",
            "input.bad_bool",
        ),
        (
            "records.csv",
            "2025-03-01,示例市市场监督管理局,示市监罚〔2025〕1号",
            "2025-13-01,示例市市场监督管理局,示市监罚〔2025〕1号",
            "row 2, column 'decided_on'",
            "input.bad_date",
        ),
        ("records.csv", "W2,example", "W1,example", "row 3, column 'record_id'", "input.duplicate"),
        (
            "entities.csv",
            "91330106MA04GATE40",
            "91330106MA04GATE41",
            "row 5, column 'usci'",
            "usci.check",
        ),
        (
            "entities.csv",
            "91110105MA01HEAD9C,北京示例控股集团有限公司,,",
            "91110105MA01HEAD9C,北京示例控股集团有限公司,91310115MA02BR010U,",
            "column 'parent_usci'",
            "input.parent_cycle",
        ),
    ],
)
def test_invalid_row_refuses_the_whole_input_and_writes_nothing(
    tmp_path, file, old, new, where, code
):
    d = _copy(tmp_path)
    _replace(d / file, old, new)
    exit_code, output, out = _run(d)
    assert exit_code == 2, output
    assert where in output and code in output and file in output
    assert not out.exists()
    assert not (d / "out").exists() or not any((d / "out").iterdir())


def test_missing_required_column_is_named(tmp_path):
    d = _copy(tmp_path)
    lines = (d / "records.csv").read_text("utf-8").splitlines()
    (d / "records.csv").write_text("\n".join(",".join(x.split(",")[:6]) for x in lines), "utf-8")
    exit_code, output, _ = _run(d)
    assert exit_code == 2
    assert "required column(s) missing: authority" in output


def test_gbk_encoded_feed_is_converted_and_scores_the_same(tmp_path):
    d = _copy(tmp_path)
    for name in ("entities.csv", "records.csv"):
        (d / name).write_bytes((WORKED / name).read_text("utf-8").encode("gb18030"))
    exit_code, output, out = _run(d)
    assert exit_code == 0, output
    assert "91110105MA01HEAD9C,2025-06-30,false,923,B" in out.read_text("utf-8")


def test_file_in_no_known_encoding_is_refused(tmp_path):
    d = _copy(tmp_path)
    (d / "entities.csv").write_bytes(b"usci,name\n" + bytes(range(128, 256)) * 4)
    exit_code, output, _ = _run(d)
    assert exit_code == 2
    assert "input.encoding" in output


def test_utf8_bom_is_accepted(tmp_path):
    d = _copy(tmp_path)
    (d / "entities.csv").write_bytes(b"\xef\xbb\xbf" + (WORKED / "entities.csv").read_bytes())
    assert _run(d)[0] == 0


@pytest.mark.parametrize(
    ("bad_record", "named", "not_named"),
    [
        (True, "input.unknown_kind", "input.parent_cycle"),
        (False, "input.parent_cycle", "input.unknown_kind"),
    ],
)
def test_a_parent_cycle_waits_until_every_row_is_good(tmp_path, bad_record, named, not_named):
    # The entities are checked beside the records: a cycle among them is named only
    # when no row of any file is bad, as before.
    d = _copy(tmp_path)
    _replace(
        d / "entities.csv",
        "91110105MA01HEAD9C,北京示例控股集团有限公司,,",
        "91110105MA01HEAD9C,北京示例控股集团有限公司,91310115MA02BR010U,",
    )
    if bad_record:
        _replace(
            d / "records.csv",
            "W3,example,91440305MA03BR02X7,spot_check_failed",
            "W3,example,91440305MA03BR02X7,spot_check_flunked",
        )
    exit_code, output, out = _run(d)
    assert exit_code == 2, output
    assert named in output and not_named not in output
    assert not out.exists()

"""Screening a list against a stored registry: matches, standing, stamp, decisions."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import audit, screening
from corpcredit.screening import Matcher, ScreeningInputError, UnknownDecision
from corpcredit.store import begin_write
from corpcredit.store.schema import audit_log
from tests.screening.registry import (
    ABNORMAL,
    DEFAULTER,
    GATE,
    HEAD,
    HUAXIN,
    PERSON,
    RED,
    SHANGHAI,
    screening_registry,
)

ROWS = [
    {"name": "北京示例控股集团有限责任公司", "ref": "S-1"},
    {"name": "武汉失信工程", "ref": "S-2"},
    {"name": "南京异常贸易", "usci": GATE, "ref": "S-3"},
    {"name": "北京示例控股集团上海分公司", "ref": "S-4"},
    {"name": "成都守信製造股份有限公司", "ref": "S-5"},
    {"name": "Wuhan Shixin Gongcheng Youxian Gongsi", "ref": "S-6"},
    {"name": "某某个体商店", "ref": "S-7"},
    {"name": "不存在的公司", "ref": "S-8"},
    {"name": "Huaxin Technology", "ref": "S-9"},
    {"name": "杭州华信电子", "ref": "S-10"},
]


@pytest.fixture
def registry(engine: Engine, tmp_path: Path) -> tuple[Engine, Matcher]:
    screening_registry(engine)
    with engine.connect() as conn:
        index = screening.open_index(conn, tmp_path / "index")
    return engine, Matcher(index)


def screen(
    engine: Engine, matcher: Matcher, rows: list[dict[str, str]]
) -> screening.ScreeningReport:
    with engine.connect() as conn:
        return screening.screen_rows(conn, rows, matcher)


def test_each_row_gets_its_match_and_the_matchs_standing(registry: tuple[Engine, Matcher]) -> None:
    engine, matcher = registry
    report = screen(engine, matcher, ROWS)
    got = {r["ref"]: r for r in report.records()}
    assert got["S-1"]["match_usci"] == HEAD and got["S-1"]["credit_score"] == 923
    assert got["S-1"]["credit_grade"] == "B" and got["S-1"]["credit_lists"] is None
    defaulter = got["S-2"]
    assert defaulter["match_usci"] == DEFAULTER and defaulter["credit_grade"] == "D"
    assert defaulter["credit_lists"] == "black"
    assert defaulter["top_reason"].startswith("court_defaulter (serious): -120.00 points")
    assert got["S-4"]["match_usci"] == SHANGHAI
    assert got["S-5"]["match_usci"] == RED and got["S-5"]["credit_lists"] == "red"
    assert got["S-6"]["match_usci"] == DEFAULTER and "via pinyin" in got["S-6"]["match_reason"]
    assert got["S-8"]["match_status"] == "none" and got["S-8"]["match_usci"] is None
    assert got["S-9"]["match_usci"] == HUAXIN and got["S-9"]["match_via"] == "name_en"
    assert got["S-10"]["match_usci"] == HUAXIN and got["S-10"]["match_via"] == "alias"


def test_a_natural_person_is_named_but_never_scored(registry: tuple[Engine, Matcher]) -> None:
    engine, matcher = registry
    record = screen(engine, matcher, [{"name": "某某个体商店"}]).records()[0]
    assert record["match_usci"] == PERSON
    assert (record["credit_score"], record["credit_grade"], record["credit_lists"]) == (None,) * 3
    assert record["top_reason"] is None


def test_the_identifier_wins_and_a_contradicting_name_is_flagged(
    registry: tuple[Engine, Matcher],
) -> None:
    engine, matcher = registry
    record = screen(engine, matcher, [{"name": "南京异常贸易", "usci": GATE}]).records()[0]
    assert record["match_status"] == "usci" and record["match_usci"] == GATE
    assert record["flags"] == "name_contradicts_usci"
    assert (
        record["alternatives"] == f"南京异常贸易有限公司 [{ABNORMAL}] 1.00 (lists: black, abnormal)"
    )


def test_other_columns_are_carried_through_and_clashing_names_kept(
    registry: tuple[Engine, Matcher],
) -> None:
    engine, matcher = registry
    report = screen(engine, matcher, [{"名称": "武汉失信工程", "grade": "vendor A", "x": "1"}])
    record = report.records()[0]
    assert list(record)[:3] == ["名称", "grade", "x"]
    assert record["grade"] == "vendor A" and record["credit_grade"] == "D"


def test_the_summary_counts_outcomes_and_the_stamp_names_the_data(
    registry: tuple[Engine, Matcher],
) -> None:
    engine, matcher = registry
    report = screen(engine, matcher, ROWS)
    summary = report.summary()
    assert summary["rows"] == 10 and summary["matched"] == 9
    assert summary["status"] == {"usci": 1, "name": 8, "ambiguous": 0, "none": 1}
    assert summary["lists"]["black"] == 2  # S-2 and S-6
    assert summary["natural_persons"] == 1
    with engine.connect() as conn:
        head = audit.head(conn)
    stamp = summary["stamp"]
    assert (stamp["audit_seq"], stamp["audit_hash"]) == (head.seq, head.hash)
    assert stamp["matcher_version"] == screening.MATCHER_VERSION
    assert stamp["catalogue_versions"] and stamp["index_names"] == len(matcher.index)


def test_rows_without_name_or_usci_columns_are_refused(registry: tuple[Engine, Matcher]) -> None:
    engine, matcher = registry
    with pytest.raises(ScreeningInputError, match="needs a column 'name' or 'usci'"):
        screen(engine, matcher, [{"company name": "x"}])
    with engine.connect() as conn, pytest.raises(ScreeningInputError, match="at most 1"):
        screening.screen_rows(conn, [{"name": "a"}, {"name": "b"}], matcher, max_rows=1)


def test_not_this_one_is_honoured_by_later_screenings_and_can_be_withdrawn(
    registry: tuple[Engine, Matcher],
) -> None:
    engine, matcher = registry
    rows = [{"name": "武汉失信工程有限公司"}]
    assert screen(engine, matcher, rows).records()[0]["match_usci"] == DEFAULTER
    with begin_write(engine) as conn:
        decision = screening.not_this_one(
            conn, "武汉失信工程", DEFAULTER, by="reviewer-1", note="a namesake"
        )
    assert decision.usci == DEFAULTER and decision.withdrawn_at is None
    # Another spelling of the same name: the decision still holds.
    record = screen(engine, matcher, [{"name": "武漢失信工程有限責任公司"}]).records()[0]
    assert record["match_status"] == "none" and record["flags"] == "reviewer_rejected"
    assert DEFAULTER not in (record["alternatives"] or "")
    # The identifier still matches: a decision is about names.
    by_id = screen(engine, matcher, [{"name": "武汉失信工程", "usci": DEFAULTER}]).records()[0]
    assert by_id["match_usci"] == DEFAULTER
    with begin_write(engine) as conn:
        assert screening.withdraw(conn, "武汉失信工程", DEFAULTER, by="reviewer-1")
        assert not screening.withdraw(conn, "武汉失信工程", DEFAULTER, by="reviewer-1")
    assert screen(engine, matcher, rows).records()[0]["match_usci"] == DEFAULTER
    with engine.connect() as conn:
        actions = [
            a for (a,) in conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.seq))
        ]
        history = screening.list_decisions(conn, include_withdrawn=True)
    assert actions[-2:] == ["screening.not_this_one", "screening.decision_withdrawn"]
    assert len(history) == 1 and history[0].withdrawn_at is not None


def test_a_decision_about_an_unknown_organisation_is_refused(
    registry: tuple[Engine, Matcher],
) -> None:
    engine, _ = registry
    with begin_write(engine) as conn, pytest.raises(UnknownDecision):
        screening.not_this_one(conn, "武汉失信工程", "91110000600037341L", by="reviewer-1")


def test_an_upload_screens_and_downloads_as_csv_or_xlsx(registry: tuple[Engine, Matcher]) -> None:
    engine, matcher = registry
    columns, rows = screening.read_upload("name,ref\n武汉失信工程,S-2\n".encode(), "list.csv")
    assert columns == ["name", "ref"] and rows == [{"name": "武汉失信工程", "ref": "S-2"}]
    with engine.connect() as conn:
        report = screening.screen_rows(conn, rows, matcher, columns=columns, max_rows=1000)
    text = screening.report_bytes(report, "csv").decode("utf-8-sig")
    assert text.splitlines()[0].startswith("name,ref,match_status,match_usci")
    assert DEFAULTER in text
    workbook = openpyxl.load_workbook(io.BytesIO(screening.report_bytes(report, "xlsx")))
    assert workbook.sheetnames == ["Screening", "Summary"]
    with pytest.raises(ScreeningInputError):
        screening.read_upload(b"x", "list.pdf")

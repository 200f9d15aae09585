"""Matching a row: the identifier first, then the name; ambiguity and reviewers' rulings."""

from __future__ import annotations

import pytest

from corpcredit.screening import CandidateIndex, IndexManifest, Matcher, normalise
from tests.factory import usci

HUAXIN, HUADA, NINGBO, TAIZHOU, JIAXING, PERSON = (
    usci(1),
    usci(2),
    usci(3, division="330201"),
    usci(4, division="331002"),
    usci(5, division="321202"),
    usci(6, kind="92"),
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    rows = [
        {
            "usci": HUAXIN,
            "name": "杭州华信科技有限公司",
            "name_en": "Hangzhou Huaxin Technology Co., Ltd.",
        },
        {"usci": HUADA, "name": "杭州华达科技有限公司"},
        {"usci": NINGBO, "name": "宁波华信科技有限公司"},
        # 台州 and 泰州 are both Taizhou: in pinyin these two cannot be told apart.
        {"usci": TAIZHOU, "name": "台州瑞泰贸易有限公司"},
        {"usci": JIAXING, "name": "泰州瑞泰贸易有限公司"},
        {"usci": PERSON, "name": "杭州某某便利店"},
    ]
    return Matcher(CandidateIndex.build(rows, IndexManifest("t", "now")))


def test_a_name_finds_its_organisation_with_a_reason(matcher: Matcher) -> None:
    result = matcher.match("華信（杭州）科技有限责任公司")
    assert result.status == "name" and result.best is not None
    assert (result.best.usci, result.best.score) == (HUAXIN, 1.0)
    assert result.best.reason == "same name; same region 杭州"
    assert result.query_key == normalise("杭州华信科技").key


def test_close_candidates_are_listed_as_alternatives(matcher: Matcher) -> None:
    result = matcher.match("杭州华信科技有限公司")
    assert [a.usci for a in result.alternatives] == [HUADA, NINGBO]
    assert all(a.score < result.best.score for a in result.alternatives)  # type: ignore[union-attr]


def test_an_english_name_matches_and_says_so(matcher: Matcher) -> None:
    result = matcher.match("HANGZHOU HUAXIN TECHNOLOGY CO LTD")
    assert result.best is not None and result.best.usci == HUAXIN
    assert result.best.via == "name_en" and result.best.name == "杭州华信科技有限公司"
    assert result.best.reason.startswith("English name: ")


def test_nothing_close_enough_is_no_match(matcher: Matcher) -> None:
    result = matcher.match("杭州华通科技有限公司")
    assert (result.status, result.best) == ("none", None)
    assert {a.usci for a in result.alternatives} >= {HUAXIN, HUADA}


def test_two_equally_good_organisations_are_ambiguous(matcher: Matcher) -> None:
    result = matcher.match("Taizhou Ruitai Maoyi Youxian Gongsi")
    assert (result.status, result.best) == ("ambiguous", None)
    assert {a.usci for a in result.alternatives} == {TAIZHOU, JIAXING}
    assert matcher.match("台州瑞泰贸易有限公司").best.usci == TAIZHOU  # type: ignore[union-attr]


def test_the_identifier_matches_first_and_an_agreeing_name_is_noted(matcher: Matcher) -> None:
    result = matcher.match("杭州华信科技", f" {HUAXIN.lower()} ")
    assert result.status == "usci" and result.flags == ()
    assert result.best is not None and result.best.usci == HUAXIN and result.best.score == 1.0
    assert result.best.reason.startswith("identifier; the name agrees")


def test_a_name_contradicting_the_identifier_is_flagged(matcher: Matcher) -> None:
    result = matcher.match("宁波华信科技有限公司", HUADA)
    assert result.status == "usci" and result.best is not None and result.best.usci == HUADA
    assert result.flags == ("name_contradicts_usci",)
    assert "does not match the registered name" in result.best.reason
    assert [a.usci for a in result.alternatives] == [NINGBO]


def test_an_invalid_identifier_is_flagged_and_the_name_used(matcher: Matcher) -> None:
    bad = HUADA[:-1] + ("0" if HUADA[-1] != "0" else "1")
    result = matcher.match("杭州华信科技有限公司", bad)
    assert result.flags == ("usci_invalid",)
    assert result.status == "name" and result.best.usci == HUAXIN  # type: ignore[union-attr]


def test_an_unknown_identifier_is_flagged(matcher: Matcher) -> None:
    result = matcher.match(None, usci(999))
    assert (result.status, result.flags) == ("none", ("usci_unknown",))


def test_a_natural_person_is_found_by_name_and_marked(matcher: Matcher) -> None:
    result = matcher.match("杭州某某便利店")
    assert result.best is not None and result.best.natural_person


def test_a_ruled_out_organisation_is_left_out_for_every_spelling(matcher: Matcher) -> None:
    key = normalise("杭州华信科技有限公司").key
    result = matcher.match("華信（杭州）科技", rejected={key: {HUAXIN}})
    assert result.status == "none" and result.flags == ("reviewer_rejected",)
    assert HUAXIN not in {a.usci for a in result.alternatives}
    other = matcher.match("宁波华信科技有限公司", rejected={key: {HUAXIN}})
    assert other.best is not None and other.best.usci == NINGBO and other.flags == ()

"""The scorer: typists' slips cost little, meaningful differences cost a match."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpcredit.screening import THRESHOLD, compare, normalise


def score(query: str, candidate: str, division: str | None = None) -> float:
    return compare(normalise(query), normalise(candidate), division).score


def reason(query: str, candidate: str) -> str:
    return compare(normalise(query), normalise(candidate)).reason


def test_the_same_name_written_differently_scores_one() -> None:
    assert score("華信(杭州)科技有限责任公司", "杭州华信科技有限公司") == 1.0
    assert (
        reason("華信(杭州)科技有限责任公司", "杭州华信科技有限公司")
        == "same name; same region 杭州"
    )


def test_a_homophone_typo_still_matches() -> None:
    assert THRESHOLD <= score("杭州华鑫科技有限公司", "杭州华信科技有限公司") < 1.0
    assert "homophone 鑫/信" in reason("杭州华鑫科技有限公司", "杭州华信科技有限公司")


def test_a_doubled_character_still_matches() -> None:
    assert THRESHOLD <= score("杭州华信信科技有限公司", "杭州华信科技有限公司") < 1.0


def test_one_different_character_of_the_trade_name_is_another_firm() -> None:
    assert score("杭州华达科技有限公司", "杭州华信科技有限公司") < THRESHOLD
    assert "达/信 differ" in reason("杭州华达科技有限公司", "杭州华信科技有限公司")


def test_another_region_is_another_firm() -> None:
    assert score("宁波华信科技有限公司", "杭州华信科技有限公司") < THRESHOLD


def test_a_province_containing_the_city_matches_a_little_lower() -> None:
    assert THRESHOLD <= score("浙江华信科技有限公司", "杭州华信科技有限公司") < 1.0


def test_a_missing_region_is_checked_against_the_registered_division() -> None:
    assert score("杭州瑞泰科技有限公司", "瑞泰科技有限公司", "330106") >= THRESHOLD
    assert score("宁波瑞泰科技有限公司", "瑞泰科技有限公司", "330106") < THRESHOLD


def test_an_exact_legal_form_beats_another_one() -> None:
    exact = score("杭州华信科技有限公司", "杭州华信科技有限责任公司")
    other = score("杭州华信科技有限公司", "杭州华信科技股份有限公司")
    assert exact == 1.0 and THRESHOLD <= other < exact


def test_a_head_office_is_not_its_branch() -> None:
    assert score("北京示例控股集团有限公司", "北京示例控股集团有限公司上海分公司") < THRESHOLD
    assert score("北京示例控股集团上海分公司", "北京示例控股集团有限公司上海分公司") == 1.0
    assert score("北京示例控股集团深圳分公司", "北京示例控股集团有限公司上海分公司") < THRESHOLD


def test_pinyin_meets_the_chinese_name() -> None:
    assert score("Hangzhou Huaxin Keji Youxian Gongsi", "杭州华信科技有限公司") == 1.0
    assert "via pinyin" in reason("huaxin keji", "杭州华信科技有限公司")
    assert score("Hangzhou Huada Keji", "杭州华信科技有限公司") < THRESHOLD


def test_an_english_name_tolerates_a_misspelt_word_but_not_another_syllable() -> None:
    target = "Hangzhou Huaxin Technology Co., Ltd."
    assert score("HANGZHOU HUAXIN TECHNOLGY CO LTD", target) >= THRESHOLD
    assert score("Hangzhou Huaxing Technology Co Ltd", target) < THRESHOLD


def test_where_a_region_ends_may_be_read_either_way() -> None:
    assert score("xianyangxijianzhugongcheng", "西安阳西建筑工程有限公司", "610103") == 1.0


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_scores_stay_between_zero_and_one(a: str, b: str) -> None:
    assert 0.0 <= score(a, b) <= 1.0


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="华信科技杭州有限公司（）集团股份上海分第二ABC ", min_size=1, max_size=20))
def test_a_name_scores_one_against_itself(name: str) -> None:
    form = normalise(name)
    if form.core:
        assert compare(form, form).score == 1.0


def test_a_region_word_that_is_really_the_trade_name_is_read_both_ways() -> None:
    # 西城 is a district of Beijing and, here, a trade name written with a homophone.
    assert score("北京西城包装有限公司", "北京西诚包装有限公司") >= THRESHOLD
    assert "region read as name" in reason("北京西城包装有限公司", "北京西诚包装有限公司")
    assert score("安康投资管理股份有限公司", "天津安康投资管理股份有限公司", "120113") >= THRESHOLD
    # ... but a transposition of homophones is still two differences.
    assert score("立利制造有限公司", "邯郸利立制造有限公司") < score("立利制造", "汕头立利制造")

"""Names written every way reduce to the same parts."""

from __future__ import annotations

import pytest

from corpcredit.screening import normalise
from corpcredit.screening.pinyin import sounds, split_syllables
from corpcredit.screening.text import fold

HANGZHOU = frozenset({"3301"})


@pytest.mark.parametrize(
    "name",
    [
        "杭州华信科技有限公司",
        "华信（杭州）科技有限公司",
        "华信(杭州)科技有限责任公司",
        "華信（杭州）科技有限公司",
        "杭州市华信科技有限公司",
        "杭州华信科技",
        " 杭州华信科技有限公司\u200b",
        "杭州 华信 科技 有限公司",
    ],
)
def test_spellings_of_one_chinese_name_share_region_core_and_key(name: str) -> None:
    form = normalise(name)
    assert form.script == "han"
    assert form.core == "华信科技"
    assert form.sounds == ("hua", "xin", "ke", "ji")
    assert form.codes == HANGZHOU
    assert form.key == normalise("杭州华信科技有限公司").key


def test_full_width_letters_and_digits_fold_to_ascii() -> None:
    assert fold("ＡＢＣ１２３（中国）") == "ABC123(中国)"
    assert normalise("ＡＢＣ科技有限公司").core == "abc科技"


def test_traditional_characters_become_simplified() -> None:
    assert fold("廣東華興貿易發展有限公司") == "广东华兴贸易发展有限公司"


@pytest.mark.parametrize(
    ("name", "form", "group"),
    [
        ("杭州华信科技有限公司", "ltd", False),
        ("杭州华信科技有限责任公司", "ltd", False),
        ("杭州华信科技股份有限公司", "jsc", False),
        ("杭州华信科技集团股份有限公司", "jsc", True),
        ("杭州华信科技（集团）有限公司", "ltd", True),
        ("杭州华信科技公司", "co", False),
        ("某某律师事务所（特殊普通合伙）", "partnership", False),
        ("北京市东城区鑫盈茶叶种植专业合作社", "coop", False),
        ("Hangzhou Huaxin Technology Co., Ltd.", "ltd", False),
        ("Huaxin Technology Company Limited", "ltd", False),
        ("Huaxin Technology Group Inc.", "corp", True),
        ("Huaxin GmbH", "ltd", False),
        ("Hangzhou Huaxin Keji Gufen Youxian Gongsi", "jsc", False),
        ("hangzhouhuaxinkejiyouxiangongsi", "ltd", False),
    ],
)
def test_legal_forms_in_chinese_english_and_pinyin_become_classes(
    name: str, form: str, group: bool
) -> None:
    parsed = normalise(name)
    assert (parsed.form, parsed.group) == (form, group)


def test_a_name_that_is_only_a_legal_form_has_no_core() -> None:
    assert normalise("有限公司").core == ""


@pytest.mark.parametrize(
    ("name", "region", "codes"),
    [
        ("浙江华信科技有限公司", "浙江", {"33"}),
        ("宁波市鄞州区富安图文打印店", "宁波市/鄞州区", {"330212"}),
        ("宁波鄞州富安图文打印店", "宁波/鄞州", {"330212"}),
        ("内蒙古自治区华信科技有限公司", "内蒙古自治区", {"15"}),
        ("延边华信科技有限公司", "延边", {"2224"}),
        ("华信（中国）科技有限公司", "中国", {""}),
    ],
)
def test_regions_map_to_division_prefixes(name: str, region: str, codes: set[str]) -> None:
    form = normalise(name)
    assert (form.region, form.codes) == (region, frozenset(codes))


def test_a_county_short_name_opening_a_name_is_a_trade_name() -> None:
    # 西湖 is a district of Hangzhou, but only after the city is it read as a region.
    assert normalise("西湖华信科技有限公司").core == "西湖华信科技"
    assert normalise("杭州西湖华信科技有限公司").core == "华信科技"


def test_a_bracketed_region_leaves_a_leading_place_word_in_the_name() -> None:
    # 海东 is a city too; with the region in brackets it is the trade name.
    form = normalise("海东（鞍山）物流股份有限公司")
    assert (form.core, form.codes) == ("海东物流", frozenset({"2103"}))


@pytest.mark.parametrize(
    ("name", "branch"),
    [
        ("北京示例控股集团有限公司上海分公司", "上海"),
        ("海口瑞盛运输集团股份有限公司秀英区第二分公司", "秀英#2"),
        ("Haikou Ruisheng Transportation Group Co., Ltd. Xiuying No. 2 Branch", "xiuying#2"),
    ],
)
def test_a_branch_keeps_its_place_apart_from_the_head_office_name(name: str, branch: str) -> None:
    form = normalise(name)
    assert form.branch == branch
    assert "分公司" not in form.core and "branch" not in form.core


def test_a_head_office_is_not_a_branch() -> None:
    assert normalise("北京示例控股集团有限公司").branch is None


def test_latin_names_split_into_pinyin_syllables_and_words() -> None:
    form = normalise("Hangzhou Huaxin Technology Co., Ltd.")
    assert form.script == "latin"
    assert form.sounds == ("hua", "xin", "technology")
    assert form.codes == HANGZHOU
    assert normalise("Huaxin (Hangzhou) Technology").codes == HANGZHOU


def test_pinyin_of_a_chinese_name_reads_like_the_name() -> None:
    han, latin = normalise("杭州华信科技有限公司"), normalise("Hangzhou Huaxin Keji Youxian Gongsi")
    assert latin.sounds == han.sounds and latin.codes == han.codes and latin.form == han.form


def test_pinyin_readings_follow_phrases() -> None:
    assert sounds("重庆银行长沙") == ["chong", "qing", "yin", "hang", "chang", "sha"]
    assert sounds("绿") == ["lv"]


def test_latin_words_split_into_the_fewest_syllables() -> None:
    assert split_syllables("huaxin") == ("hua", "xin")
    assert split_syllables("xian") == ("xian",)
    assert split_syllables("technology") is None


def test_packing_a_form_round_trips() -> None:
    for name in ("华信（杭州）科技集团有限公司上海第二分公司", "Huaxin Co Ltd Xiuying Branch", "x"):
        form = normalise(name)
        assert type(form).unpack(form.pack()) == form


def test_a_leading_region_word_can_be_read_as_part_of_the_name() -> None:
    form = normalise("北京西城包装有限公司")
    assert (form.region, form.core, form.tail) == ("北京/西城", "包装", "西城")
    merged = form.merged()
    assert merged is not None
    assert (merged.region, merged.core) == ("北京", "西城包装") and "11" in merged.codes
    assert merged.sounds == ("xi", "cheng", "bao", "zhuang")
    assert normalise("华信（杭州）科技").merged() is None  # a bracketed region stays one

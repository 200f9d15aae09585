"""Region words in organisation names, from the GB/T 2260 division table.

A registered name usually opens with its region (企业名称登记管理规定): the
province, the city or the district, written in full (``杭州市``) or short
(``杭州``), sometimes put in brackets after the trade name (``华信（杭州）科技``);
English names do the same (``Hangzhou Huaxin …``, ``Huaxin (Hangzhou) …``).
This module knows every division name of :func:`corpcredit.ids.divisions.division_table`
in both lengths and in pinyin, and the division codes each can mean.

A region is represented by the set of division-code *prefixes* it can mean:
``浙江`` → ``{"33"}``, ``杭州`` → ``{"3301"}``, ``朝阳`` → ``{"110105", "220104"}``. Two
regions agree when they share a prefix, are nested when one prefix starts the
other (``浙江`` ⊃ ``杭州``), and differ otherwise. ``中国`` means the whole country:
the empty prefix, nested in everything.

Short names of counties and districts (``西湖``, ``鄞州``) are only taken as a
region right after a larger one (``宁波鄞州…``): at the start of a name they are
too often a trade name (``永安``, ``华安``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from corpcredit.ids.divisions import division_table
from corpcredit.screening.pinyin import syllables

__all__ = ["NATIONAL", "RegionLexicon", "codes_relation", "region_lexicon"]

#: The empty prefix: the whole country (``中国``, ``China``).
NATIONAL = frozenset({""})

_SUFFIXES = ("特别行政区", "新区", "地区", "林区", "省", "市", "盟", "县", "区", "旗")
# Words naming an ethnic group, cut from autonomous areas (延边朝鲜族自治州 → 延边).
_ETHNIC = (
    "蒙古族", "蒙古", "回族", "藏族", "彝族", "柯尔克孜", "羌族", "哈萨克", "苗族", "侗族",
    "布依族", "土家族", "朝鲜族", "白族", "壮族", "傣族", "傈僳族", "景颇族", "哈尼族", "黎族",
    "满族", "独龙族", "怒族", "土族", "瑶族", "畲族", "仡佬族", "水族", "毛南族", "仫佬族",
    "纳西族", "拉祜族", "佤族", "布朗族", "普米族", "保安族", "东乡族", "撒拉族", "裕固族",
    "达斡尔族", "鄂温克族", "鄂伦春", "锡伯族", "塔吉克", "维吾尔", "各族",
)  # fmt: skip
# English province names that are not plain pinyin of the short name.
_PROVINCE_EN = {
    "innermongolia": "15",
    "shaanxi": "61",
    "tibet": "54",
    "hongkong": "81",
    "macao": "82",
    "macau": "82",
}
_NATIONAL_WORDS = ("中国", "中华")
_NATIONAL_LATIN = ("china", "zhongguo", "prc")


def _short(name: str) -> str:
    """杭州市 → 杭州, 浦东新区 → 浦东, 延边朝鲜族自治州 → 延边, 内蒙古自治区 → 内蒙古."""
    if "自治" in name:
        base = name[: name.index("自治")]
        stripped = True
        while stripped:
            stripped = False
            for word in _ETHNIC:
                if base.endswith(word) and len(base) - len(word) >= 2:
                    base, stripped = base[: -len(word)], True
                    break
        return base if len(base) >= 2 else name
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _prefix(code: str) -> str:
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def codes_relation(a: frozenset[str], b: frozenset[str]) -> str:
    """``same`` (a shared prefix), ``nested`` (one contains the other) or ``differs``."""
    if a & b:
        return "same"
    if any(x.startswith(y) or y.startswith(x) for x in a for y in b):
        return "nested"
    return "differs"


def _add(table: dict[str, frozenset[str]], key: str, prefix: str) -> None:
    if key:
        table[key] = table.get(key, frozenset()) | {prefix}


@dataclass(frozen=True)
class RegionLexicon:
    """Region words → division-code prefixes, for Chinese and Latin script.

    ``top`` may open a name (full names of every level, short names of provinces
    and prefectures); ``sub`` may follow a region (short names of districts and
    counties). Latin keys are lower-case pinyin without spaces (``hangzhou``).
    """

    top: dict[str, frozenset[str]]
    sub: dict[str, frozenset[str]]
    latin_top: dict[str, frozenset[str]]
    latin_sub: dict[str, frozenset[str]]
    #: The lengths of the region words starting with each two characters, longest first.
    sizes: dict[str, tuple[int, ...]]

    def han_prefix(self, text: str, after: frozenset[str] | None) -> tuple[str, frozenset[str]]:
        """The longest region word opening ``text`` (``""`` when none) and its codes.

        ``after`` is the region just taken, if any: then district short names are
        allowed too, and a word is only taken when it lies inside that region.
        """
        for size in self.sizes.get(text[:2], ()):
            if size >= len(text):
                continue
            word = text[:size]
            codes = self.top.get(word)
            if after is not None:
                sub = self.sub.get(word, frozenset()) | (codes or frozenset())
                codes = frozenset(c for c in sub if any(c.startswith(a) for a in after)) or None
            if codes:
                return word, codes
        return "", frozenset()

    def han_word(self, text: str) -> frozenset[str]:
        """The codes of a whole region word (``杭州``, ``西湖区``), empty when unknown."""
        if text in _NATIONAL_WORDS:
            return NATIONAL
        return self.top.get(text) or self.sub.get(text) or frozenset()

    def latin_word(self, word: str, after: frozenset[str] | None = None) -> frozenset[str]:
        """The codes of a Latin region word (``hangzhou``), empty when unknown."""
        if word in _NATIONAL_LATIN:
            return NATIONAL if after is None else frozenset()
        codes = self.latin_top.get(word, frozenset())
        if after is not None:
            codes = codes | self.latin_sub.get(word, frozenset())
            codes = frozenset(c for c in codes if any(c.startswith(a) for a in after))
        return codes


@functools.cache
def region_lexicon() -> RegionLexicon:
    """Built once per process from the GB/T 2260 table (about 3,500 divisions)."""
    table = division_table()
    top: dict[str, frozenset[str]] = {}
    sub: dict[str, frozenset[str]] = {}
    latin_top: dict[str, frozenset[str]] = {}
    latin_sub: dict[str, frozenset[str]] = {}
    for code, name in table.items():
        prefix = _prefix(code)
        short = _short(name)
        # A county-level unit directly under a province acts as a city (济源, 仙桃).
        city_like = len(prefix) < 6 or code[:4] + "00" not in table
        _add(top, name, prefix)
        _add(top if city_like else sub, short, prefix)
        _add(latin_top if city_like else latin_sub, syllables(short), prefix)
    for word, province in _PROVINCE_EN.items():
        _add(latin_top, word, province)
    for word in _NATIONAL_WORDS:
        top[word] = NATIONAL
    sizes: dict[str, set[int]] = {}
    for word in (*top, *sub):
        sizes.setdefault(word[:2], set()).add(len(word))
    ordered = {k: tuple(sorted(v, reverse=True)) for k, v in sizes.items()}
    return RegionLexicon(top, sub, latin_top, latin_sub, ordered)

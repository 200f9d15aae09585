"""Legal forms, group words and branch markers in Chinese, English and pinyin.

A legal form is reduced to a class, so that names written differently but meaning
the same form compare equal: ``有限公司``, ``有限责任公司``, ``Co., Ltd.``,
``Limited`` and ``youxian gongsi`` are all ``ltd``; ``股份有限公司`` is ``jsc``.
``co`` (a bare ``公司``, ``Company``) says only "a company" and agrees with every
company class. Forms are stripped from the end of a name, repeatedly
(``集团股份有限公司`` → ``jsc`` and a group flag).
"""

from __future__ import annotations

__all__ = [
    "BRACKET_FORMS",
    "FORM_LABELS",
    "HAN_BRANCH",
    "HAN_FORMS",
    "HAN_GROUP",
    "HAN_HEAD_ENDINGS",
    "LATIN_FORMS",
    "LATIN_GROUP",
    "PINYIN_FORMS",
    "forms_agree",
]

#: Chinese suffix → class, longest first.
HAN_FORMS: tuple[tuple[str, str], ...] = (
    ("股份有限公司", "jsc"),
    ("有限责任公司", "ltd"),
    ("股份合作公司", "coop"),
    ("有限公司", "ltd"),
    ("总公司", "co"),
    ("公司", "co"),
    ("有限合伙企业", "partnership"),
    ("普通合伙企业", "partnership"),
    ("合伙企业", "partnership"),
    ("个人独资企业", "sole"),
    ("农民专业合作社", "coop"),
    ("专业合作社", "coop"),
)
#: Bracketed notes that are a legal form: 某某律师事务所（特殊普通合伙）.
BRACKET_FORMS = {
    "普通合伙": "partnership",
    "有限合伙": "partnership",
    "特殊普通合伙": "partnership",
}
HAN_GROUP = ("集团",)
#: How a head office's name can end before a branch's place: ``…有限公司上海分公司``.
HAN_HEAD_ENDINGS = ("股份有限公司", "有限责任公司", "有限公司", "公司", "集团", "银行")
#: Branch markers, longest first.
HAN_BRANCH = ("分公司", "分店", "分厂", "分行", "支行", "分社", "办事处", "营业部", "分部")

#: English suffixes (lower-case word tuples) → class, longest first.
LATIN_FORMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("joint", "stock", "company", "limited"), "jsc"),
    (("joint", "stock", "co", "ltd"), "jsc"),
    (("joint", "stock", "company"), "jsc"),
    (("company", "limited"), "ltd"),
    (("co", "limited"), "ltd"),
    (("co", "ltd"), "ltd"),
    (("limited", "company"), "ltd"),
    (("limited",), "ltd"),
    (("ltd",), "ltd"),
    (("llc",), "ltd"),
    (("gmbh",), "ltd"),
    (("incorporated",), "corp"),
    (("inc",), "corp"),
    (("corporation",), "corp"),
    (("corp",), "corp"),
    (("plc",), "jsc"),
    (("ag",), "jsc"),
    (("jsc",), "jsc"),
    (("company",), "co"),
    (("co",), "co"),
)
#: Pinyin of Chinese legal forms, spaces removed → class, longest first.
PINYIN_FORMS: tuple[tuple[str, str], ...] = (
    ("gufenyouxiangongsi", "jsc"),
    ("youxianzerengongsi", "ltd"),
    ("youxiangongsi", "ltd"),
    ("gongsi", "co"),
)
LATIN_GROUP = ("group", "jituan")

#: How each class is shown in a reason.
FORM_LABELS = {
    "ltd": "limited company",
    "jsc": "company limited by shares",
    "co": "company",
    "corp": "corporation",
    "coop": "co-operative",
    "partnership": "partnership",
    "sole": "sole proprietorship",
}

_COMPANIES = frozenset({"ltd", "jsc", "co", "corp"})


def forms_agree(a: str, b: str) -> bool:
    """Whether two legal-form classes can name the same organisation.

    A missing form agrees with anything; ``co`` and ``corp`` (English "Co., Ltd."
    renders both 有限公司 and 股份有限公司) agree with every company class.
    """
    if not a or not b or a == b:
        return True
    if a in _COMPANIES and b in _COMPANIES:
        return "co" in (a, b) or "corp" in (a, b)
    return False

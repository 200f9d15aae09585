"""Code tables of the USCI (GB 32100-2015, as amended in 2016) and GB/T 2260 provinces.

Position 1 of a USCI names the registration authority, position 2 the entity type
within that authority; only the pairs listed here are allowed. Positions 3-8 are an
administrative division code whose first two digits must be a province-level code of
GB/T 2260, or the national-level division ``100000``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AUTHORITIES",
    "ENTITY_TYPES",
    "NATIONAL_DIVISION",
    "NATURAL_PERSON_TYPES",
    "PROVINCE_CODES",
    "Label",
    "allowed_types",
]


@dataclass(frozen=True)
class Label:
    """A code with its English and Chinese names."""

    code: str
    en: str
    zh: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "en": self.en, "zh": self.zh}


def _labels(rows: list[tuple[str, str, str]]) -> dict[str, Label]:
    return {code: Label(code, en, zh) for code, en, zh in rows}


AUTHORITIES: dict[str, Label] = _labels(
    [
        ("1", "staffing office", "机构编制"),
        ("2", "foreign affairs", "外交"),
        ("3", "justice", "司法行政"),
        ("4", "culture", "文化"),
        ("5", "civil affairs", "民政"),
        ("6", "tourism", "旅游"),
        ("7", "religion", "宗教"),
        ("8", "trade unions", "工会"),
        ("9", "market regulation", "市场监督管理（工商）"),
        ("A", "central staffing reform", "中央军委改革和编制办公室"),
        ("N", "agriculture", "农业"),
        ("Y", "other", "其他"),
    ]
)

_OTHER = ("other", "其他")

# Keyed by authority, then entity type. GB 32100-2015 with Amendment No. 1 (2016).
ENTITY_TYPES: dict[str, dict[str, Label]] = {
    "1": _labels(
        [
            ("1", "state organ", "机关"),
            ("2", "public institution", "事业单位"),
            ("3", "mass organisation", "中央编办直接管理机构编制的群众团体"),
            ("9", *_OTHER),
        ]
    ),
    "2": _labels([("1", "resident foreign news agency", "外国常驻新闻机构"), ("9", *_OTHER)]),
    "3": _labels(
        [
            ("1", "law firm", "律师执业机构"),
            ("2", "notary", "公证处"),
            ("3", "legal-service office", "基层法律服务所"),
            ("4", "forensic appraisal institution", "司法鉴定机构"),
            ("5", "arbitration commission", "仲裁委员会"),
            ("9", *_OTHER),
        ]
    ),
    "4": _labels([("1", "foreign cultural centre in China", "外国在华文化中心"), ("9", *_OTHER)]),
    "5": _labels(
        [
            ("1", "social organisation", "社会团体"),
            ("2", "private non-enterprise unit", "民办非企业单位"),
            ("3", "foundation", "基金会"),
            ("9", *_OTHER),
        ]
    ),
    "6": _labels(
        [
            ("1", "resident office of a foreign tourism authority", "外国旅游部门常驻代表机构"),
            (
                "2",
                "resident office of a Hong Kong, Macao or Taiwan tourism authority",
                "港澳台地区旅游部门常驻内地（大陆）代表机构",
            ),
            ("9", *_OTHER),
        ]
    ),
    "7": _labels(
        [
            ("1", "venue for religious activities", "宗教活动场所"),
            ("2", "religious college", "宗教院校"),
            ("9", *_OTHER),
        ]
    ),
    "8": _labels([("1", "grassroots trade union", "基层工会"), ("9", *_OTHER)]),
    "9": _labels(
        [
            ("1", "enterprise", "企业"),
            ("2", "individual business", "个体工商户"),
            ("3", "farmers' co-operative", "农民专业合作社"),
        ]
    ),
    "A": _labels([("1", "military public institution", "军队事业单位"), ("9", *_OTHER)]),
    "N": _labels(
        [
            ("1", "group-level collective economic organisation", "组级集体经济组织"),
            ("2", "village-level collective economic organisation", "村级集体经济组织"),
            ("3", "township-level collective economic organisation", "乡镇级集体经济组织"),
            ("9", *_OTHER),
        ]
    ),
    "Y": _labels([("1", *_OTHER)]),
}

# Individual businesses (个体工商户) are natural persons in law (DOMAIN.md §1).
NATURAL_PERSON_TYPES = frozenset({"92"})

# Province-level codes of GB/T 2260 (first two digits of a division code).
PROVINCE_CODES = frozenset(
    f"{n:02d}"
    for first, last in (
        (11, 15),
        (21, 23),
        (31, 37),
        (41, 46),
        (50, 54),
        (61, 65),
        (71, 71),
        (81, 82),
    )
    for n in range(first, last + 1)
)

# National-level organisations carry this division code (its prefix 10 is no province).
NATIONAL_DIVISION = "100000"


def allowed_types(authority: str) -> str:
    """The allowed entity types of an authority, readable: ``1 (enterprise), 2 (...)``."""
    return ", ".join(f"{t} ({label.en})" for t, label in ENTITY_TYPES[authority].items())

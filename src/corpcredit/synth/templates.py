"""Record templates: what a synthetic finding of each kind and tier looks like.

One :class:`Template` per kind of finding an authority really publishes: who
decides it (the authority, named after the entity's city, district or
province), the decision-number style, the legal basis, a short summary with no
personal data, the fine range, how often the authority flags black or red, how
often the decision sets a longer end, and how often the record is later lifted,
repaired or withdrawn. Kinds and tiers are those of the default rule catalogue
(DOMAIN.md section 3); ``tax_grade`` rows are generated separately, one per
rating year.

``weight`` is the relative frequency among the records of (enterprises, branches,
individual businesses, other organisations).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CITY",
    "DISTRICT",
    "EITHER",
    "PROVINCE",
    "SOURCES",
    "TAX_GRADE",
    "TEMPLATES",
    "Template",
]

CITY, DISTRICT, PROVINCE, EITHER = range(4)  # level of the deciding authority

# Source systems and the prefixes of their record ids.
SOURCES = {
    "samr-gsxt": "GSXT",
    "chinatax": "SW",
    "court-zxgk": "ZXGK",
    "mee": "MEE",
    "local-credit": "XYZG",
}

COURT = "court"  # decision number is a court case number: （2024）浙0106执123号


@dataclass(frozen=True)
class Template:
    kind: str
    tier: str | None
    source: str
    authority: str  # "{region}" is replaced by the place name at ``level``
    level: int
    number: str | None  # middle of 杭市监罚〔2024〕12号, COURT, or None for no number
    basis: str
    summary: str
    weight: tuple[float, float, float, float]
    amount: tuple[float, float] | None = None
    black: float = 0.0  # share flagged black by the authority
    red: float = 0.0
    longer_end: tuple[float, int, int] | None = None  # (share, min years, max years)
    lift: tuple[float, int, int] | None = None  # (share, min days, max days)
    repair: tuple[float, int, int] | None = None
    withdraw: float = 0.004


_SAMR = "{region}市场监督管理局"
_TAX = "国家税务总局{region}税务局"
_DAILY_FINE_BASIS = "《中华人民共和国环境保护法》第五十九条"
_GENERAL_REPAIR = (0.15, 92, 360)  # from three months after the decision, within its year
_SERIOUS_REPAIR = (0.10, 366, 1090)  # from one year after, within its three years
_ABNORMAL_LIFT = (0.75, 15, 1500)
_GSXT_BASIS = "《企业经营异常名录管理暂行办法》第四条"
_HONOUR_BASIS = "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》"


def _spot(product: str, basis: str = "《中华人民共和国产品质量法》第十五条") -> Template:
    return Template(
        "spot_check_failed", "general", "samr-gsxt", _SAMR, EITHER, "市监抽", basis,
        f"监督抽查产品不合格（{product}），责令限期整改", (0.8, 0.6, 1.0, 0.0),
        repair=(0.10, 92, 360),
    )  # fmt: skip


# fmt: off
TEMPLATES: tuple[Template, ...] = (
    # admin_penalty, minor: warnings and simplified-procedure fines up to CNY 3,000
    Template("admin_penalty", "minor", "samr-gsxt", _SAMR, EITHER, "市监罚",
             "《中华人民共和国广告法》第五十八条", "发布违法广告，情节轻微，给予警告",
             (3, 3, 8, 1)),
    Template("admin_penalty", "minor", "samr-gsxt", _SAMR, EITHER, "市监简罚",
             "《明码标价和禁止价格欺诈规定》第二十二条",
             "未按规定明码标价，适用简易程序处以罚款", (4, 4, 14, 0), amount=(200, 3000)),
    Template("admin_penalty", "minor", "local-credit", "{region}消防救援支队", CITY, "消行罚决字",
             "《中华人民共和国消防法》第六十条", "消防设施、器材未保持完好有效，处以罚款",
             (3, 3, 6, 2), amount=(500, 3000)),
    Template("admin_penalty", "minor", "chinatax", _TAX, DISTRICT, "税简罚",
             "《中华人民共和国税收征收管理法》第六十二条",
             "未按照规定期限办理纳税申报和报送纳税资料，处以罚款", (4, 2, 6, 1),
             amount=(50, 2000)),
    Template("admin_penalty", "minor", "samr-gsxt", _SAMR, DISTRICT, "市监简罚",
             "《中华人民共和国市场主体登记管理条例》第四十八条",
             "未将营业执照置于住所或者主要经营场所醒目位置，责令改正并处罚款",
             (2, 2, 6, 0), amount=(1000, 3000)),
    # admin_penalty, general: larger fines, confiscation, licence suspension
    Template("admin_penalty", "general", "samr-gsxt", _SAMR, EITHER, "市监罚",
             "《中华人民共和国产品质量法》第四十九条",
             "生产、销售不符合保障人体健康和人身、财产安全的国家标准的产品，没收违法产品并处罚款",
             (3, 2, 2, 0), amount=(20_000, 300_000), repair=_GENERAL_REPAIR),
    Template("admin_penalty", "general", "samr-gsxt", _SAMR, EITHER, "市监罚",
             "《中华人民共和国食品安全法》第一百二十四条",
             "经营超过保质期的食品，没收违法所得并处罚款", (3, 3, 5, 0.5),
             amount=(50_000, 200_000), repair=_GENERAL_REPAIR),
    Template("admin_penalty", "general", "samr-gsxt", _SAMR, CITY, "市监罚",
             "《中华人民共和国反不正当竞争法》第二十条",
             "对商品的性能、功能作虚假的商业宣传，责令停止违法行为并处罚款", (2, 1, 1, 0),
             amount=(100_000, 1_000_000), repair=_GENERAL_REPAIR),
    Template("admin_penalty", "general", "local-credit", "{region}应急管理局", CITY, "应急罚",
             "《中华人民共和国安全生产法》第九十九条",
             "未对安全设备进行经常性维护、保养和定期检测，责令限期改正并处罚款", (3, 2, 0.5, 1),
             amount=(20_000, 200_000), repair=_GENERAL_REPAIR),
    Template("admin_penalty", "general", "local-credit", "{region}住房和城乡建设局", CITY, "建罚",
             "《建设工程质量管理条例》第六十四条",
             "施工中偷工减料、使用不合格的建筑材料，责令改正并处罚款", (2, 1, 0, 0),
             amount=(100_000, 800_000), repair=_GENERAL_REPAIR),
    Template("admin_penalty", "general", "local-credit", "{region}人力资源和社会保障局", CITY,
             "人社监罚", "《劳动保障监察条例》第二十六条",
             "逾期未支付劳动报酬，责令支付并加付赔偿金", (1, 1, 0.5, 1),
             repair=_GENERAL_REPAIR),
    # admin_penalty, serious: revocation, closure, practice ban, very large fine
    Template("admin_penalty", "serious", "samr-gsxt", _SAMR, CITY, "市监罚",
             "《中华人民共和国公司法》第二百六十条",
             "成立后无正当理由超过六个月未开业，吊销营业执照", (0.8, 0.3, 0.3, 0), black=0.15),
    Template("admin_penalty", "serious", "samr-gsxt", _SAMR, CITY, "市监罚",
             "《中华人民共和国食品安全法》第一百二十三条",
             "用非食品原料生产食品，没收违法所得并处货值金额十五倍罚款，吊销许可证",
             (0.6, 0.3, 0.2, 0), amount=(500_000, 8_000_000), black=0.3, longer_end=(0.3, 5, 5)),
    Template("admin_penalty", "serious", "local-credit", "{region}应急管理局", CITY, "应急罚",
             "《中华人民共和国安全生产法》第一百一十三条",
             "存在重大事故隐患，经停产停业整顿仍不具备安全生产条件，予以关闭",
             (0.4, 0.2, 0, 0), black=0.1),
    Template("admin_penalty", "serious", "samr-gsxt", "{region}药品监督管理局", PROVINCE, "药监罚",
             "《中华人民共和国药品管理法》第一百一十七条",
             "生产、销售劣药，没收违法所得并处罚款，吊销药品生产许可证", (0.3, 0.1, 0, 0),
             amount=(300_000, 5_000_000), black=0.3, longer_end=(0.5, 10, 10)),
    Template("admin_penalty", "serious", "samr-gsxt", _SAMR, PROVINCE, "市监罚",
             "《中华人民共和国反垄断法》第五十六条",
             "达成并实施垄断协议，没收违法所得并处上一年度销售额百分之三的罚款",
             (0.2, 0.05, 0, 0), amount=(1_000_000, 20_000_000), black=0.1,
             repair=_SERIOUS_REPAIR),
    # abnormal_operations, general: lifted on remedy, escalates after 36 months
    Template("abnormal_operations", "general", "samr-gsxt", _SAMR, EITHER, "市监异",
             _GSXT_BASIS, "未依照《企业信息公示暂行条例》规定的期限公示年度报告",
             (2, 0.8, 0, 0), lift=_ABNORMAL_LIFT),
    Template("abnormal_operations", "general", "samr-gsxt", _SAMR, EITHER, "市监异",
             _GSXT_BASIS, "通过登记的住所或者经营场所无法联系", (0.8, 0.3, 0, 0),
             lift=(0.35, 30, 1500)),
    Template("abnormal_operations", "general", "samr-gsxt", _SAMR, EITHER, "市监异",
             _GSXT_BASIS, "公示企业信息隐瞒真实情况、弄虚作假", (0.15, 0.05, 0, 0),
             lift=(0.45, 30, 900)),
    Template("abnormal_operations", "general", "samr-gsxt", _SAMR, DISTRICT, "市监异",
             "《个体工商户年度报告暂行办法》第十三条", "未按规定报送年度报告，标记为经营异常状态",
             (0, 0, 12, 0), lift=_ABNORMAL_LIFT),
    # serious_violation_list
    Template("serious_violation_list", "serious", "samr-gsxt", _SAMR, PROVINCE, "市监信",
             "《市场监督管理严重违法失信名单管理办法》第十三条",
             "被列入经营异常名录届满三年仍未履行相关义务", (0.12, 0.02, 0, 0),
             repair=(0.2, 366, 1090)),
    Template("serious_violation_list", "serious", "samr-gsxt", _SAMR, CITY, "市监信",
             "《市场监督管理严重违法失信名单管理办法》第二条",
             "实施食品安全领域严重违法行为，受到较重行政处罚", (0.08, 0.02, 0, 0),
             repair=(0.15, 366, 1090)),
    Template("serious_violation_list", "serious", "samr-gsxt", _SAMR, CITY, "市监信",
             "《市场监督管理严重违法失信名单管理办法》第九条",
             "提交虚假材料取得市场主体登记，被撤销登记", (0.05, 0, 0, 0)),
    # tax_blacklist: lifted on full payment
    Template("tax_blacklist", "serious", "chinatax", _TAX.replace("税务局", "税务局稽查局"), CITY,
             "税稽罚", "《重大税收违法失信主体信息公布管理办法》第六条",
             "逃避缴纳税款金额一百万元以上且占各种应纳税总额百分之十以上", (0.15, 0, 0, 0),
             amount=(1_000_000, 30_000_000), lift=(0.35, 60, 1090)),
    Template("tax_blacklist", "serious", "chinatax", _TAX.replace("税务局", "税务局稽查局"), CITY,
             "税稽罚", "《重大税收违法失信主体信息公布管理办法》第六条", "虚开增值税专用发票",
             (0.1, 0, 0, 0), amount=(100_000, 50_000_000), lift=(0.15, 60, 1090)),
    Template("tax_blacklist", "serious", "chinatax", _TAX.replace("税务局", "税务局稽查局"), CITY,
             "税稽罚", "《重大税收违法失信主体信息公布管理办法》第六条",
             "采取转移或者隐匿财产的手段，妨碍税务机关追缴欠缴的税款", (0.05, 0, 0, 0),
             amount=(100_000, 5_000_000), lift=(0.4, 60, 1090)),
    # court_defaulter: two years unless the court sets longer, lifted on performance
    Template("court_defaulter", "serious", "court-zxgk", "{region}人民法院", DISTRICT, COURT,
             "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
             "有履行能力而拒不履行生效法律文书确定的义务", (0.6, 0.2, 0, 0.2),
             amount=(10_000, 5_000_000), longer_end=(0.2, 3, 5), lift=(0.45, 30, 729)),
    Template("court_defaulter", "serious", "court-zxgk", "{region}中级人民法院", CITY, COURT,
             "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
             "违反财产报告制度", (0.2, 0.05, 0, 0.05), amount=(100_000, 20_000_000),
             longer_end=(0.2, 3, 5), lift=(0.35, 30, 729)),
    Template("court_defaulter", "serious", "court-zxgk", "{region}人民法院", DISTRICT, COURT,
             "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
             "违反限制消费令", (0.2, 0.05, 0, 0.05), amount=(10_000, 1_000_000),
             lift=(0.45, 30, 729)),
    # spot_check_failed
    _spot("电线电缆"), _spot("儿童玩具"), _spot("电动自行车"), _spot("燃气灶具"),
    _spot("童装"), _spot("建筑用钢筋"), _spot("插头插座"), _spot("安全帽"),
    _spot("白酒", "《中华人民共和国食品安全法》第八十七条"),
    _spot("糕点", "《中华人民共和国食品安全法》第八十七条"),
    _spot("食用植物油", "《中华人民共和国食品安全法》第八十七条"),
    # environmental_violation, general and serious
    Template("environmental_violation", "general", "mee", "{region}生态环境局", CITY, "环罚",
             "《中华人民共和国大气污染防治法》第一百零八条",
             "未采取措施减少挥发性有机物排放，责令改正并处罚款", (1.5, 1, 0.5, 0),
             amount=(20_000, 200_000), repair=(0.12, 92, 360)),
    Template("environmental_violation", "general", "mee", "{region}生态环境局", CITY, "环罚",
             "《中华人民共和国水污染防治法》第八十三条",
             "超过水污染物排放标准排放水污染物，责令限制生产并处罚款", (1.2, 0.6, 0.2, 0.1),
             amount=(100_000, 1_000_000), repair=(0.12, 92, 360)),
    Template("environmental_violation", "general", "mee", "{region}生态环境局", CITY, "环罚",
             "《中华人民共和国环境影响评价法》第三十一条",
             "建设项目环境影响报告表未经批准擅自开工建设，责令停止建设并处罚款",
             (1, 0.5, 0.1, 0.2), amount=(50_000, 500_000), repair=(0.12, 92, 360)),
    Template("environmental_violation", "general", "mee", "{region}生态环境局", CITY, "环罚",
             "《中华人民共和国固体废物污染环境防治法》第一百一十二条",
             "未按照国家有关规定贮存危险废物，责令改正并处罚款", (0.8, 0.4, 0.1, 0.1),
             amount=(100_000, 1_000_000), repair=(0.12, 92, 360)),
    Template("environmental_violation", "serious", "mee", "{region}生态环境局", CITY, "环罚",
             "《中华人民共和国环境保护法》第六十三条",
             "通过暗管逃避监管的方式违法排放水污染物，责令停业、关闭并处罚款",
             (0.3, 0.1, 0, 0), amount=(500_000, 5_000_000), black=0.15,
             longer_end=(0.1, 5, 5), repair=(0.08, 366, 1090)),
    Template("environmental_violation", "serious", "mee", "{region}生态环境局", CITY, "环罚",
             _DAILY_FINE_BASIS, "超过大气污染物排放标准排放，拒不改正，按日连续处罚",
             (0.4, 0.2, 0, 0),
             amount=(1_000_000, 10_000_000), black=0.1, repair=(0.08, 366, 1090)),
    # commendation, positive: red when the authority flags it
    Template("commendation", "positive", "local-credit", _SAMR, CITY, "市监",
             _HONOUR_BASIS, "被公示为守合同重信用企业", (1.5, 0.3, 0, 0), red=0.5,
             withdraw=0.002),
    Template("commendation", "positive", "local-credit", "{region}人民政府", CITY, "政发",
             _HONOUR_BASIS, "被评为诚信示范企业", (1, 0, 0, 0), red=0.6, withdraw=0.002),
    Template("commendation", "positive", "local-credit", "{region}人力资源和社会保障局", CITY,
             "人社发", "《企业劳动保障守法诚信等级评价办法》",
             "被评为劳动保障守法诚信A级单位", (1, 0.3, 0, 0.5), red=0.3, withdraw=0.002),
    Template("commendation", "positive", "local-credit", "{region}应急管理局", CITY, "应急发",
             "《企业安全生产标准化建设定级办法》", "被评定为安全生产标准化一级企业",
             (0.5, 0.2, 0, 0), withdraw=0.002),
    # credit_commitment_kept, positive
    Template("credit_commitment_kept", "positive", "local-credit", "{region}发展和改革委员会",
             CITY, None, "《社会信用体系建设规划纲要（2014—2020年）》",
             "告知承诺事项按期履约，承诺已兑现", (10, 3, 2, 3), withdraw=0.001),
    Template("credit_commitment_kept", "positive", "local-credit", _SAMR, EITHER, None,
             "《优化营商环境条例》", "容缺受理承诺事项按期补齐材料", (4, 1, 0, 1),
             withdraw=0.001),
)
# fmt: on

# Rating-year tax grades; generated one per year per rated enterprise, not by weight.
TAX_GRADE = Template(
    "tax_grade", None, "chinatax", _TAX, PROVINCE, None, "《纳税信用管理办法》",
    "", (0, 0, 0, 0), withdraw=0.001,
)  # fmt: skip

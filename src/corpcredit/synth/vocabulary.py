"""Word pools for synthetic organisation names and addresses.

Chinese registered names follow the 企业名称登记管理规定 pattern *region + trade
name + industry + organisational form* (杭州华信科技有限公司). The pools below
hold characters and words that real registered names use; none is a person's
name, and names of individual businesses are built from trade words and shop
types only, never from a person's name.
"""

from __future__ import annotations

__all__ = [
    "ASSOCIATION_KINDS",
    "CHAMBER",
    "COOP_PRODUCTS",
    "FOUNDATION_PURPOSES",
    "INDUSTRIES",
    "LEGAL_SUFFIXES",
    "NUMBERED_INSTITUTIONS",
    "PRIVATE_NON_ENTERPRISE",
    "PUBLIC_INSTITUTIONS",
    "SHOPS",
    "SOCIAL_ORGANISATIONS",
    "STREETS",
    "STREET_INSTITUTIONS",
    "TRADE_CHARS",
    "chinese_numeral",
]

# Characters favoured in trade names (字号). Polyphones whose business reading differs
# from the common one (长, 行, 重, 乐, 朝) are left out so the romanisation is right.
TRADE_CHARS = tuple(
    dict.fromkeys(
        "华鑫恒达瑞泰盛宏远通信诚丰源安康博创新汇嘉德益润和顺兴隆祥裕晟昌辉明锦云海天宇"
        "星金银永利凯旭宸腾飞航科联众合力邦美佳优卓越智慧福骏豪峰晨阳光中东南西北环球捷"
        "迅精工伟启鼎立诺威盈富广俊荣耀君正道麒麟睿翔驰奥"
    )
)

# (Chinese industry word, English rendering, relative frequency).
INDUSTRIES = (
    ("科技", "Technology", 14),
    ("贸易", "Trading", 12),
    ("建筑工程", "Construction Engineering", 5),
    ("食品", "Food", 4),
    ("物流", "Logistics", 4),
    ("制造", "Manufacturing", 3),
    ("医药", "Pharmaceutical", 2),
    ("环保科技", "Environmental Technology", 3),
    ("电子", "Electronics", 3),
    ("餐饮管理", "Catering Management", 3),
    ("房地产开发", "Real Estate Development", 2),
    ("信息技术", "Information Technology", 5),
    ("网络科技", "Network Technology", 5),
    ("生物科技", "Biotechnology", 2),
    ("新能源", "New Energy", 2),
    ("机械设备", "Machinery and Equipment", 3),
    ("化工", "Chemical", 2),
    ("纺织", "Textile", 2),
    ("服饰", "Apparel", 2),
    ("家具", "Furniture", 2),
    ("建材", "Building Materials", 3),
    ("实业", "Industrial", 4),
    ("投资管理", "Investment Management", 2),
    ("企业管理咨询", "Business Management Consulting", 3),
    ("文化传媒", "Culture and Media", 3),
    ("广告", "Advertising", 2),
    ("教育科技", "Education Technology", 2),
    ("农业开发", "Agricultural Development", 2),
    ("供应链管理", "Supply Chain Management", 2),
    ("汽车服务", "Automobile Service", 2),
    ("物业管理", "Property Management", 2),
    ("装饰工程", "Decoration Engineering", 3),
    ("电气", "Electric", 2),
    ("精密机械", "Precision Machinery", 1),
    ("新材料", "New Materials", 2),
    ("医疗器械", "Medical Devices", 1),
    ("电子商务", "E-commerce", 3),
    ("人力资源", "Human Resources", 1),
    ("运输", "Transportation", 2),
    ("包装", "Packaging", 1),
    ("印刷", "Printing", 1),
    ("塑料制品", "Plastic Products", 1),
    ("五金", "Hardware", 1),
    ("光电", "Optoelectronics", 1),
    ("软件", "Software", 2),
    ("能源", "Energy", 1),
    ("酒店管理", "Hotel Management", 1),
    ("旅游", "Tourism", 1),
)

# (suffix in the name, legal form column, relative frequency). 有限公司 and
# 有限责任公司 are the same legal form, a limited liability company.
LEGAL_SUFFIXES = (
    ("有限公司", "有限责任公司", 60),
    ("有限责任公司", "有限责任公司", 25),
    ("股份有限公司", "股份有限公司", 15),
)

# Individual businesses (个体工商户): region + trade word + shop type.
SHOPS = (
    "便利店", "小吃店", "五金店", "服装店", "水果店", "理发店", "餐馆", "烟酒商行", "日用品店",
    "汽车维修部", "建材经营部", "家电维修部", "茶叶店", "面馆", "超市", "副食品店", "图文打印店",
    "花店", "眼镜店", "早餐店", "农资经营部", "手机维修店", "干洗店", "粮油店", "文具店",
)  # fmt: skip

COOP_PRODUCTS = (
    "茶叶种植", "果蔬种植", "水稻种植", "生猪养殖", "家禽养殖", "水产养殖", "中药材种植",
    "苗木花卉", "食用菌种植", "农机服务", "蜂业", "油茶种植", "葡萄种植", "肉牛养殖",
)  # fmt: skip

SOCIAL_ORGANISATIONS = (
    "电子商务协会", "餐饮行业协会", "食品行业协会", "建筑业协会", "物流协会", "软件行业协会",
    "汽车流通协会", "家具行业协会", "纺织服装商会", "旅游协会", "物业管理协会", "美容美发协会",
    "青年企业家协会", "女企业家协会", "中小企业促进会", "质量协会", "品牌建设促进会",
    "跨境电子商务协会", "养老服务业协会", "慈善总会", "文化创意产业协会", "书法家协会",
    "摄影家协会", "计算机学会", "医学会", "护理学会", "会计学会", "心理学会",
    "科技咨询服务业协会", "再生资源行业协会", "家庭服务业协会", "茶文化研究会",
)  # fmt: skip

# Industry association kinds combined with an industry word: 杭州市新材料行业协会.
ASSOCIATION_KINDS = ("协会", "行业协会", "商会", "促进会", "联合会", "研究会")

CHAMBER = "商会"  # a hometown chamber: 杭州市温州商会

PRIVATE_NON_ENTERPRISE = (
    "培训学校", "职业技能培训学校", "艺术培训学校", "养老院", "康复中心", "幼儿园",
    "社会工作服务中心", "文化艺术中心", "体育俱乐部", "颐养院", "青少年活动中心",
    "心理咨询服务中心", "社区服务中心", "民办医院",
)  # fmt: skip

FOUNDATION_PURPOSES = (
    "慈善", "教育", "公益", "助学", "乡村振兴", "文化发展", "医疗救助", "环境保护",
    "青少年发展", "科技创新",
)  # fmt: skip

PUBLIC_INSTITUTIONS = (
    "人民医院", "中医医院", "妇幼保健院", "疾病预防控制中心", "实验小学", "实验中学", "图书馆",
    "文化馆", "档案馆", "博物馆", "职业技术学校", "融媒体中心", "公共资源交易中心",
    "不动产登记中心", "农业技术推广中心", "社会福利院", "水利工程管理站", "林业工作站",
    "综合检验检测中心", "政务服务中心", "老年大学", "体育中心", "青少年宫",
    "城市管理服务中心", "机关事务服务中心",
)  # fmt: skip

NUMBERED_INSTITUTIONS = (
    "人民医院", "中学", "小学", "幼儿园", "职业中学", "初级中学", "高级中学", "实验学校",
    "中等职业学校", "社会福利院",
)  # fmt: skip

# Schools and clinics are often named after their street: 解放路小学.
STREET_INSTITUTIONS = ("小学", "中学", "幼儿园", "社区卫生服务中心", "第二小学")

STREETS = (
    "人民路", "解放路", "中山路", "建设路", "文化路", "新华路", "和平路", "长江路", "黄河路",
    "科技路", "工业路", "创业大道", "滨江大道", "学院路", "环城东路", "环城西路", "东风路",
    "胜利路", "幸福路", "青年路", "花园路", "迎宾大道", "世纪大道", "金融街", "开发区大道",
    "高新大道", "光明路", "前进路", "团结路", "振兴路", "兴业路", "发展大道", "经二路",
    "纬三路", "湖滨路", "江南大道", "凤凰路", "站前路", "园区一路", "产业园路",
)  # fmt: skip

_DIGITS_CN = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (1 ≤ n ≤ 99)."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS_CN[tens] + "十")
    return head + (_DIGITS_CN[units] if units else "")

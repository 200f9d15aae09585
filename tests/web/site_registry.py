"""A small registry for the site's tests, dated relative to today so records are in force.

Built with the read-side builders of ``tests/services`` (plain inserts), then
scored with the rescoring service as ``corpcredit score`` does (results,
contributions and list entries). Every detail the public must never see (minor, repaired,
withdrawn and expired records, natural persons' details, addresses, fine amounts)
carries a marker listed in :data:`SECRETS`; the leak test looks for each in every
response. :data:`PUBLIC` lists details that must be shown, so that test can fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from corpcredit.catalogue import default_catalogue
from corpcredit.services.lookup import entity_view
from corpcredit.services.rescore import rescore_all
from corpcredit.web.clock import today
from tests.services.test_lookup_registry import Registry

__all__ = ["PUBLIC", "SECRETS", "Site", "build_site"]

HEAD = "91110105MA01HEAD9C"
SHANGHAI = "91310115MA02BR010U"
SHENZHEN = "91440305MA03BR02X7"
GATE = "91330106MA04GATE40"
ABNORMAL = "91320102MA05EXCL6B"
RED = "91510104MA06RED00B"
BLACK = "91420106MA07CRT07J"
EXPIRED = "91370102MA08EXP0XQ"
REPAIRED = "91210102MA09REP0XL"
PERSON = "92340621MA2PBKRXXG"

BLACK_BASIS = "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条"

#: Never in any public response.
SECRETS = (
    "SECRET-MINOR-EARLY",
    "秘密轻微甲",
    "SECRET-MINOR-COUNTED",
    "秘密轻微乙",
    "SECRET-REPAIRED",
    "秘密已修复",
    "SECRET-WITHDRAWN",
    "秘密已撤销",
    "SECRET-EXPIRED",
    "秘密已到期",
    "SECRET-PERSON-RECORD",
    "秘密个体处罚",
    "SECRET-PERSON-EN",
    "秘密个体别名",
    "秘密个体地址",
    "秘密组织地址",
    "98765.43",
)

#: Shown on the pages and in the API (the leak test's positive control).
PUBLIC = ("沪市监罚〔2026〕21号", "销售不合格产品", "（2026）鄂01执1234号", BLACK_BASIS)


@dataclass(frozen=True)
class Site:
    today: date
    black_exit: date


def _ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


def _organisations(reg: Registry) -> None:
    secret_address = {"address": "秘密组织地址1号"}
    reg.entity(
        HEAD,
        "北京示例控股集团有限公司",
        name_en="Beijing Example Holding Group Co., Ltd.",
        aliases=["北京示例集团"],
        legal_form="有限责任公司",
        **secret_address,
    )
    reg.entity(SHANGHAI, "北京示例控股集团有限公司上海分公司", parent=HEAD, legal_form="分公司")
    reg.entity(SHENZHEN, "北京示例控股集团有限公司深圳分公司", parent=HEAD, legal_form="分公司")
    reg.entity(GATE, "杭州门控科技有限公司", name_en="Hangzhou Gate Technology Co., Ltd.")
    reg.entity(ABNORMAL, "南京异常贸易有限公司")
    reg.entity(RED, "成都守信制造股份有限公司", name_en="Chengdu Trusty Manufacturing Co., Ltd.")
    reg.entity(BLACK, "武汉失信工程有限公司", name_en="Wuhan Defaulting Engineering Co., Ltd.")
    reg.entity(EXPIRED, "济南到期食品有限公司")
    reg.entity(REPAIRED, "沈阳修复物流有限公司")
    reg.entity(
        PERSON,
        "某某个体商店",
        name_en="SECRET-PERSON-EN shop",
        aliases=["秘密个体别名"],
        address="秘密个体地址",
        legal_form="个体工商户",
    )


def _records(reg: Registry) -> None:
    reg.record(
        HEAD, "admin_penalty", "general", _ago(100), "H1", legal_basis="《广告法》第五十五条"
    )
    reg.record(
        SHANGHAI,
        "admin_penalty",
        "serious",
        _ago(200),
        "S1",
        decision_no="沪市监罚〔2026〕21号",
        legal_basis="《中华人民共和国产品质量法》第四十九条",
        summary="销售不合格产品",
        amount_cny=Decimal("98765.43"),
    )
    reg.record(SHENZHEN, "spot_check_failed", "general", _ago(60), "Z1")
    # A minor record before the serious one does not count; the one after it does.
    reg.record(
        GATE,
        "admin_penalty",
        "minor",
        _ago(220),
        "G0",
        decision_no="SECRET-MINOR-EARLY",
        summary="秘密轻微甲",
    )
    reg.record(GATE, "environmental_violation", "serious", _ago(200), "G1")
    reg.record(
        GATE,
        "admin_penalty",
        "minor",
        _ago(50),
        "G2",
        decision_no="SECRET-MINOR-COUNTED",
        summary="秘密轻微乙",
    )
    reg.record(ABNORMAL, "abnormal_operations", "general", _ago(90), "A1")
    reg.record(RED, "commendation", "positive", _ago(60), "R1", red=True)
    reg.record(
        BLACK,
        "court_defaulter",
        "serious",
        _ago(300),
        "B1",
        decision_no="（2026）鄂01执1234号",
        legal_basis=BLACK_BASIS,
    )
    reg.record(
        EXPIRED,
        "spot_check_failed",
        "general",
        _ago(500),
        "E1",
        decision_no="SECRET-EXPIRED",
        summary="秘密已到期",
    )
    repaired = reg.record(
        REPAIRED,
        "admin_penalty",
        "serious",
        _ago(400),
        "P1",
        black=True,
        decision_no="SECRET-REPAIRED",
        summary="秘密已修复",
    )
    reg.event(repaired, "repaired", _ago(30))
    withdrawn = reg.record(
        GATE,
        "admin_penalty",
        "general",
        _ago(60),
        "E2",
        decision_no="SECRET-WITHDRAWN",
        summary="秘密已撤销",
    )
    reg.event(withdrawn, "withdrawn", _ago(20))
    reg.record(
        PERSON,
        "admin_penalty",
        "general",
        _ago(40),
        "N1",
        decision_no="SECRET-PERSON-RECORD",
        summary="秘密个体处罚",
    )


def _black_exit(engine: Engine) -> date:
    with engine.connect() as conn:
        (black,) = entity_view(conn, BLACK, cat=default_catalogue()).lists
    assert black.scheduled_exit is not None
    return black.scheduled_exit


def build_site(engine: Engine) -> Site:
    """Write the registry; score it today into results, contributions and list entries."""
    reg = Registry(engine)
    _organisations(reg)
    _records(reg)
    rescore_all(engine, today(), default_catalogue())
    return Site(today=today(), black_exit=_black_exit(engine))

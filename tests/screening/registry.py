"""A small scored registry for screening tests: the worked example plus a few firms."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from tests.services.test_lookup_registry import (
    ABNORMAL,
    DEFAULTER,
    GATE,
    HEAD,
    PERSON,
    RED,
    SHANGHAI,
    Registry,
)

__all__ = [
    "ABNORMAL",
    "DEFAULTER",
    "GATE",
    "HEAD",
    "HUAXIN",
    "PERSON",
    "RED",
    "SHANGHAI",
    "screening_registry",
]

HUAXIN = "91330106MA002JWX3T"


def screening_registry(engine: Engine) -> Registry:
    """The worked example's ten organisations, scored, and one with English and former names."""
    reg = Registry(engine)
    reg.worked_example()
    reg.entity(
        HUAXIN,
        "华信（杭州）科技有限公司",
        name_en="Huaxin (Hangzhou) Technology Co., Ltd.",
        aliases=["杭州华信电子有限公司"],
    )
    reg.materialise()
    return reg

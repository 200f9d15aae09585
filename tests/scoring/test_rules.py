"""The rule table and the record-to-rule lookup, built once per catalogue."""

from decimal import Decimal

import polars as pl

from corpcredit.catalogue import default_catalogue
from corpcredit.scoring.rules import rule_row, rules_frame
from tests.factory import d, run

CAT = default_catalogue()


def _harsher(points: str):
    kinds = dict(CAT.kinds)
    penalty = kinds["admin_penalty"]
    tiers = dict(penalty.tiers)
    tiers["general"] = tiers["general"].model_copy(update={"points": Decimal(points)})
    kinds["admin_penalty"] = penalty.model_copy(update={"tiers": tiers})
    return CAT.model_copy(update={"kinds": kinds})


def _points(cat) -> int:
    rules = rules_frame(cat)
    row = pl.DataFrame({"kind": ["admin_penalty"], "tier": ["general"], "grade": [None]})
    i = row.select(rule_row(cat, rules)).item()
    return rules.get_column("points_h")[i]


def test_each_catalogue_gets_its_own_rules_even_when_asked_again_and_again():
    assert rules_frame(CAT) is rules_frame(CAT)  # built once, then reused
    default = _points(CAT)
    for points in ("-7", "-9", "-7"):
        harsher = _harsher(points)
        assert rules_frame(harsher) is not rules_frame(CAT)
        assert _points(harsher) == int(points) * 100 != default
        penalty = {
            "source": "s",
            "record_id": "r1",
            "usci": "91110000100000000A",
            "kind": "admin_penalty",
            "tier": "general",
            "decided_on": d("2026-01-10"),
            "authority": "测试局",
        }
        ent = [{"usci": "91110000100000000A", "parent_usci": None}]
        got = run(ent, [penalty], as_of="2026-03-01", cat=harsher).results
        want = run(ent, [penalty], as_of="2026-03-01").results
        assert got["own_points_h"][0] == int(points) * 100
        assert want["own_points_h"][0] == default
    assert _points(CAT) == default


def test_a_rule_table_of_ones_own_is_looked_up_as_given():
    rules = rules_frame(CAT).reverse()  # not the catalogue's table: never cached for it
    row = pl.DataFrame({"kind": ["admin_penalty"], "tier": ["general"], "grade": [None]})
    i = row.select(rule_row(CAT, rules)).item()
    assert rules.row(i, named=True)["kind"] == "admin_penalty"
    assert rules.row(i, named=True)["key"] == "general"

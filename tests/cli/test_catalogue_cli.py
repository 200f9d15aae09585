"""`corpcredit catalogue show|check` and the loader's errors."""

import json
import tomllib
from importlib import resources

import pytest
from typer.testing import CliRunner

from corpcredit.catalogue import default_catalogue, parse_catalogue
from corpcredit.cli import app
from corpcredit.errors import CatalogueError

DEFAULT = resources.files("corpcredit.catalogue").joinpath("default.toml").read_text("utf-8")


def _data() -> dict:
    return tomllib.loads(DEFAULT)


def test_default_catalogue_has_every_kind_of_the_domain_with_bilingual_labels():
    cat = default_catalogue()
    assert set(cat.kinds) == {
        "admin_penalty",
        "abnormal_operations",
        "serious_violation_list",
        "tax_blacklist",
        "tax_grade",
        "court_defaulter",
        "spot_check_failed",
        "environmental_violation",
        "commendation",
        "credit_commitment_kept",
    }
    for kind in cat.kinds.values():
        assert kind.label.zh and kind.label.en
        assert all(r.label.zh and r.label.en for r in kind.rules().values())
    assert cat.period_months("court_defaulter", "serious") == 24
    assert cat.period_months("abnormal_operations", "general") is None


@pytest.mark.parametrize(
    ("mutate", "path", "reason"),
    [
        (
            lambda d: d["kinds"]["admin_penalty"]["tiers"].update(
                huge={"points": -1, "label": {"zh": "x", "en": "x"}}
            ),
            "kinds.admin_penalty.tiers.huge",
            "Input should be",
        ),
        (
            lambda d: d["tiers"]["general"].update(max_months=-3),
            "tiers.general.max_months",
            "greater than 0",
        ),
        (lambda d: d["grades"][2].update(max=1035), "grades", "bands A and AA overlap"),
        (lambda d: d["grades"][1].update(min=1035), "grades", "gap between A (max 1029) and AA"),
        (
            lambda d: d["kinds"]["commendation"]["tiers"]["positive"].update(points=-5),
            "kinds.commendation.tiers.positive.points",
            "cannot have negative points",
        ),
        (
            lambda d: d["kinds"]["spot_check_failed"].update(black=True),
            "kinds.spot_check_failed",
            "needs a serious tier",
        ),
        (
            lambda d: d["kinds"]["admin_penalty"].update(colour="red"),
            "kinds.admin_penalty.colour",
            "Extra inputs",
        ),
    ],
)
def test_invalid_catalogue_is_refused_with_key_path_and_reason(mutate, path, reason):
    data = _data()
    mutate(data)
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(data)
    assert info.value.details["path"] == path
    assert reason in info.value.message


def test_catalogue_check_accepts_the_default_and_refuses_a_broken_file(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(DEFAULT, "utf-8")
    res = CliRunner().invoke(app, ["catalogue", "check", str(good)])
    assert res.exit_code == 0 and "catalogue 2026.1, 10 kinds" in res.output
    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT.replace("max_months = 12", "max_months = -12", 1), "utf-8")
    res = CliRunner().invoke(app, ["catalogue", "check", str(bad)])
    assert res.exit_code == 1
    assert "tiers.general.max_months" in res.output
    broken = tmp_path / "broken.toml"
    broken.write_text("version = ", "utf-8")
    res = CliRunner().invoke(app, ["catalogue", "check", str(broken)])
    assert res.exit_code == 1 and "not valid TOML" in res.output


def test_catalogue_show_prints_every_kind_and_json_round_trips():
    res = CliRunner().invoke(app, ["catalogue", "show"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    for kind in default_catalogue().kinds:
        assert kind in res.output
    res = CliRunner().invoke(app, ["catalogue", "show", "--json"])
    assert parse_catalogue(json.loads(res.output)) == default_catalogue()

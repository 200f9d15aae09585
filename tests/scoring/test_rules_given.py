"""Each record's rule found by the feed checks (batch scoring) is not looked up again
by the kernel: scoring with it gives what scoring without it gives, and the kernel
does read it."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from corpcredit.catalogue import default_catalogue
from corpcredit.engines.inputs import load_inputs
from corpcredit.feeds import check_records
from corpcredit.scoring.kernel import _score_polars
from corpcredit.scoring.rules import rule_row, rules_frame
from tests.factory import d, frames, rec, usci
from tests.scoring.strategies import registries
from tests.worked import WORKED

CAT = default_catalogue()


def _looked_up(records: pl.DataFrame) -> pl.Series:
    return records.select(rule_row(CAT, rules_frame(CAT)).alias("_rule")).to_series()


def _both_ways(
    e: pl.DataFrame, r: pl.DataFrame, v: pl.DataFrame, as_of, known_at: datetime | None
) -> None:
    rows = _looked_up(r)
    for contributions in (True, False):
        found = _score_polars(e, r, v, CAT, as_of, known_at, contributions=contributions)
        given_rules = _score_polars(
            e, r, v, CAT, as_of, known_at, contributions=contributions, rule_rows=rows
        )
        assert_frame_equal(given_rules.results, found.results)
        assert_frame_equal(given_rules.contributions, found.contributions)
        assert given_rules.warnings == found.warnings


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries(), st.lists(st.integers(0, 13), max_size=3))
def test_rules_given_score_as_rules_found(reg, odd: list[int]):
    records = [dict(r) for r in reg["records"]]
    for i in odd:  # a record without a rule: the kernel leaves it out either way
        if i < len(records):
            records[i]["tier"] = "none such"
    e, r, v = frames(reg["entities"], records, reg["events"])
    _both_ways(e, r, v, reg["as_of"], reg["known_at"])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries())
def test_checks_give_each_good_record_its_rule(reg):
    _, r, _ = frames(reg["entities"], reg["records"], reg["events"])
    checked = check_records(r.with_row_index("_row", offset=1), "records", CAT)
    assert checked.errors.is_empty()
    assert checked.rule_rows is not None
    assert "_rule" not in checked.good.columns
    assert_series_equal(checked.rule_rows, _looked_up(r), check_names=False)


def test_checks_give_rules_of_the_good_rows_only():
    codes = [usci(i) for i in range(3)]
    _, r, _ = frames(
        [{"usci": u} for u in codes],
        [
            rec(codes[0], "admin_penalty", "serious", "2025-03-01"),
            rec(codes[1], "admin_penalty", "no such tier", "2025-03-01"),
            rec(codes[2], "tax_grade", None, "2025-03-01", grade="D"),
        ],
    )
    checked = check_records(r.with_row_index("_row", offset=1), "records", CAT)
    assert checked.good.get_column("_row").to_list() == [1, 3]
    assert checked.rule_rows is not None
    assert_series_equal(checked.rule_rows, _looked_up(checked.good.drop("_row")), check_names=False)


def test_batch_inputs_carry_the_rules_the_kernel_reads():
    cat = CAT
    inputs = load_inputs(*(WORKED / f"{n}.csv" for n in ("entities", "records", "events")), cat)
    assert inputs.rule_rows is not None
    assert_series_equal(inputs.rule_rows, _looked_up(inputs.records), check_names=False)
    as_of = d("2025-06-30")
    found = _score_polars(inputs.entities, inputs.records, inputs.events, cat, as_of)
    given_rules = _score_polars(
        inputs.entities, inputs.records, inputs.events, cat, as_of, rule_rows=inputs.rule_rows
    )
    assert_frame_equal(given_rules.results, found.results)
    assert_frame_equal(given_rules.contributions, found.contributions)
    # The kernel reads them: every record given the rule of a serious administrative
    # penalty scores otherwise.
    rules = rules_frame(cat)
    serious = (
        rules.with_row_index("_i")
        .filter((pl.col("kind") == "admin_penalty") & (pl.col("key") == "serious"))
        .get_column("_i")
        .cast(pl.Int64)
        .item()
    )
    other = pl.Series("_rule", [serious] * inputs.records.height, dtype=pl.Int64)
    changed = _score_polars(
        inputs.entities, inputs.records, inputs.events, cat, as_of, rule_rows=other
    )
    assert not changed.results.equals(found.results)


def test_rules_given_for_other_records_are_refused():
    codes = [usci(i) for i in range(2)]
    e, r, v = frames(
        [{"usci": u} for u in codes],
        [rec(u, "admin_penalty", "serious", "2025-03-01") for u in codes],
    )
    with pytest.raises(ValueError, match="rule rows"):
        _score_polars(e, r, v, CAT, d("2026-06-30"), rule_rows=_looked_up(r).head(1))

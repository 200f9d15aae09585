"""The kernel's plain path for a few rows agrees with its Polars path, frame for frame."""

import calendar
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from corpcredit.catalogue import default_catalogue
from corpcredit.catalogue.model import Branches
from corpcredit.scoring.kernel import _score_polars, score
from corpcredit.scoring.org import ParentCycleError
from corpcredit.scoring.small import MAX_ENTITIES, MAX_RECORDS, score_small
from tests.factory import frames, usci
from tests.scoring.strategies import registries

CAT = default_catalogue()
# Odd weights and other horizons: rounding of travelling points, other month offsets.
ODD = CAT.model_copy(
    update={
        "branches": Branches(to_head_percent=33, to_branch_percent=17, to_sibling_percent=7),
        "lists": CAT.lists.model_copy(
            update={"abnormal_escalation_months": 13, "red_lookback_months": 13}
        ),
    }
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def awkward_registries(draw: st.DrawFn) -> dict:
    """Registries with what the plain generator leaves out: parents missing, parents
    that are themselves, cycles, natural persons given as a column, records of unknown
    entities or kinds, graded kinds without a grade, events about no record."""
    reg = draw(registries(max_entities=8, max_records=16))
    ents = reg["entities"]
    ids = [e["usci"] for e in ents]
    for e in ents:
        twist = draw(st.sampled_from(["keep"] * 6 + ["missing", "self", "any"]))
        if twist == "missing":
            e["parent_usci"] = usci(9000 + draw(st.integers(0, 3)))
        elif twist == "self":
            e["parent_usci"] = e["usci"]
        elif twist == "any":  # may close a cycle
            e["parent_usci"] = draw(st.sampled_from(ids))
    for r in reg["records"]:
        twist = draw(st.sampled_from(["keep"] * 8 + ["stranger", "odd kind", "no grade"]))
        if twist == "stranger":
            r["usci"] = usci(8000)
        elif twist == "odd kind":
            r["kind"] = "not_a_kind"
        elif twist == "no grade" and r["kind"] == "tax_grade":
            r["grade"] = None
    if draw(st.booleans()):
        reg["events"].append(
            {
                "source": "elsewhere",
                "record_id": "r0",
                "event": "withdrawn",
                "effective_on": date(2020, 1, 1),
                "recorded_at": None,
            }
        )
    if draw(st.booleans()):  # a few days only: same-day decisions, repairs, revocations
        first = date(2024, 1, 31)
        near = st.integers(0, 3).map(lambda n: first + timedelta(days=n))
        for r in reg["records"]:
            r["decided_on"] = draw(near)
            r["ends_on"] = draw(st.one_of(st.none(), near))
            r["recorded_at"] = None
        for ev in reg["events"]:
            ev["effective_on"] = draw(near)
            ev["recorded_at"] = None
        months = draw(st.sampled_from([0, 1, 3, 12, 13, 36]))
        reg["as_of"] = draw(near.map(lambda d: _months_on(d, months)))
    reg["persons"] = draw(st.lists(st.sampled_from([None, True, False]), min_size=len(ents)))
    return reg


def _months_on(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _inputs(reg: dict, given_persons: bool) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    e, r, v = frames(reg["entities"], reg["records"], reg["events"])
    if given_persons:  # as the store hands them over, with the head office beside
        persons = pl.Series("natural_person", reg["persons"][: e.height], dtype=pl.Boolean)
        e = e.with_columns(persons, pl.col("usci").alias("head_usci"))
    return e, r, v


def _agree(e, r, v, cat, reg) -> None:
    for contributions in (True, False):
        try:
            want = _score_polars(
                e, r, v, cat, reg["as_of"], reg["known_at"], contributions=contributions
            )
        except ParentCycleError as exc:
            with pytest.raises(ParentCycleError) as got:
                score_small(e, r, v, cat, reg["as_of"], reg["known_at"])
            assert got.value.uscis == exc.uscis
            return
        small = score_small(
            e, r, v, cat, reg["as_of"], reg["known_at"], contributions=contributions
        )
        assert small is not None, "the plain path should take a registry this small"
        results, lines, warnings = small
        assert_frame_equal(results, want.results)
        assert_frame_equal(lines, want.contributions)
        assert warnings == want.warnings


@SETTINGS
@given(registries(), st.sampled_from([CAT, ODD]))
def test_the_plain_path_agrees_with_polars(reg, cat):
    e, r, v = frames(reg["entities"], reg["records"], reg["events"])
    _agree(e, r, v, cat, reg)
    _agree(e, r, None if v.is_empty() else v, cat, reg)


@SETTINGS
@given(awkward_registries(), st.booleans(), st.sampled_from([CAT, ODD]))
def test_the_plain_path_agrees_with_polars_on_awkward_registries(reg, given_persons, cat):
    e, r, v = _inputs(reg, given_persons)
    _agree(e, r, v, cat, reg)


def _one(n: int) -> dict:
    return {
        "source": "h",
        "record_id": f"r{n}",
        "usci": usci(1000),
        "kind": "admin_penalty",
        "tier": "general",
        "decided_on": date(2025, 1, 1),
        "authority": "测试局",
        "decision_no": None,
        "grade": None,
        "black": None,
        "red": None,
        "ends_on": None,
        "recorded_at": None,
    }


def test_larger_or_unusual_inputs_are_left_to_polars():
    ents = [{"usci": usci(1000), "parent_usci": None}]
    e, r, v = frames(ents, [_one(i) for i in range(MAX_RECORDS + 1)])
    day = date(2025, 6, 1)
    assert score_small(e, r, v, CAT, day) is None
    many, few, _ = frames(
        [{"usci": usci(1000 + i), "parent_usci": None} for i in range(MAX_ENTITIES + 1)],
        [_one(0)],
    )
    assert score_small(many, few, v, CAT, day) is None
    assert score_small(e.lazy(), few, v, CAT, day) is None
    assert score_small(e, few.with_columns(pl.col("decided_on").cast(pl.Utf8)), v, CAT, day) is None
    twins = pl.concat([few, few])  # two records with one key
    assert score_small(e, twins, v, CAT, day) is None
    # Left to Polars, they are scored all the same.
    for big in (r, twins):
        assert_frame_equal(
            score(e, big, v, CAT, day).results, _score_polars(e, big, v, CAT, day).results
        )


def test_asked_for_the_prepared_records_a_few_rows_still_get_them():
    e, r, v = frames([{"usci": usci(1000), "parent_usci": None}], [_one(0), _one(1)])
    day = date(2025, 6, 1)
    kept = score(e, r, v, CAT, day, keep_prepared=True)
    assert kept.prepared is not None and kept.prepared.height == 2
    assert_frame_equal(kept.results, score(e, r, v, CAT, day).results)

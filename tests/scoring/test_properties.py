"""Invariants of the kernel over random registries (Hypothesis), and a differential test."""

import random
from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from corpcredit.catalogue import default_catalogue
from corpcredit.engines.local import shard_inputs
from corpcredit.scoring.frames import ROLE_ORDER
from corpcredit.scoring.kernel import _add_months, prepare_records, score
from tests.factory import frames
from tests.scoring.reference import reference_score
from tests.scoring.strategies import registries

CAT = default_catalogue()
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _score(reg, records=None, events=None):
    e, r, v = frames(
        reg["entities"],
        records if records is not None else reg["records"],
        events if events is not None else reg["events"],
    )
    return score(e, r, v, CAT, reg["as_of"], reg["known_at"])


@SETTINGS
@given(registries())
def test_kernel_agrees_with_the_plain_reference_reading(reg):
    got = {r["usci"]: r for r in _score(reg).results.to_dicts()}
    want = reference_score(
        reg["entities"], reg["records"], reg["events"], CAT, reg["as_of"], reg["known_at"]
    )
    assert set(got) == set(want)
    for u, w in want.items():
        g = got[u]
        assert {k: g[k] for k in w} == w, u


@SETTINGS
@given(registries())
def test_scores_stay_within_bounds_and_natural_persons_are_unscored(reg):
    res = _score(reg).results
    scored = res.filter(~pl.col("natural_person"))
    assert scored["score"].is_between(600, 1300).all()
    assert res.filter(pl.col("natural_person"))["score"].null_count() == res["natural_person"].sum()


@SETTINGS
@given(registries())
def test_results_are_the_same_when_no_contributions_are_asked_for(reg):
    e, r, v = frames(reg["entities"], reg["records"], reg["events"])
    without = score(e, r, v, CAT, reg["as_of"], reg["known_at"], contributions=False)
    whole = _score(reg)
    assert_frame_equal(without.results, whole.results)
    assert without.warnings == whole.warnings
    assert without.contributions.is_empty()


@SETTINGS
@given(registries(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter_and_runs_are_deterministic(reg, rnd: random.Random):
    first = _score(reg)
    shuffled = {k: (rnd.sample(v, len(v)) if isinstance(v, list) else v) for k, v in reg.items()}
    second = _score(shuffled)
    assert_frame_equal(first.results, second.results)
    assert_frame_equal(first.contributions, second.contributions)


@SETTINGS
@given(registries(), st.integers(2, 4))
def test_sharding_by_head_office_does_not_matter(reg, n):
    whole = _score(reg)
    e, r, v = frames(reg["entities"], reg["records"], reg["events"])
    e = e.with_columns((pl.col("usci").str.slice(0, 2) == "92").alias("natural_person"))
    parts = [
        score(se, sr, sv, CAT, reg["as_of"], reg["known_at"])
        for se, sr, sv in shard_inputs(e, r, v, n)
    ]
    results = pl.concat([p.results for p in parts]).sort("usci")
    contributions = (
        pl.concat([p.contributions for p in parts])
        .with_columns(pl.col("role").replace_strict(ROLE_ORDER).alias("_r"))
        .sort("usci", "_r", "from_usci", "record_source", "record_id")
        .drop("_r")
    )
    assert_frame_equal(whole.results, results)
    assert_frame_equal(whole.contributions, contributions)


@SETTINGS
@given(registries())
def test_records_without_events_score_the_same_by_the_short_way(reg):
    # Known to have no events (an empty frame, or none), the kernel skips the steps
    # that find their effects; an event about no record of the registry takes them all.
    e, r, v = frames(reg["entities"], reg["records"], [])
    stray = {
        "source": "elsewhere",
        "record_id": "none",
        "event": "withdrawn",
        "effective_on": date(2000, 1, 1),
        "recorded_at": None,
    }
    _, _, elsewhere = frames([], [], [stray])
    general = score(e, r, elsewhere, CAT, reg["as_of"], reg["known_at"])
    for events in (v, None):
        short = score(e, r, events, CAT, reg["as_of"], reg["known_at"])
        assert_frame_equal(short.results, general.results)
        assert_frame_equal(short.contributions, general.contributions)
        assert short.warnings == general.warnings
        for drop in (True, False):
            assert_frame_equal(
                prepare_records(r, events, CAT, reg["known_at"], drop_withdrawn=drop).collect(),
                prepare_records(r, elsewhere, CAT, reg["known_at"], drop_withdrawn=drop).collect(),
            )


@SETTINGS
@given(registries(), st.data())
def test_adding_a_negative_record_never_raises_a_score(reg, data):
    before = {r["usci"]: r["score"] for r in _score(reg).results.to_dicts()}
    kind, tier = data.draw(
        st.sampled_from(
            [
                ("admin_penalty", "minor"),
                ("admin_penalty", "general"),
                ("admin_penalty", "serious"),
                ("spot_check_failed", "general"),
                ("court_defaulter", "serious"),
                ("abnormal_operations", "general"),
            ]
        )
    )
    target = data.draw(st.sampled_from([e["usci"] for e in reg["entities"]]))
    base = {
        "source": "h",
        "authority": "测试局",
        "decision_no": None,
        "grade": None,
        "black": None,
        "red": None,
        "ends_on": None,
        "recorded_at": None,
    }
    extra = {
        **base,
        "record_id": "extra",
        "usci": target,
        "kind": kind,
        "tier": tier,
        "decided_on": reg["as_of"] - timedelta(days=data.draw(st.integers(0, 2000))),
    }
    after = {
        r["usci"]: r["score"]
        for r in _score(reg, records=[*reg["records"], extra]).results.to_dicts()
    }
    for u, s in before.items():
        if s is not None:
            assert after[u] <= s, u


@SETTINGS
@given(
    st.lists(st.one_of(st.none(), st.dates()), max_size=30),
    st.lists(st.one_of(st.none(), st.integers(-40, 150)), min_size=30, max_size=30),
    st.sampled_from([True, False, None]),
)
def test_month_offsets_agree_with_polars_for_any_dates(days, months, table):
    d = pl.Series("d", days, dtype=pl.Date)
    m = pl.Series("m", months[: len(days)], dtype=pl.Int64)
    want = pl.DataFrame({"d": d, "m": m}).select(pl.col("d").dt.offset_by(pl.format("{}mo", "m")))
    assert _add_months(d, m, table=table).equals(want.to_series(), check_names=False)
    assert _add_months(d, 36, table=table).equals(d.dt.offset_by("36mo"), check_names=False)


@SETTINGS
@given(
    st.lists(st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2026, 12, 31))), max_size=30),
    st.lists(st.one_of(st.none(), st.integers(0, 60)), min_size=30, max_size=30),
)
def test_the_month_table_agrees_with_polars_where_it_serves(days, months):
    d = pl.Series("d", days, dtype=pl.Date)
    m = pl.Series("m", months[: len(days)], dtype=pl.Int64)
    want = pl.DataFrame({"d": d, "m": m}).select(pl.col("d").dt.offset_by(pl.format("{}mo", "m")))
    assert _add_months(d, m, table=True).equals(want.to_series(), check_names=False)

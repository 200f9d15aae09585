"""Head offices found by the caller (batch scoring, to refuse a cycle) are not found
again by the kernel: scoring with them gives what scoring without them gives."""

import random

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from corpcredit.catalogue import default_catalogue
from corpcredit.scoring.kernel import _KEYED_SORT_FROM, _score_polars
from corpcredit.scoring.org import head_indices
from tests.factory import d, frames, rec, usci
from tests.scoring.strategies import registries

CAT = default_catalogue()


def _with_persons(entities: pl.DataFrame) -> pl.DataFrame:
    return entities.with_columns((pl.col("usci").str.slice(0, 2) == "92").alias("natural_person"))


def _both_ways(e: pl.DataFrame, r: pl.DataFrame, v: pl.DataFrame, as_of, known_at=None) -> None:
    e = _with_persons(e)
    found = _score_polars(e, r, v, CAT, as_of, known_at)
    given_heads = _score_polars(e, r, v, CAT, as_of, known_at, heads=head_indices(e))
    assert_frame_equal(given_heads.results, found.results)
    assert_frame_equal(given_heads.contributions, found.contributions)
    assert given_heads.warnings == found.warnings


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries(), st.randoms(use_true_random=False))
def test_heads_given_in_any_row_order_score_as_heads_found(reg, rnd: random.Random):
    entities = rnd.sample(reg["entities"], len(reg["entities"]))
    e, r, v = frames(entities, reg["records"], reg["events"])
    _both_ways(e, r, v, reg["as_of"], reg["known_at"])


def test_heads_given_for_many_entities_score_as_heads_found():
    # Enough entities for the kernel to order them by integer keys; shuffled, with
    # chains of branches, a missing parent and individual businesses.
    n = _KEYED_SORT_FROM + 11
    codes = [usci(i, kind="92" if i % 97 == 0 else "91") for i in range(n)]
    parents = [
        None if i % 5 == 0 else codes[i - 1 - i % 3] if i % 211 else usci(n + i) for i in range(n)
    ]
    order = random.Random(7).sample(range(n), n)
    entities = [{"usci": codes[i], "parent_usci": parents[i]} for i in order]
    records = [
        rec(codes[i], "admin_penalty", "serious" if i % 2 else "general", "2025-03-01")
        for i in range(0, n, 3)
    ]
    e, r, v = frames(entities, records)
    _both_ways(e, r, v, d("2026-06-30"))

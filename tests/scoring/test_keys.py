"""Matching rows on key columns screened by row hashes: the same rows as the join."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from corpcredit.scoring.keys import maybe_matching

KEYS = ["source", "record_id"]
# Few distinct values, and nulls, so that equal keys (and null keys) are common.
texts = st.one_of(st.none(), st.sampled_from(["a", "b", "ab", "", " "]))
rows = st.lists(st.tuples(texts, texts), max_size=30)


def _frame(pairs: list[tuple[str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(pairs, schema={"source": pl.Utf8, "record_id": pl.Utf8}, orient="row")


@settings(max_examples=300, deadline=None)
@given(rows, rows)
def test_screened_joins_give_the_joins_rows(left, right):
    a, b = _frame(left).with_row_index("_i"), _frame(right)
    maybe = maybe_matching(a, b, KEYS)
    # Never "no" for a row that has a match: a row the join finds is always a candidate.
    matched = a.join(b, on=KEYS, how="semi").get_column("_i")
    assert maybe.gather(matched).all()
    for how in ("inner", "anti", "semi"):
        want = a.join(b, on=KEYS, how=how).sort(pl.all())
        got = a.filter(maybe).join(b, on=KEYS, how=how) if how != "anti" else None
        if how == "anti":
            # Rows screened out have no match: they belong to the anti join as they are.
            got = pl.concat([a.filter(~maybe), a.filter(maybe).join(b, on=KEYS, how="anti")])
        assert_frame_equal(got.sort(pl.all()), want)


def test_keys_typed_differently_leave_every_row_a_candidate():
    a = pl.DataFrame({"k": [1, 2, 3]})
    b = pl.DataFrame({"k": [1, 2, 3]}, schema={"k": pl.Int32})
    assert maybe_matching(a, b, ["k"]).to_list() == [True, True, True]
    assert maybe_matching(a.clear(), b, ["k"]).len() == 0

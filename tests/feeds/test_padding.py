"""The padding search: a column of few distinct values is searched among them, and
finds exactly the columns that a look at every value (the few-rows path) finds."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpcredit.feeds.validate import _SAMPLE_ROWS, _padded_by_query, _padded_values

# Spaces that count as padding and some that do not (no-break space, vertical tab).
_VALUES = st.one_of(
    st.none(), st.text(alphabet=" \t\u3000\r\n\u00a0\x0bx测", min_size=0, max_size=4)
)


def _by_value(df: pl.DataFrame) -> set[str]:
    return {n for n in df.columns if _padded_values(df.get_column(n).cast(pl.Utf8).to_list())}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pool=st.lists(_VALUES, min_size=1, max_size=4),
    odd=_VALUES,
    where=st.integers(0, _SAMPLE_ROWS + 500),
    height=st.sampled_from([100, _SAMPLE_ROWS + 1000]),
    categorical=st.booleans(),
)
def test_few_and_many_distinct_values_are_searched_as_each_value_is(
    pool, odd, where, height, categorical
):
    where %= height
    # "few": a handful of values repeated, one cell (perhaps past the sampled rows) odd;
    # "many": every value distinct, the same odd cell.
    few = [pool[i % len(pool)] for i in range(height)]
    many = [f"r{i}" for i in range(height)]
    few[where] = odd
    many[where] = odd
    df = pl.DataFrame({"few": few, "many": many}, schema={"few": pl.Utf8, "many": pl.Utf8})
    if categorical:
        df = df.with_columns(pl.col("few").cast(pl.Categorical))
    assert _padded_by_query(df, ["few", "many"]) == _by_value(df)


def test_a_padded_value_past_the_sampled_rows_is_found():
    height = 3 * _SAMPLE_ROWS
    kinds = ["admin_penalty"] * height
    kinds[-1] = "admin_penalty "
    df = pl.DataFrame({"kind": kinds, "id": [str(i) for i in range(height)]})
    assert _padded_by_query(df, ["kind", "id"]) == {"kind"}
    assert _padded_by_query(df.head(height - 1), ["kind", "id"]) == set()

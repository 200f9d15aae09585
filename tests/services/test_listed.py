"""What a rescore of one organisation works out in Python is what Polars would make:
the list flags of a few results, the time stamp of the results."""

from datetime import datetime, timedelta, timezone

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from corpcredit.scoring import ScoreOutput
from corpcredit.scoring.frames import CONTRIBUTION_SCHEMA
from corpcredit.services.materialise import _listed_by_query, listed, utc_literal

_FLAG = st.one_of(st.none(), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_FLAG, _FLAG, _FLAG), max_size=8))
def test_a_few_results_list_the_same_flags_in_the_same_order(flags):
    results = pl.DataFrame(
        {
            "usci": [f"U{i:02d}" for i in range(len(flags))],
            "black": [f[0] for f in flags],
            "red": [f[1] for f in flags],
            "abnormal": [f[2] for f in flags],
        },
        schema={"usci": pl.Utf8, "black": pl.Boolean, "red": pl.Boolean, "abnormal": pl.Boolean},
    )
    out = ScoreOutput(results=results, contributions=pl.DataFrame(schema=CONTRIBUTION_SCHEMA))
    assert_frame_equal(listed(out), _listed_by_query(results))


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.one_of(st.none(), st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m))),
)
def test_a_utc_stamp_is_the_literal_polars_would_make(ts, offset):
    if offset is not None:
        ts = ts.replace(tzinfo=timezone(offset))
    want = pl.select(pl.lit(ts).cast(pl.Datetime("us", "UTC")).alias("t"))
    assert_frame_equal(pl.select(utc_literal(ts).alias("t")), want)

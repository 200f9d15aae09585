"""The list flags of a few results are read in Python exactly as the query reads them."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from corpcredit.scoring import ScoreOutput
from corpcredit.scoring.frames import CONTRIBUTION_SCHEMA
from corpcredit.services.materialise import _listed_by_query, listed

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

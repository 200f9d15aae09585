"""Chunk checks: a column a chunk lacks reads as that column left empty."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from corpcredit.catalogue import default_catalogue
from corpcredit.feeds.validate import (
    ENTITY_COLUMNS,
    EVENT_COLUMNS,
    RECORD_COLUMNS,
    _padded_by_query,
    _padded_values,
)
from corpcredit.ingest.checks import MAX_FIELD_CHARS, _suspect_few, _suspect_many, check_chunk
from corpcredit.ingest.readers import RawChunk

CAT = default_catalogue()
SPECS = {"entities": ENTITY_COLUMNS, "records": RECORD_COLUMNS, "events": EVENT_COLUMNS}
# Values each kind of column may hold in a feed, good and bad.
VALUES = {
    "text": ["某市市场监督管理局", " padded ", "", "x\u3000", "(2024)1号"],
    "usci": ["91110000100000000A", "91110000100000000a", "911100001000000001", ""],
    "date": ["2026-05-01", "2026-13-01", "", "2025-02-28"],
    "bool": ["true", "否", "maybe", ""],
    "timestamp": ["2026-05-01T08:00:00+08:00", "2026-05-01 08:00", "2026-05-01", "soon"],
    "decimal": ["1,000.50", "12", "lots", ""],
}
KIND_VALUES = {
    "kind": ["admin_penalty", "court_defaulter", "mystery"],
    "tier": ["general", "serious", "minor", "Serious", "odd"],
    "event": ["lifted", "Repaired", "withdrawn", "gone"],
}


@st.composite
def chunks(draw: st.DrawFn) -> tuple[str, pl.DataFrame, list[str]]:
    kind = draw(st.sampled_from(list(SPECS)))
    spec = SPECS[kind]
    n = draw(st.integers(1, 4))
    columns = {
        name: [
            draw(st.one_of(st.none(), st.sampled_from(KIND_VALUES.get(name, VALUES[what]))))
            for _ in range(n)
        ]
        for name, what in spec.items()
    }
    frame = pl.DataFrame(
        {"_row": list(range(2, n + 2)), **columns},
        schema={"_row": pl.Int64, **dict.fromkeys(spec, pl.Utf8)},
    )
    absent = draw(st.lists(st.sampled_from(list(spec)), unique=True))
    return kind, frame, absent


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks())
def test_a_column_the_chunk_lacks_is_checked_as_an_empty_one(chunk):
    kind, frame, absent = chunk
    empty = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias(c) for c in absent)
    lacking = frame.drop(absent)
    want = check_chunk(kind, RawChunk(empty, empty.height), "f.csv", CAT)
    got = check_chunk(kind, RawChunk(lacking, lacking.height), "f.csv", CAT)
    assert_frame_equal(got.good, want.good)
    assert_frame_equal(got.errors, want.errors)


# A few values of every awkward sort: spaces that count as padding and some that do not
# (no-break space, vertical tab), NULs, characters beyond one byte, fields at the limit.
_EDGY = st.one_of(
    st.none(),
    st.text(alphabet=" \t\u3000\r\n\u00a0\x0b\x00x测", max_size=6),
    st.integers(MAX_FIELD_CHARS - 1, MAX_FIELD_CHARS + 1).map(lambda n: "测" * n),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_EDGY, min_size=3, max_size=3), min_size=1, max_size=3), st.booleans())
def test_a_few_rows_are_screened_in_python_as_polars_screens_them(rows, categorical):
    df = pl.DataFrame(rows, schema=["a", "b", "c"], orient="row")
    if categorical:
        df = df.with_columns(pl.col("c").cast(pl.Categorical))
    text = ["a", "b", "c"]
    assert _suspect_few(df, text) == _suspect_many(df, text)
    assert {n for n in text if _padded_values(df.get_column(n).cast(pl.Utf8).to_list())} == (
        _padded_by_query(df, text)
    )

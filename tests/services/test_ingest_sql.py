"""Values as SQLite stores them: a small frame converted in Python as Polars converts it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from corpcredit.services.ingest_sql import (
    CONVERT_IN_PYTHON,
    _column,
    _few_sqlite_rows,
    fetch_frame,
    insert_frame,
    reset_temp,
    sqlite_values,
    temp_table,
)
from corpcredit.services.sqlite_arrow import parse_stored, stored_type
from corpcredit.store import create_engine_for

ZONES = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Date(),
    "at": pl.Datetime("us", "UTC"),
    "at_ms": pl.Datetime("ms", "Asia/Shanghai"),
    "flag": pl.Boolean(),
    "amount": pl.Decimal(18, 2),
    "text": pl.Utf8(),
    "n": pl.Int64(),
    "x": pl.Float64(),
}


def _moments():
    return st.one_of(
        st.none(),
        st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=st.sampled_from(ZONES)),
    )


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(0, 20))

    def column(values: st.SearchStrategy) -> list:
        return [draw(st.one_of(st.none(), values)) for _ in range(n)]

    top = Decimal(10**16) - Decimal("0.01")  # the largest Decimal(18, 2)
    amounts = st.decimals(-top, top, places=2, allow_nan=False, allow_infinity=False)
    data = {
        "day": column(st.dates()),
        "at": [draw(_moments()) for _ in range(n)],
        "at_ms": [draw(_moments()) for _ in range(n)],
        "flag": column(st.booleans()),
        "amount": column(amounts),
        "text": column(st.text(max_size=5)),
        "n": column(st.integers(-(2**63), 2**63 - 1)),
        "x": column(st.floats(allow_nan=False)),
    }
    names = draw(st.lists(st.sampled_from(list(SCHEMA)), min_size=1, unique=True))
    return pl.DataFrame({k: data[k] for k in names}, schema={k: SCHEMA[k] for k in names})


@settings(max_examples=300, deadline=None)
@given(frames())
def test_small_frames_are_converted_in_python_exactly_as_polars_converts_them(df):
    assert _few_sqlite_rows(df) == sqlite_values(df).rows()


def test_larger_frames_and_what_python_cannot_convert_alike_are_left_to_polars():
    days = pl.DataFrame({"day": [date(2026, 1, 1)] * (CONVERT_IN_PYTHON + 1)})
    assert _few_sqlite_rows(days) is None
    assert _few_sqlite_rows(days.head(CONVERT_IN_PYTHON)) == sqlite_values(days.head(256)).rows()
    nanos = pl.DataFrame({"at": [datetime(2026, 1, 1, tzinfo=UTC)]}).cast(
        {"at": pl.Datetime("ns", "UTC")}
    )
    assert _few_sqlite_rows(nanos) is None
    assert _few_sqlite_rows(pl.DataFrame({"at": [datetime(2026, 1, 1)]})) is None


def test_rows_inserted_either_way_read_back_the_same(tmp_path):
    engine = create_engine_for(f"sqlite:///{tmp_path / 't.db'}")
    table = temp_table(
        "_cc_test_values",
        sa.Column("day", sa.Date()),
        sa.Column("at", sa.DateTime(timezone=True)),
        sa.Column("flag", sa.Boolean()),
        sa.Column("amount", sa.Numeric(18, 2)),
    )
    schema: dict[str, pl.DataType] = {
        "day": pl.Date(),
        "at": pl.Datetime("us", "UTC"),
        "flag": pl.Boolean(),
        "amount": pl.Decimal(18, 2),
    }
    rows = [
        (date(2026, 5, 1), datetime(2026, 5, 1, 8, 30, 0, 5, tzinfo=UTC), True, Decimal("12.5")),
        (None, None, None, None),
    ]
    small = pl.DataFrame(rows, schema=schema, orient="row")
    large = pl.concat([small] * (CONVERT_IN_PYTHON // 2 + 1))
    with engine.begin() as conn:
        for df in (small, large):
            reset_temp(conn, table)
            insert_frame(conn, table, df)
            assert fetch_frame(conn, sa.select(table), schema).equals(df)


def _stored(values: list, dtype: pl.DataType) -> pl.Series:
    return parse_stored(pl.Series("c", values, dtype=stored_type(dtype)), dtype)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.dates().map(date.isoformat),
            st.dates().map(lambda d: d.strftime("%Y%m%d")),  # ISO, but not as stored
            st.dates().map(lambda d: d.strftime("%G-W%V-%u")),
            st.text("0123456789-", min_size=8, max_size=11),
        ),
        max_size=CONVERT_IN_PYTHON + 2,
    )
)
def test_stored_dates_read_as_polars_reads_them(values):
    try:
        want = _stored(values, pl.Date())
    except pl.exceptions.PolarsError:
        with pytest.raises(pl.exceptions.PolarsError):
            _column(values, "c", pl.Date(), "sqlite")
        return
    assert _column(values, "c", pl.Date(), "sqlite").equals(want)


@pytest.mark.parametrize("dtype", list(SCHEMA.values()))
@pytest.mark.parametrize("n", [0, 1, 3])
def test_a_stored_column_without_values_reads_as_polars_reads_it(dtype, n):
    got = _column([None] * n, "c", dtype, "sqlite")
    want = _stored([None] * n, dtype)
    assert got.dtype == want.dtype and got.equals(want)

"""Points leave the kernel as integer hundredths; Parquet outputs hold them as decimals
of two places, CSV outputs as their text. The two must say the same number."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from corpcredit.engines.output import format_contributions

_HUNDREDTHS = st.none() | st.integers(-(10**15), 10**15)


@settings(deadline=None)  # a first call builds Polars' query machinery: slow under load
@given(st.lists(_HUNDREDTHS, max_size=50))
def test_decimal_points_equal_their_text(values: list[int | None]) -> None:
    lines = pl.DataFrame(
        {
            "usci": ["91110000600037341L"] * len(values),
            "record_source": "tax",
            "record_id": "R1",
            "from_usci": None,
            "role": "own",
            "points_h": values,
            "ends_on": None,
        },
        schema_overrides={"points_h": pl.Int64, "from_usci": pl.Utf8, "ends_on": pl.Date},
    )
    decimal = format_contributions(lines, csv=False).get_column("points")
    text = format_contributions(lines, csv=True).get_column("points")
    assert decimal.dtype == pl.Decimal(18, 2)
    assert decimal.to_list() == text.cast(pl.Decimal(18, 2)).to_list()
    # and as text, cent for cent: "-0.05", "12.30", null
    expected = [
        None if v is None else f"{'-' if v < 0 else ''}{abs(v) // 100}.{abs(v) % 100:02d}"
        for v in values
    ]
    assert text.to_list() == expected
    assert [None if d is None else f"{d:.2f}" for d in decimal.to_list()] == expected

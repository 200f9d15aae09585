"""Feed checks on identifier columns: each value read as a person would read it.

Blank cells are empty, a value is trimmed of surrounding spaces, then validated and
put in normal form; an invalid one is an error at its row. The checks skip the search
for padding when every distinct identifier is already valid and normal, which must
change nothing: every value here is checked against the scalar validator.
"""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpcredit.errors import InvalidIdentifier
from corpcredit.feeds import check_entities
from corpcredit.feeds.validate import _odd_identifiers
from corpcredit.ids import compact, validate_series
from corpcredit.ids.usci import validate
from tests.factory import usci

# More rows than are checked value by value in Python, so the Polars paths run.
ROWS = 80
CODES = [usci(n) for n in range(ROWS)]
# Each way a parent's identifier may arrive: as it should, or needing work, or wrong.
SHAPES = [
    lambda c: c,
    lambda c: c.lower(),
    lambda c: f" {c}",
    lambda c: f"{c}\u3000",
    lambda c: f"\t{c} ",
    lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"),
    lambda c: "",
    lambda c: "   ",
    lambda c: None,
]
TIDY = [0, 6, 8]


def _expected(value: str | None) -> tuple[str | None, str | None]:
    """(normal form or None, error code or None) of one parent_usci cell."""
    text = None if value is None else value.strip(" \t\u3000")
    if not text:
        return None, None
    try:
        return validate(text), None
    except InvalidIdentifier as exc:
        return None, exc.code


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, ROWS - 1), st.sampled_from(range(len(SHAPES)))),
        min_size=ROWS,
        max_size=ROWS,
    ),
    st.booleans(),
)
def test_identifier_cells_read_as_the_scalar_validator_reads_them(cells, tidy):
    # A tidy column holds only normal identifiers and empty cells: no search for padding.
    shapes = [SHAPES[s if not tidy else TIDY[s % len(TIDY)]] for _, s in cells]
    parents = [shape(CODES[n]) for (n, _), shape in zip(cells, shapes, strict=True)]
    raw = pl.DataFrame(
        {
            "_row": range(2, ROWS + 2),
            "usci": CODES,
            "name": [f"公司{i}" for i in range(ROWS)],
            "parent_usci": parents,
        },
        schema={"_row": pl.Int64, "usci": pl.Utf8, "name": pl.Utf8, "parent_usci": pl.Utf8},
    )
    checked = check_entities(raw, "entities.csv")
    expected = [_expected(p) for p in parents]
    errors = set(checked.errors.select("_row", "code").rows())
    assert errors == {(row, code) for row, (_, code) in enumerate(expected, 2) if code}
    good = dict(checked.good.select("_row", "parent_usci").rows())
    assert good == {row: value for row, (value, code) in enumerate(expected, 2) if not code}


def _odd_by_value(column: pl.Series) -> set[tuple[object, ...]]:
    """Each distinct identifier validated on its own by the scalar validator."""
    odd = set()
    for value in set(column.drop_nulls().to_list()) - {""}:
        try:
            code, error = validate(value), None
        except InvalidIdentifier as exc:
            code, error = None, exc
        if error is None and code == value:
            continue
        if error is None:
            odd.add((value, code, None, None, code.startswith("92")))
        else:
            odd.add((value, compact(value), error.code, error.message, None))
    return odd


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, ROWS - 1), st.sampled_from(range(len(SHAPES))), st.integers(1, 4)),
        min_size=1,
        max_size=ROWS,
    ),
    st.sampled_from([None, True, False]),
)
def test_odd_identifiers_are_found_however_the_distinct_values_are(cells, distinct_first):
    # Runs of one value (records grouped by organisation), repeats far apart, and every
    # shape of cell: each way of finding the distinct values finds the same odd ones.
    column = pl.Series(
        "usci",
        [SHAPES[s](CODES[n]) for n, s, run in cells for _ in range(run)],
        dtype=pl.Utf8,
    )
    odd = _odd_identifiers(column, validate_series, distinct_first=distinct_first)
    assert odd.height == odd.get_column("usci").n_unique()
    assert set(odd.rows()) == _odd_by_value(column)

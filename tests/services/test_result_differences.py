"""What a whole-registry rescore rewrites: exactly the entities whose stored result row
differs from the new one (nulls equal), whose lines digest differs, that have no
stored row, or that are stored but no longer scored. Checked against a plain reading
of that rule, row by row, on random stored and new states."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from corpcredit.scoring.frames import RESULT_SCHEMA
from corpcredit.services.materialise import DIGESTED, differences, row_digest

_USCIS = [f"91110000{n:09d}X" for n in range(8)]
_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "natural_person": st.booleans(),
    "score": st.none() | st.integers(600, 602),
    "grade": st.none() | st.sampled_from(["A", "B"]),
    "black": st.booleans(),
    "red": st.booleans(),
    "abnormal": st.booleans(),
    "own_points_h": st.integers(-1, 1),
    "received_points_h": st.integers(-1, 1),
    "next_change": st.none() | st.sampled_from([date(2026, 1, 1), date(2027, 1, 1)]),
    "catalogue_version": st.sampled_from(["2026.1", "2026.2"]),
    "head_usci": st.sampled_from(_USCIS[:2]),
    "lines_digest": st.none() | st.integers(-2, 2),
}


@st.composite
def _rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    uscis = draw(st.lists(st.sampled_from(_USCIS), unique=True, max_size=len(_USCIS)))
    return [{"usci": u, **{c: draw(v) for c, v in _VALUES.items()}} for u in uscis]


@st.composite
def _states(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A stored state, and a new one sharing some rows with it, unchanged or edited."""
    stored = draw(_rows())
    new = [dict(r) for r in stored if draw(st.booleans())]
    for row in new:
        if draw(st.booleans()):
            column = draw(st.sampled_from(list(_VALUES)))
            row[column] = draw(_VALUES[column])
    taken = {r["usci"] for r in new}
    new += [r for r in draw(_rows()) if r["usci"] not in taken]
    return stored, new


#: The types of the digested columns as results are written.
_TYPES: dict[str, pl.DataType] = {
    **RESULT_SCHEMA,
    "head_usci": pl.Utf8(),
    "lines_digest": pl.Int64(),
}


def _frame(rows: list[dict[str, Any]], as_of: bool) -> pl.DataFrame:
    """Rows as written (new) or as read back (stored, with their date): each with the
    digest of its columns, as a write stores it."""
    frame = pl.DataFrame(rows, schema={c: _TYPES[c] for c in DIGESTED}, orient="row")
    frame = frame.with_columns(row_digest())
    if as_of:
        frame = frame.with_columns(pl.lit(date(2026, 6, 30)).alias("as_of"))
    return frame


@settings(max_examples=300, deadline=None)
@given(_states())
def test_exactly_the_rows_that_differ_are_rewritten(
    states: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    stored, new = states
    rewrite, relined = differences(_frame(new, as_of=False), _frame(stored, as_of=True))

    was = {r["usci"]: r for r in stored}
    now = {r["usci"]: r for r in new}
    gone = set(was) - set(now)
    expected_rows = gone | {u for u, r in now.items() if was.get(u) != r}
    expected_lines = gone | {
        u for u, r in now.items() if u not in was or was[u]["lines_digest"] != r["lines_digest"]
    }
    assert sorted(rewrite.get_column("usci").to_list()) == sorted(expected_rows)
    assert sorted(relined.get_column("usci").to_list()) == sorted(expected_lines)


def test_rows_stored_without_a_digest_are_all_rewritten_once() -> None:
    rows = [{"usci": u, **{c: None for c in _VALUES}} for u in _USCIS]
    for r in rows:
        r.update(natural_person=False, black=False, red=False, abnormal=False)
        r.update(own_points_h=0, received_points_h=0, catalogue_version="2026.1")
    stored = _frame(rows, as_of=True).with_columns(pl.lit(None, pl.Int64).alias("row_digest"))
    rewrite, relined = differences(_frame(rows, as_of=False), stored)
    assert sorted(rewrite.get_column("usci")) == _USCIS and relined.is_empty()


def test_an_unchanged_registry_rewrites_nothing() -> None:
    rows = [{"usci": u, **{c: None for c in _VALUES}} for u in _USCIS]
    for r in rows:
        r.update(natural_person=False, black=False, red=False, abnormal=False)
        r.update(own_points_h=0, received_points_h=0, catalogue_version="2026.1")
    rewrite, relined = differences(_frame(rows, as_of=False), _frame(rows, as_of=True))
    assert rewrite.is_empty() and relined.is_empty()

"""The digest of an entity's contribution lines: the same set of lines gives the same
digest in any order; any change to any stored value of any line changes it."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from corpcredit.services.materialise import lines_digests

_LINE = st.fixed_dictionaries(
    {
        "usci": st.sampled_from(["91110000600037341L", "9144030071526726XG"]),
        "record_source": st.sampled_from(["tax", "samr"]),
        "record_id": st.text("0123456789", min_size=1, max_size=4),
        "from_usci": st.sampled_from(["91110000600037341L", "9144030071526726XG"]),
        "role": st.sampled_from(["own", "from_branch", "from_head"]),
        "points_h": st.integers(-100_000, 100_000),
        "ends_on": st.none() | st.dates(date(2020, 1, 1), date(2030, 1, 1)),
        "kind": st.sampled_from(["admin_penalty", "tax_rating"]),
        "tier": st.none() | st.sampled_from(["minor", "general", "serious"]),
        "authority": st.text(max_size=6),
        "decision_no": st.none() | st.text(max_size=6),
        "catalogue_version": st.just("2026.1"),
    }
)
_SCHEMA = {
    "usci": pl.Utf8,
    "record_source": pl.Utf8,
    "record_id": pl.Utf8,
    "from_usci": pl.Utf8,
    "role": pl.Utf8,
    "points_h": pl.Int64,
    "ends_on": pl.Date,
    "kind": pl.Utf8,
    "tier": pl.Utf8,
    "authority": pl.Utf8,
    "decision_no": pl.Utf8,
    "catalogue_version": pl.Utf8,
}


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    unique = {(r["usci"], r["record_source"], r["record_id"]): r for r in rows}
    return pl.DataFrame(list(unique.values()), schema=_SCHEMA)


def _digests(frame: pl.DataFrame) -> dict[str, int]:
    return dict(lines_digests(frame).iter_rows())


@settings(deadline=None, max_examples=150)
@given(st.lists(_LINE, min_size=1, max_size=12))
def test_order_does_not_matter(rows: list[dict[str, object]]) -> None:
    frame = _frame(rows)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=7)
    assert _digests(shuffled) == _digests(frame)
    assert lines_digests(frame).schema == pl.Schema({"usci": pl.Utf8, "lines_digest": pl.Int64})


@settings(deadline=None, max_examples=150)
@given(st.lists(_LINE, min_size=1, max_size=12), st.data())
def test_any_changed_value_changes_the_digest(
    rows: list[dict[str, object]], data: st.DataObject
) -> None:
    frame = _frame(rows)
    i = data.draw(st.integers(0, frame.height - 1))
    column = data.draw(st.sampled_from([c for c in _SCHEMA if c not in ("usci",)]))
    row = frame.row(i, named=True)
    new = data.draw(_LINE)[column]
    if new == row[column] or column in ("record_source", "record_id"):
        return  # no change, or a key change that may collide with another line
    changed = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == i)
        .then(pl.lit(new, dtype=_SCHEMA[column]))
        .otherwise(pl.col(column))
        .alias(column)
    )
    assert _digests(changed)[row["usci"]] != _digests(frame)[row["usci"]]
    others = {u: d for u, d in _digests(frame).items() if u != row["usci"]}
    assert {u: d for u, d in _digests(changed).items() if u != row["usci"]} == others


def test_a_line_added_or_removed_changes_the_digest() -> None:
    base = _frame(
        [
            {
                "usci": "91110000600037341L", "record_source": "tax", "record_id": "1",
                "from_usci": "91110000600037341L", "role": "own", "points_h": -500,
                "ends_on": None, "kind": "admin_penalty", "tier": "general",
                "authority": "某局", "decision_no": None, "catalogue_version": "2026.1",
            }
        ]
    )  # fmt: skip
    more = pl.concat([base, base.with_columns(pl.lit("2").alias("record_id"))])
    assert _digests(more) != _digests(base)
    assert _digests(base.clear()) == {}


def test_the_rows_read_back_are_the_digests_of_every_compared_column() -> None:
    from corpcredit.services.materialise import COMPARED, CURRENT_SCHEMA, DIGESTED, STAMPS
    from corpcredit.store.schema import results

    # The two digests, and the date: to skip the stamps.
    assert list(CURRENT_SCHEMA) == ["usci", "row_digest", "lines_digest", "as_of"]
    assert set(COMPARED) | set(STAMPS) == {c.name for c in results.columns}
    assert set(DIGESTED) == set(COMPARED) - {"row_digest"}

"""Entities sorted by usci through integer keys: the order of sorting the text."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from corpcredit.scoring.kernel import _KEYED_SORT_FROM, _entities_frame, _usci_order

# Eighteen bytes, ASCII or not (a character of two or three bytes shortens the text).
chars = st.sampled_from([*"0123456789ABCDEFGHJKLMNPQRTUWXY", "\x00", "\x7f", "é", "统"])
eighteen = st.text(chars, min_size=6, max_size=18).filter(lambda t: len(t.encode()) == 18)


@settings(max_examples=300, deadline=None)
@given(st.lists(eighteen, unique=True, max_size=40))
def test_keyed_order_is_the_texts_order(values):
    usci = pl.Series("usci", values, dtype=pl.Utf8)
    order = _usci_order(usci)
    assert order is not None
    assert usci.gather(order).to_list() == sorted(values, key=str.encode)
    assert_frame_equal(usci.gather(order).to_frame(), usci.sort().to_frame())


@given(st.lists(st.one_of(st.none(), eighteen, st.text(chars, max_size=20)), min_size=1))
def test_other_lengths_or_nulls_are_left_to_the_text_sort(values):
    usci = pl.Series("usci", values, dtype=pl.Utf8)
    fits = all(v is not None and len(v.encode()) == 18 for v in values)
    assert (_usci_order(usci) is not None) == fits


def test_many_entities_come_out_as_the_text_sort_orders_them():
    n = _KEYED_SORT_FROM + 7
    usci = [f"91{(i * 7919) % n:016d}" for i in range(n)]
    ents = pl.DataFrame(
        {"usci": usci, "parent_usci": [None] * n}, schema_overrides={"parent_usci": pl.Utf8}
    )
    want = ents.lazy().select("usci", "parent_usci").sort("usci").collect()
    got = _entities_frame(ents)
    assert_frame_equal(got.select("usci", "parent_usci"), want)
    assert_frame_equal(_entities_frame(ents.lazy()), got)

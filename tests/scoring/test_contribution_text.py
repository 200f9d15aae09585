"""Contribution lines name their own records, whatever the kernel skips before scoring."""

import polars as pl
from hypothesis import given, settings
from polars.testing import assert_frame_equal

from corpcredit.catalogue import default_catalogue
from corpcredit.scoring.kernel import score
from tests.factory import frames
from tests.scoring.strategies import registries

CAT = default_catalogue()


@settings(max_examples=100, deadline=None)
@given(registries(max_entities=8, max_records=20))
def test_each_contribution_carries_its_own_records_text(reg):
    """Natural persons' and withdrawn records are skipped by the kernel; each contribution
    line still names the record of the entity it came from, with that record's text
    (the general path, from lazy frames)."""
    e, r, v = frames(reg["entities"], reg["records"], reg["events"])
    r = r.with_columns(pl.format("no. {}", "record_id").alias("decision_no"))
    out = score(e.lazy(), r.lazy(), v.lazy(), CAT, reg["as_of"], reg["known_at"])
    lines = out.contributions
    if lines.is_empty():
        return
    own = r.select(
        pl.col("source").alias("record_source"),
        "record_id",
        pl.col("usci").alias("from_usci"),
        "kind",
        "decision_no",
        "decided_on",
    )
    joined = lines.select("record_source", "record_id").join(
        own, on=["record_source", "record_id"], how="left", maintain_order="left"
    )
    assert_frame_equal(lines.select(own.columns), joined)

"""Synthetic record events: lifts, repairs, withdrawals and revoked repairs."""

from __future__ import annotations

import polars as pl

from corpcredit import synth

EVENT_COLUMNS = ["source", "record_id", "event", "effective_on", "recorded_at"]


def _with_records(registry: synth.SyntheticRegistry) -> pl.DataFrame:
    return registry.events.join(
        registry.records.select("source", "record_id", "kind", "tier", "decided_on"),
        on=["source", "record_id"],
        how="left",
    )


def test_events_have_the_feed_columns(registry: synth.SyntheticRegistry) -> None:
    ev = registry.events
    assert ev.columns == EVENT_COLUMNS
    assert ev.schema["effective_on"] == pl.Date
    assert ev.schema["recorded_at"] == pl.Datetime("us", "UTC")


def test_every_event_type_occurs(registry: synth.SyntheticRegistry) -> None:
    assert set(registry.events["event"].unique()) == {
        "lifted", "repaired", "withdrawn", "revoked_repair"
    }  # fmt: skip


def test_events_reference_existing_records(registry: synth.SyntheticRegistry) -> None:
    assert _with_records(registry)["kind"].null_count() == 0


def test_events_take_effect_after_the_decision_and_by_as_of(
    registry: synth.SyntheticRegistry,
) -> None:
    ev = _with_records(registry)
    assert (ev["effective_on"] >= ev["decided_on"]).all()
    assert ev["effective_on"].max() <= registry.as_of
    recorded = ev["recorded_at"].dt.convert_time_zone("Asia/Shanghai").dt.date()
    assert (recorded > ev["effective_on"]).all()
    assert recorded.max() <= registry.as_of


def test_lifts_are_for_listings_that_end_on_remedy(registry: synth.SyntheticRegistry) -> None:
    lifted = _with_records(registry).filter(pl.col("event") == "lifted")
    assert set(lifted["kind"].unique()) == {
        "abnormal_operations",
        "court_defaulter",
        "tax_blacklist",
    }


def test_repairs_wait_for_the_earliest_repair_date(registry: synth.SyntheticRegistry) -> None:
    repaired = _with_records(registry).filter(pl.col("event") == "repaired")
    assert set(repaired["tier"].unique()) <= {"general", "serious"}
    general = repaired.filter(pl.col("tier") == "general")
    serious = repaired.filter(pl.col("tier") == "serious")
    assert (general["effective_on"] >= general["decided_on"].dt.offset_by("3mo")).all()
    assert (serious["effective_on"] >= serious["decided_on"].dt.offset_by("1y")).all()


def test_revoked_repairs_follow_a_repair(registry: synth.SyntheticRegistry) -> None:
    ev = registry.events
    revoked = ev.filter(pl.col("event") == "revoked_repair")
    repaired = ev.filter(pl.col("event") == "repaired").select(
        "source", "record_id", repaired_on="effective_on"
    )
    joined = revoked.join(repaired, on=["source", "record_id"], how="left")
    assert joined.height > 0
    assert (joined["effective_on"] > joined["repaired_on"]).all()


def test_one_primary_event_per_record(registry: synth.SyntheticRegistry) -> None:
    primary = registry.events.filter(pl.col("event") != "revoked_repair")
    assert primary.select("source", "record_id").is_unique().all()

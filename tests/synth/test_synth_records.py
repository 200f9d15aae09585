"""Synthetic records: every kind and tier of the catalogue, sound dates, no personal data."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from corpcredit import synth
from corpcredit.ids.resident import contains_resident_id, resident_id_mask

RECORD_COLUMNS = [
    "record_id", "source", "usci", "kind", "tier", "decided_on", "authority", "decision_no",
    "legal_basis", "summary", "amount_cny", "grade", "black", "red", "ends_on", "recorded_at",
]  # fmt: skip
KINDS = {
    "admin_penalty", "abnormal_operations", "serious_violation_list", "tax_blacklist",
    "tax_grade", "court_defaulter", "spot_check_failed", "environmental_violation",
    "commendation", "credit_commitment_kept",
}  # fmt: skip


def _tiers(records: pl.DataFrame, kind: str) -> set[str]:
    return set(records.filter(pl.col("kind") == kind)["tier"].to_list())


def test_records_have_the_feed_columns_and_types(registry: synth.SyntheticRegistry) -> None:
    r = registry.records
    assert r.columns == RECORD_COLUMNS
    assert r.schema["decided_on"] == pl.Date
    assert r.schema["ends_on"] == pl.Date
    assert r.schema["black"] == pl.Boolean
    assert r.schema["red"] == pl.Boolean
    assert r.schema["amount_cny"] == pl.Float64
    assert r.schema["recorded_at"] == pl.Datetime("us", "UTC")


def test_every_kind_and_tier_of_the_catalogue_is_present(registry: synth.SyntheticRegistry) -> None:
    r = registry.records
    assert set(r["kind"].unique()) == KINDS
    assert _tiers(r, "admin_penalty") == {"minor", "general", "serious"}
    assert _tiers(r, "environmental_violation") == {"general", "serious"}
    assert _tiers(r, "abnormal_operations") == {"general"}
    assert _tiers(r, "commendation") == {"positive"}
    assert _tiers(r, "tax_grade") == {None}
    grades = r.filter(pl.col("kind") == "tax_grade")["grade"]
    assert set(grades.unique()) == {"A", "B", "M", "C", "D"}
    assert grades.is_in(["A", "B", "M"]).mean() > 0.75
    assert r.filter(pl.col("kind") != "tax_grade")["grade"].null_count() == r.height - grades.len()


def test_about_five_records_per_entity_heavy_tailed(registry: synth.SyntheticRegistry) -> None:
    per_entity = registry.records.group_by("usci").len()["len"]
    assert 4.0 <= registry.records.height / registry.entities.height <= 6.0
    none = registry.entities.height - per_entity.len()
    assert (none + (per_entity <= 2).sum()) / registry.entities.height > 0.4
    assert per_entity.max() >= 24


def test_record_ids_are_unique_within_source(registry: synth.SyntheticRegistry) -> None:
    r = registry.records
    assert r.select("source", "record_id").is_unique().all()
    assert set(r["source"].unique()) == {
        "samr-gsxt", "chinatax", "court-zxgk", "mee", "local-credit"
    }  # fmt: skip


def test_records_name_existing_entities(registry: synth.SyntheticRegistry) -> None:
    assert registry.records["usci"].is_in(registry.entities["usci"].implode()).all()


def test_dates_fall_in_the_six_years_before_as_of(registry: synth.SyntheticRegistry) -> None:
    r = registry.records
    as_of = registry.as_of
    assert r["decided_on"].min() >= date(as_of.year - 6, as_of.month, as_of.day)
    assert r["decided_on"].max() <= as_of
    recorded = r["recorded_at"].dt.convert_time_zone("Asia/Shanghai").dt.date()
    assert (recorded > r["decided_on"]).all()
    assert (recorded <= r["decided_on"] + timedelta(days=10)).all()
    assert recorded.max() <= as_of
    ends = r.filter(pl.col("ends_on").is_not_null())
    assert ends.height > 0
    assert (ends["ends_on"] >= ends["decided_on"].dt.offset_by("3y")).all()


def test_flags_sit_on_the_right_tiers(registry: synth.SyntheticRegistry) -> None:
    r = registry.records
    black = r.filter(pl.col("black"))
    red = r.filter(pl.col("red"))
    assert black.height > 0 and red.height > 0
    assert (black["tier"] == "serious").all()
    assert (red["kind"] == "commendation").all()
    assert r["black"].drop_nulls().all() and r["red"].drop_nulls().all()


def test_fines_are_positive_and_minor_ones_small(registry: synth.SyntheticRegistry) -> None:
    r = registry.records
    assert (r["amount_cny"].drop_nulls() > 0).all()
    minor = r.filter((pl.col("tier") == "minor") & pl.col("amount_cny").is_not_null())
    assert minor["amount_cny"].max() <= 3_000


def test_minor_records_before_and_after_a_serious_one(registry: synth.SyntheticRegistry) -> None:
    r = registry.records
    serious = (
        r.filter(pl.col("tier") == "serious")
        .group_by("usci")
        .agg(first=pl.col("decided_on").min(), last=pl.col("decided_on").max())
    )
    minor = r.filter(pl.col("tier") == "minor").join(serious, on="usci")
    both = minor.group_by("usci").agg(
        before=(pl.col("decided_on") < pl.col("first")).any(),
        after=(pl.col("decided_on") > pl.col("last")).any(),
    )
    assert both.filter(pl.col("before") & pl.col("after")).height > 0


def test_records_on_branches_and_on_head_offices(registry: synth.SyntheticRegistry) -> None:
    e = registry.entities
    branches = e.filter(pl.col("parent_usci").is_not_null())["usci"]
    heads = e["parent_usci"].drop_nulls().unique()
    negative = registry.records.filter(pl.col("tier").is_in(["general", "serious"]))
    assert negative["usci"].is_in(branches.implode()).sum() > 100
    assert negative["usci"].is_in(heads.implode()).sum() > 100


def test_some_abnormal_operations_are_old_enough_to_escalate(
    registry: synth.SyntheticRegistry,
) -> None:
    lifted = registry.events.filter(pl.col("event") == "lifted").select("source", "record_id")
    old = registry.records.filter(
        (pl.col("kind") == "abnormal_operations")
        & (pl.col("decided_on") < pl.lit(registry.as_of).dt.offset_by("-36mo"))
    ).join(lifted, on=["source", "record_id"], how="anti")
    assert old.height > 50


def test_authorities_are_named_after_the_place(registry: synth.SyntheticRegistry) -> None:
    r = registry.records
    assert (
        r["authority"]
        .str.contains(r"(市场监督管理局|税务局|人民法院|生态环境局|委员会|政府|局|支队)$")
        .all()
    )
    numbered = r["decision_no"].drop_nulls()
    assert numbered.str.contains(r"^(.+〔\d{4}〕\d+号|（\d{4}）.+执\d+号)$").all()


def test_no_text_field_looks_like_a_resident_id(registry: synth.SyntheticRegistry) -> None:
    identifiers = {"usci", "parent_usci"}
    for frame in (registry.entities, registry.records, registry.events):
        for name, dtype in frame.schema.items():
            if dtype != pl.String:
                continue
            column = frame[name].drop_nulls()
            assert not resident_id_mask(column).any(), name
            if name not in identifiers:
                assert not column.str.contains(r"\d{17}[\dXx]").any(), name
    summaries = registry.records["summary"].unique().to_list()
    assert not any(contains_resident_id(s) for s in summaries)


def test_all_digit_uscis_cannot_pass_for_resident_ids(registry: synth.SyntheticRegistry) -> None:
    # Legacy bodies can make an all-digit USCI, but only for types 91 and 93, whose
    # first two digits are no province code.
    digits = registry.entities.filter(pl.col("usci").str.contains(r"^\d{18}$"))["usci"]
    assert digits.len() > 0
    assert digits.str.slice(0, 2).is_in(["91", "93"]).all()

"""Synthetic entities: natural persons, branch networks, names, and the feed layout."""

from __future__ import annotations

import polars as pl

from corpcredit import synth

ENTITY_COLUMNS = [
    "usci", "name", "name_en", "aliases", "parent_usci", "legal_form", "status",
    "registered_on", "address",
]  # fmt: skip


def test_entities_have_the_feed_columns_in_order(registry: synth.SyntheticRegistry) -> None:
    frame = registry.entities
    assert frame.columns == ENTITY_COLUMNS
    assert frame.schema["registered_on"] == pl.Date
    assert all(frame.schema[c] == pl.String for c in ENTITY_COLUMNS if c != "registered_on")
    assert frame.height == 20_000


def test_about_two_percent_are_natural_persons(registry: synth.SyntheticRegistry) -> None:
    persons = registry.entities.filter(pl.col("usci").str.starts_with("92"))
    assert 0.015 <= persons.height / registry.entities.height <= 0.025
    assert (persons["legal_form"] == "个体工商户").all()


def test_natural_persons_have_no_parent_and_no_branches(registry: synth.SyntheticRegistry) -> None:
    e = registry.entities
    persons = e.filter(pl.col("usci").str.starts_with("92"))
    assert persons["parent_usci"].null_count() == persons.height
    assert not persons["usci"].is_in(e["parent_usci"].drop_nulls().implode()).any()


def test_every_parent_exists_and_is_a_head_office(registry: synth.SyntheticRegistry) -> None:
    e = registry.entities
    branches = e.filter(pl.col("parent_usci").is_not_null())
    heads = e.filter(pl.col("usci").is_in(branches["parent_usci"].implode()))
    assert branches["parent_usci"].is_in(e["usci"].implode()).all()
    # Heads have no parent themselves, so no chain can loop back.
    assert heads["parent_usci"].null_count() == heads.height
    assert (branches["usci"].str.slice(0, 2) == "91").all()
    assert (branches["legal_form"] == "分公司").all()


def test_branch_networks_have_one_to_twenty_branches(registry: synth.SyntheticRegistry) -> None:
    e = registry.entities
    sizes = e.group_by("parent_usci").len().filter(pl.col("parent_usci").is_not_null())["len"]
    assert sizes.min() >= 1
    assert sizes.max() <= 20
    assert (sizes <= 3).mean() > 0.75  # skewed: most networks are small
    organisations = e.filter(~pl.col("usci").str.starts_with("92")).height
    assert 0.06 <= sizes.len() / organisations <= 0.10


def test_branch_names_extend_their_head_office_name(registry: synth.SyntheticRegistry) -> None:
    e = registry.entities
    pairs = e.join(e.select(parent_usci="usci", head_name="name"), on="parent_usci", how="inner")
    assert pairs.height > 0
    assert (pairs["name"].str.ends_with("分公司")).all()
    assert all(n.startswith(h) for n, h in zip(pairs["name"], pairs["head_name"], strict=True))


def test_names_are_unique_and_chinese(registry: synth.SyntheticRegistry) -> None:
    names = registry.entities["name"]
    assert names.is_unique().all()
    assert names.str.contains(r"^[\p{Han}（）]+$").all()


def test_some_enterprises_have_english_names_and_former_names(
    registry: synth.SyntheticRegistry,
) -> None:
    e = registry.entities.filter(pl.col("usci").str.starts_with("91"))
    share_en = e["name_en"].is_not_null().mean()
    assert 0.2 <= share_en <= 0.4
    assert e["name_en"].drop_nulls().str.contains(r"Co\., Ltd\.").all()
    aliases = e["aliases"].drop_nulls()
    assert aliases.len() > 0
    assert aliases.str.contains(r"\|").any()


def test_status_and_dates_are_plausible(registry: synth.SyntheticRegistry) -> None:
    e = registry.entities
    assert set(e["status"].unique()) == {"active", "revoked", "deregistered"}
    assert (e["status"] == "active").mean() > 0.8
    assert e["registered_on"].max() <= registry.as_of
    assert e["registered_on"].null_count() == 0
    assert e["address"].str.contains("号").all()


def test_describe_counts_roles_records_and_events(registry: synth.SyntheticRegistry) -> None:
    summary = synth.describe(registry)
    assert summary.entities == 20_000
    assert summary.natural_persons == 400
    assert summary.branches == registry.entities["parent_usci"].is_not_null().sum()
    assert 0 < summary.head_offices < summary.branches
    assert sum(summary.records_by_kind.values()) == summary.records == registry.records.height
    assert sum(summary.events_by_type.values()) == summary.events == registry.events.height

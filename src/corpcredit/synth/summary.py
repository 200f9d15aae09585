"""Counts that describe a synthetic registry (for the CLI summary and for tests)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from corpcredit.synth.registry import SyntheticRegistry

__all__ = ["RegistrySummary", "describe"]


@dataclass(frozen=True)
class RegistrySummary:
    entities: int
    head_offices: int
    branches: int
    natural_persons: int
    records: int
    records_by_kind: dict[str, int]
    events: int
    events_by_type: dict[str, int]


def _counts(column: pl.Series) -> dict[str, int]:
    table = column.value_counts().sort(column.name)
    return dict(zip(table[column.name].to_list(), table["count"].to_list(), strict=True))


def describe(registry: SyntheticRegistry) -> RegistrySummary:
    """Entities by role, records by kind, events by type."""
    e = registry.entities
    parents = e["parent_usci"].drop_nulls().unique()
    return RegistrySummary(
        entities=e.height,
        head_offices=int(e["usci"].is_in(parents.implode()).sum()),
        branches=int(e["parent_usci"].is_not_null().sum()),
        natural_persons=int(e["usci"].str.starts_with("92").sum()),
        records=registry.records.height,
        records_by_kind=_counts(registry.records["kind"]),
        events=registry.events.height,
        events_by_type=_counts(registry.events["event"]),
    )

"""The list windows of a whole registry, as written to ``result_lists``: each window's
grounds are compact JSON, in the lookup's order (start date, then record key), and
its dates follow from them, whether it rests on one record or on several (the two
are built apart)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpcredit.scoring import score
from corpcredit.services.windows import WINDOW_SCHEMA, list_windows_frame
from corpcredit.store.frames import KernelInputs
from tests.ingest.builders import AS_OF, CAT, loaded_registry


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> KernelInputs:
    return loaded_registry(tmp_path_factory.mktemp("windows"), 600, 29)  # type: ignore[no-any-return]


def windows(frames: KernelInputs, days: int) -> pl.DataFrame:
    as_of = AS_OF + timedelta(days=days)
    out = score(frames.entities, frames.records, frames.events, CAT, as_of)
    return list_windows_frame(frames, out, CAT, as_of)


def assert_consistent(row: dict[str, Any]) -> None:
    grounds = json.loads(row["grounds"])
    assert row["grounds"] == json.dumps(grounds, ensure_ascii=False, separators=(",", ":"))
    assert grounds
    order = [(g["entered_on"], g["source"], g["record_id"]) for g in grounds]
    assert order == sorted(order)
    repairs = [g["repair_from"] for g in grounds]
    if row["list"] == "red":  # narrowed to the days the score keeps it red
        assert row["earliest_repair"] is None
        return
    assert row["entered_on"].isoformat() <= min(g["entered_on"] for g in grounds)
    if None in repairs:
        assert row["earliest_repair"] is None
    else:
        assert row["earliest_repair"].isoformat() == max(repairs)


def test_windows_on_one_record_and_on_several_are_both_present(frames: KernelInputs) -> None:
    rows = windows(frames, 0)
    assert rows.schema == pl.Schema(WINDOW_SCHEMA)
    counts = rows.select(pl.col("grounds").str.count_matches('"source"')).to_series()
    assert (counts == 1).any() and (counts > 1).any()
    assert rows.select(pl.struct("usci", "list").is_unique().all()).item()
    for row in rows.iter_rows(named=True):
        assert_consistent(row)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.integers(-1500, 0))
def test_every_window_is_its_grounds_encoded(frames: KernelInputs, days: int) -> None:
    rows = windows(frames, days)
    assert rows.get_column("usci").is_sorted()
    for row in rows.iter_rows(named=True):
        assert_consistent(row)

"""The records the lists need, taken from the kernel's own preparation, are the ones
prepared afresh: same rows, same order, same values (a full rescore takes them from
the kernel instead of preparing two million records again)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from corpcredit.scoring import score
from corpcredit.services.materialise import prepare_listed
from corpcredit.store.frames import KernelInputs
from tests.ingest.builders import AS_OF, CAT, loaded_registry


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> KernelInputs:
    return loaded_registry(tmp_path_factory.mktemp("prepared"), 600, 17)  # type: ignore[no-any-return]


def test_the_registry_has_what_makes_the_difference(frames: KernelInputs) -> None:
    """Withdrawn records (which the kernel keeps and the lists drop), and every list."""
    out = score(frames.entities, frames.records, frames.events, CAT, AS_OF, keep_prepared=True)
    assert out.prepared is not None
    assert out.prepared.get_column("withdrawn").sum() > 0
    assert all(out.results.get_column(flag).any() for flag in ("black", "red", "abnormal"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.integers(-900, 0), share=st.floats(0, 1), seed=st.integers(0, 2**16))
def test_lists_get_the_same_records_from_the_kernel(
    frames: KernelInputs, days: int, share: float, seed: int
) -> None:
    as_of = AS_OF + timedelta(days=days)
    kept = score(frames.entities, frames.records, frames.events, CAT, as_of, keep_prepared=True)
    fresh = score(frames.entities, frames.records, frames.events, CAT, as_of)
    assert kept.prepared is not None and fresh.prepared is None
    also = frames.entities.select("usci").sample(fraction=share, seed=seed)
    for extra in (None, also):
        assert_frame_equal(
            prepare_listed(frames, kept, CAT, extra), prepare_listed(frames, fresh, CAT, extra)
        )

"""Same seed, same registry and byte-identical files; a different seed, a different one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from corpcredit import synth
from corpcredit.errors import CorpCreditError


def _frames_equal(a: synth.SyntheticRegistry, b: synth.SyntheticRegistry) -> bool:
    return all(getattr(a, f).equals(getattr(b, f)) for f in synth.FEEDS)


def test_same_seed_gives_identical_frames(small: synth.SyntheticRegistry) -> None:
    again = synth.generate(2_000, 7)
    for feed in synth.FEEDS:
        assert_frame_equal(getattr(small, feed), getattr(again, feed))
    assert _frames_equal(small, again)


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = synth.write(synth.generate(1_500, 11), tmp_path / "a")
    second = synth.write(synth.generate(1_500, 11), tmp_path / "b")
    for feed in synth.FEEDS:
        assert first[feed].read_bytes() == second[feed].read_bytes()
    first_csv = synth.write(synth.generate(500, 11), tmp_path / "c", "csv")
    second_csv = synth.write(synth.generate(500, 11), tmp_path / "d", "csv")
    for feed in synth.FEEDS:
        assert first_csv[feed].read_bytes() == second_csv[feed].read_bytes()


def test_different_seed_gives_a_different_registry(small: synth.SyntheticRegistry) -> None:
    other = synth.generate(2_000, 8)
    for feed in synth.FEEDS:
        assert not getattr(small, feed).equals(getattr(other, feed))


def test_as_of_defaults_to_a_fixed_date_and_bounds_the_history() -> None:
    assert synth.generate(50, 1).as_of == synth.DEFAULT_AS_OF == date(2026, 6, 30)
    earlier = synth.generate(1_000, 1, as_of=date(2024, 2, 29))
    assert earlier.as_of == date(2024, 2, 29)
    assert earlier.records["decided_on"].max() <= date(2024, 2, 29)
    assert earlier.records["decided_on"].min() >= date(2018, 2, 28)
    assert earlier.events["effective_on"].max() <= date(2024, 2, 29)
    assert earlier.entities["registered_on"].max() <= date(2024, 2, 29)


def test_negative_sizes_are_refused() -> None:
    with pytest.raises(CorpCreditError) as caught:
        synth.generate(-1, 1)
    assert caught.value.code == "synth.invalid_argument"


def test_tiny_and_empty_registries_work() -> None:
    empty = synth.generate(0, 1)
    assert empty.entities.height == empty.records.height == empty.events.height == 0
    tiny = synth.generate(3, 1)
    assert tiny.entities.height == 3
    assert tiny.entities["usci"].is_unique().all()

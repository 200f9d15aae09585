"""Bulk work raises the collector's threshold and always restores it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from corpcredit.collector import BULK_THRESHOLD, fewer_collections


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_inside_the_threshold_is_raised_and_restored_after(
    thresholds: tuple[int, int, int],
) -> None:
    with fewer_collections():
        assert gc.get_threshold() == (BULK_THRESHOLD, 10, 10)
        with fewer_collections():  # nested: the same setting
            assert gc.get_threshold() == (BULK_THRESHOLD, 10, 10)
        assert gc.get_threshold() == (BULK_THRESHOLD, 10, 10)
    assert gc.get_threshold() == thresholds


def test_an_error_inside_restores_the_threshold(thresholds: tuple[int, int, int]) -> None:
    @fewer_collections()
    def failing() -> None:
        assert gc.get_threshold()[0] == BULK_THRESHOLD
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        failing()
    assert gc.get_threshold() == thresholds


def test_overlapping_threads_restore_once_the_last_ends(
    thresholds: tuple[int, int, int],
) -> None:
    inside, leave = threading.Event(), threading.Event()

    def worker() -> None:
        with fewer_collections():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(10)
    with fewer_collections():
        pass
    assert gc.get_threshold()[0] == BULK_THRESHOLD  # the thread is still inside
    leave.set()
    thread.join()
    assert gc.get_threshold() == thresholds


def test_a_higher_threshold_already_set_is_kept(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(BULK_THRESHOLD * 2, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == BULK_THRESHOLD * 2
    assert gc.get_threshold() == (BULK_THRESHOLD * 2, 10, 10)

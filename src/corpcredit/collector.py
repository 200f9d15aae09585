"""Bulk work with fewer runs of Python's cyclic garbage collector.

Ingestion and rescoring allocate millions of short-lived Python objects (rows
fetched and bound to statements, parsed JSON, small frames' values) that reference
counting frees as soon as they are dropped. The cyclic collector also walks the
young objects every 700 allocations by default, which found nothing to free here
and cost about 3 % of an ingestion's processor time (``perf``). Raising that
threshold for the duration of bulk work is the usual remedy; collections still run,
only less often, so a cycle made meanwhile is still freed.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["BULK_THRESHOLD", "fewer_collections"]

#: Allocations between collections of the youngest generation during bulk work.
BULK_THRESHOLD = 50_000

_lock = threading.Lock()
_users = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the youngest generation every :data:`BULK_THRESHOLD` allocations while
    inside (also a decorator). Nested and concurrent uses (threads of one server)
    share one setting; the thresholds in force before the first are restored when
    the last one ends, however it ends."""
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(BULK_THRESHOLD, _saved[0]), *_saved[1:])
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None

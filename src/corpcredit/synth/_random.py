"""Fast vectorised draws from a seeded generator.

``Generator.integers`` and ``Generator.choice(p=...)`` are several times slower
than ``Generator.random`` on millions of draws; these helpers derive the same
kinds of values from uniform floats. Deterministic for a given generator state.
"""

from __future__ import annotations

import numpy as np

__all__ = ["categorical", "uniform_ints"]


def uniform_ints(
    rng: np.random.Generator, low: int | np.ndarray, high: int | np.ndarray, n: int
) -> np.ndarray:
    """Integers in ``[low, high)`` (bounds may be arrays of length ``n``)."""
    value = np.asarray(low) + rng.random(n) * (np.asarray(high) - np.asarray(low))
    return np.asarray(value, dtype=np.int64)


def categorical(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """Indices drawn with probabilities proportional to ``p``."""
    cdf = np.cumsum(p, dtype=float)
    draws = np.searchsorted(cdf / cdf[-1], rng.random(n), side="right")
    return np.minimum(draws, len(p) - 1)

"""Synthetic registries shared by the synth tests (generated once per session)."""

from __future__ import annotations

import pytest

from corpcredit import synth


@pytest.fixture(scope="session")
def registry() -> synth.SyntheticRegistry:
    """The registry the catalogue-coverage tests look at: 20,000 entities, seed 1."""
    return synth.generate(20_000, 1)


@pytest.fixture(scope="session")
def small() -> synth.SyntheticRegistry:
    """A small registry for file round trips and determinism checks."""
    return synth.generate(2_000, 7)

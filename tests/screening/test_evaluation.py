"""The labelled evaluation set: the matcher's precision and recall have floors.

The floors are what the implementation reaches on a 20,000-entity synthetic
registry (1.00 and 1.00 when written; ``benchmarks/screening.py`` reports the
figures at larger sizes). A weakened matcher falls below them, so the set can fail.
"""

from __future__ import annotations

import pytest

from corpcredit import synth
from corpcredit.screening import CandidateIndex, IndexManifest, Matcher
from corpcredit.screening.evaluation import EvalCase, build_cases, entity_rows, evaluate

PRECISION_FLOOR = 0.99
RECALL_FLOOR = 0.98
PER_VARIANT = 40
POSITIVE = {
    "legal_form_dropped", "legal_form_changed", "region_moved", "region_dropped", "traditional",
    "pinyin", "english", "typo_homophone", "typo_doubled", "combined", "near_neighbour",
    "branch", "head_office",
}  # fmt: skip
NEGATIVE = {"other_trade_char", "other_trade_pinyin", "other_region", "other_industry"}


@pytest.fixture(scope="module")
def registry() -> synth.SyntheticRegistry:
    return synth.generate(20_000, 11)


@pytest.fixture(scope="module")
def cases(registry: synth.SyntheticRegistry) -> list[EvalCase]:
    return build_cases(registry.entities, per_variant=PER_VARIANT, seed=3)


@pytest.fixture(scope="module")
def index(registry: synth.SyntheticRegistry) -> CandidateIndex:
    return CandidateIndex.build(entity_rows(registry.entities), IndexManifest("t", "now"))


def test_the_set_covers_every_kind_of_variant_and_hard_negative(cases: list[EvalCase]) -> None:
    counts: dict[str, int] = {}
    for case in cases:
        counts[case.variant] = counts.get(case.variant, 0) + 1
        assert (case.expected is None) == (case.variant in NEGATIVE)
    assert set(counts) == POSITIVE | NEGATIVE
    assert min(counts.values()) >= PER_VARIANT // 2
    assert len(cases) >= 500


def test_the_set_is_deterministic(registry: synth.SyntheticRegistry, cases: list[EvalCase]) -> None:
    assert build_cases(registry.entities, per_variant=PER_VARIANT, seed=3) == cases


def test_precision_and_recall_reach_their_floors(
    index: CandidateIndex, cases: list[EvalCase]
) -> None:
    result = evaluate(Matcher(index), cases)
    failed = [(c.variant, c.query, c.expected, r.status) for c, r in result.failures[:10]]
    assert result.precision >= PRECISION_FLOOR, failed
    assert result.recall >= RECALL_FLOOR, failed


def test_a_lax_matcher_falls_below_the_precision_floor(
    index: CandidateIndex, cases: list[EvalCase]
) -> None:
    result = evaluate(Matcher(index, threshold=0.6), cases)
    assert result.precision < PRECISION_FLOOR


def test_a_strict_matcher_falls_below_the_recall_floor(
    index: CandidateIndex, cases: list[EvalCase]
) -> None:
    result = evaluate(Matcher(index, threshold=0.99), cases)
    assert result.recall < RECALL_FLOOR

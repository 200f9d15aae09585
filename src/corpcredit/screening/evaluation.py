"""A labelled evaluation set for the name matcher, drawn from the synthetic registry.

Queries are variants of registered names the way suppliers' spreadsheets write
them, each labelled with the organisation it means, or with none:

- positives: legal form dropped or changed, region moved into or out of
  brackets or dropped, traditional characters (OpenCC ``s2t``), pinyin
  (pypinyin's own ``lazy_pinyin``, in three spellings), English names with
  another legal form, case or no region, homophone typos (the character a
  pinyin input method offers for the same sound), doubled characters, several of
  these at once, a head office that has branches, a branch, and a firm whose
  registry neighbour differs by one character of its trade name;
- hard negatives: a trade name with one character changed to one that sounds
  different (in characters and in pinyin), the same name in another region, the
  same trade name with another industry word — none of them in the registry.

The generator knows how synthetic names are built (``region + trade name +
industry + [集团] + legal form``, :mod:`corpcredit.synth.names`) and takes only
enterprise head offices whose name parses unambiguously. A variant is kept only
when its label is well defined: a region-less variant only when no other firm
shares the rest of the name, a pinyin variant only when no other firm sounds the
same, a negative only when nothing in the registry has that name or sound.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from corpcredit.screening.evalset import NEGATIVE, POSITIVE, EvalCase, build_cases
from corpcredit.screening.matcher import Matcher, MatchResult

__all__ = [
    "NEGATIVE",
    "POSITIVE",
    "EvalCase",
    "Evaluation",
    "build_cases",
    "entity_rows",
    "evaluate",
]


def entity_rows(entities: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows for :meth:`CandidateIndex.build` from a synthetic entities frame."""
    return (
        entities.select("usci", "name", "name_en", "aliases")
        .with_columns(
            division_code=pl.col("usci").str.slice(2, 6),
            natural_person=pl.col("usci").str.starts_with("92"),
        )
        .to_dicts()
    )


@dataclass
class Evaluation:
    """Precision and recall of a matcher over labelled cases.

    A case is *matched* when the matcher returns one organisation (status ``name``).
    Precision = correct matches / matches; recall = correct matches / cases that
    name an organisation.
    """

    cases: int
    positives: int
    matched: int
    correct: int
    by_variant: dict[str, dict[str, int]]
    failures: list[tuple[EvalCase, MatchResult]]

    @property
    def precision(self) -> float:
        return self.correct / self.matched if self.matched else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.positives if self.positives else 1.0

    def summary(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "positives": self.positives,
            "matched": self.matched,
            "correct": self.correct,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "by_variant": self.by_variant,
        }


def evaluate(matcher: Matcher, cases: Iterable[EvalCase]) -> Evaluation:
    """Run every case through ``matcher`` and count."""
    total = positives = matched = correct = 0
    by_variant: dict[str, dict[str, int]] = {}
    failures: list[tuple[EvalCase, MatchResult]] = []
    for case in cases:
        result = matcher.match(case.query)
        got = result.best.usci if result.status == "name" and result.best else None
        stats = by_variant.setdefault(case.variant, {"cases": 0, "right": 0})
        stats["cases"] += 1
        total += 1
        positives += case.expected is not None
        matched += got is not None
        hit = got is not None and got == case.expected
        correct += hit
        if got == case.expected:
            stats["right"] += 1
        else:
            failures.append((case, result))
    return Evaluation(total, positives, matched, correct, by_variant, failures)

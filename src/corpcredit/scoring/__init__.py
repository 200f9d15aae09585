"""The scoring kernel (DOMAIN.md §4–5): one pure function every engine calls."""

from corpcredit.scoring.explain import TOP_REASONS, Explanation, Line, explain, top_reasons
from corpcredit.scoring.kernel import ScoreOutput, prepare_records, score, sorted_by_usci
from corpcredit.scoring.org import ParentCycleError, resolve_heads
from corpcredit.scoring.timeline import change_dates, score_timeline

__all__ = [
    "TOP_REASONS",
    "Explanation",
    "Line",
    "ParentCycleError",
    "ScoreOutput",
    "change_dates",
    "explain",
    "prepare_records",
    "resolve_heads",
    "score",
    "score_timeline",
    "sorted_by_usci",
    "top_reasons",
]

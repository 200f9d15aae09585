"""The synthetic registry: entities, records and record events drawn from one seed.

:func:`generate` is deterministic: the seed fixes a :class:`numpy.random.SeedSequence`
whose independent children drive the entity, record and event stages, no
step depends on hash or set order, and ``as_of`` defaults to a fixed date
rather than today. The same seed therefore gives identical frames and
byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from corpcredit.errors import CorpCreditError
from corpcredit.synth.divisions import load_divisions
from corpcredit.synth.entities import plan_entities
from corpcredit.synth.events import plan_events
from corpcredit.synth.records import plan_records

__all__ = ["DEFAULT_AS_OF", "SyntheticRegistry", "generate"]

DEFAULT_AS_OF = date(2026, 6, 30)


@dataclass(frozen=True, eq=False)
class SyntheticRegistry:
    """The three feeds of FORMATS.md, as Polars frames in their published column order."""

    entities: pl.DataFrame
    records: pl.DataFrame
    events: pl.DataFrame
    as_of: date
    seed: int


def generate(
    n_entities: int,
    seed: int,
    *,
    as_of: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> SyntheticRegistry:
    """Draw a registry of ``n_entities`` entities with records up to ``as_of``.

    ``progress``, when given, is called with a short description before each stage.
    """
    if n_entities < 0 or seed < 0:
        raise CorpCreditError(
            f"the number of entities ({n_entities}) and the seed ({seed}) must not be negative",
            code="synth.invalid_argument",
        )
    as_of = as_of or DEFAULT_AS_OF
    report = progress or (lambda _: None)
    entity_rng, record_rng, event_rng = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(3)
    )

    report("Reading GB/T 2260 divisions")
    divisions = load_divisions()
    report(f"Drawing {n_entities:,} entities")
    entities = plan_entities(n_entities, entity_rng, divisions, as_of)
    report("Drawing records")
    records = plan_records(record_rng, entities, divisions, as_of)
    report("Drawing record events")
    events = plan_events(event_rng, records, as_of)
    return SyntheticRegistry(
        entities=entities.frame,
        records=records.frame,
        events=events,
        as_of=as_of,
        seed=seed,
    )

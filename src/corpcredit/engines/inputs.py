"""Load and check the three feed files for batch scoring: all or nothing.

Batch scoring refuses an input with any invalid row (DOMAIN.md §4, fine points),
naming file, row and column, and writes nothing. Records naming an unknown entity
and events naming an unknown record are skipped with a warning.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from corpcredit.catalogue import Catalogue
from corpcredit.errors import InputError, RowError
from corpcredit.feeds import Checked, check_entities, check_events, check_records, read_feed
from corpcredit.scoring.frames import ENTITY_SCHEMA, RECORD_SCHEMA
from corpcredit.scoring.keys import maybe_matching
from corpcredit.scoring.org import ParentCycleError, head_indices

__all__ = ["BatchInputs", "load_inputs"]


# Batch scoring reads only what the kernel and the all-or-nothing checks need; the
# descriptive columns (summary, legal basis, amounts, addresses) are never loaded.
ENTITY_READ = ("usci", "name", "parent_usci", "legal_form", "status")
RECORD_READ = (
    "record_id",
    "source",
    "usci",
    "kind",
    "tier",
    "decided_on",
    "authority",
    "decision_no",
    "grade",
    "black",
    "red",
    "ends_on",
    "recorded_at",
)
#: What only the contribution lines show: not read when none are written.
CONTRIBUTION_ONLY = ("decision_no",)
#: Read to be checked (it is required), then shown by the contribution lines only.
CHECKED_THEN_SHOWN = ("authority",)


@dataclass(frozen=True)
class BatchInputs:
    entities: pl.DataFrame
    records: pl.DataFrame
    events: pl.DataFrame | None
    warnings: list[str] = field(default_factory=list)
    #: :func:`~corpcredit.scoring.org.head_indices` of ``entities``, found to refuse a
    #: cycle: handed to the kernel, which need not resolve them again.
    heads: tuple[np.ndarray, list[str]] | None = None
    #: Each record's rule, found by the checks (:attr:`~corpcredit.feeds.Checked.rule_rows`):
    #: handed to the kernel, which need not look it up again.
    rule_rows: pl.Series | None = None


def load_inputs(
    entities_path: Path,
    records_path: Path,
    events_path: Path | None,
    cat: Catalogue,
    *,
    contributions: bool = True,
) -> BatchInputs:
    """The checked inputs, or :class:`InputError` naming every bad row.

    The frames hold what the kernel reads: the entities' ``usci``, ``parent_usci`` and
    ``natural_person``, the records' columns of its schema.
    ``contributions=False``: no contribution lines will be written, so the columns
    only they show (:data:`CONTRIBUTION_ONLY`, checked for nothing but padding in a
    batch) are not read, and those read only to be checked
    (:data:`CHECKED_THEN_SHOWN`) are not kept; the results are the same.
    """
    wanted: tuple[str, ...] = RECORD_READ
    if not contributions:
        wanted = tuple(c for c in RECORD_READ if c not in CONTRIBUTION_ONLY)
    # The entities (their checks, then their head offices) and the events are read and
    # checked on a thread beside the records: Polars releases the interpreter while it
    # works, and the entities' checks, mostly one query at a time, leave the other core
    # idle otherwise.
    with ThreadPoolExecutor(max_workers=1) as pool:
        side = pool.submit(_entities_and_events, entities_path, events_path)
        checked_records = check_records(read_feed(records_path, wanted), str(records_path), cat)
        checked_entities, checked_events, found = side.result()
    checks = [checked_entities, checked_records]
    if checked_events is not None:
        checks.append(checked_events)
    problems: list[RowError] = []
    for c in checks:
        problems.extend(c.row_errors(limit=1000))
    entities = checked_entities.good
    heads = None if isinstance(found, ParentCycleError) else found
    if isinstance(found, ParentCycleError) and not problems:
        # A cycle is reported once every row is good.
        rows = entities.filter(pl.col("usci").is_in(found.uscis))
        problems.extend(
            RowError(
                str(entities_path),
                r,
                "parent_usci",
                p or "",
                found.code,
                "parent_usci forms a cycle",
            )
            for r, p in rows.select("_row", "parent_usci").iter_rows()
        )
    if problems:
        total = sum(c.errors.height for c in checks) or len(problems)
        raise InputError(
            f"{total} problem(s) in the input; nothing was written. "
            "Fix the rows below and run again",
            rows=problems,
        )
    warnings: list[str] = []
    events = None if checked_events is None else checked_events.good
    if events is not None:
        keys = ["source", "record_id"]
        known = checked_records.good.select(keys)
        # Only the records whose key hash an event shares can be named by one.
        known = known.filter(maybe_matching(known, events, keys))
        orphan = events.join(known, on=keys, how="anti").height
        if orphan:
            warnings.append(f"{orphan} events name a record missing from the records file: skipped")
    # Parquet is read in chunks (one per row group, 40 at a million organisations) while
    # columns the checks add have one: the kernel's queries over such a frame put its
    # columns together again and again. One copy here, into one chunk each, costs less
    # (at a million organisations: processor time of scoring 7.7 s to 6.1 s; peak 2.75 GB
    # to 2.1 GB, or 3.6 GB to 2.5 GB with contributions).
    #
    # Only the columns the kernel reads are kept and copied: the checks give every feed
    # column, those not read as nulls (at a million organisations the records' four
    # descriptive ones, 186 MB, and with no contribution lines, the authority, 194 MB),
    # and fresh memory is most of what the system spends on a batch.
    shown = () if contributions else CHECKED_THEN_SHOWN
    kept = [c for c in RECORD_SCHEMA if c in wanted and c not in shown]
    rule_rows = checked_records.rule_rows
    return BatchInputs(
        entities=entities.select(*ENTITY_SCHEMA, "natural_person").rechunk(),
        records=checked_records.good.select(kept).rechunk(),
        events=events,
        warnings=warnings,
        heads=heads,
        rule_rows=None if rule_rows is None else rule_rows.rechunk(),
    )


_Heads = tuple[np.ndarray, list[str]]


def _entities_and_events(
    entities_path: Path, events_path: Path | None
) -> tuple[Checked, Checked | None, _Heads | ParentCycleError | None]:
    """The entities checked, the events checked (None without a file), and the head
    offices of the entities when every row of theirs is good (the cycle, if they form
    one; None when some row is bad)."""
    entities = check_entities(read_feed(entities_path, ENTITY_READ), str(entities_path))
    events = None
    if events_path is not None:
        events = check_events(read_feed(events_path), str(events_path))
    heads: _Heads | ParentCycleError | None = None
    if entities.errors.is_empty():
        try:
            heads = head_indices(entities.good)
        except ParentCycleError as exc:
            heads = exc
    return entities, events, heads

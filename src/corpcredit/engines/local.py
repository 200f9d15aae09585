"""The in-process bulk engine: the kernel over shards of the registry, across cores.

Entities are grouped by head office and each organisation goes to exactly one shard
(``hash(head) mod N``), so branch propagation never crosses a shard. Shards are
scored in worker processes and the outputs are concatenated and sorted, so any
number of workers gives identical files.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date, datetime

import numpy as np
import polars as pl

from corpcredit.catalogue import Catalogue
from corpcredit.scoring.frames import ROLE_ORDER
from corpcredit.scoring.kernel import ScoreOutput, score
from corpcredit.scoring.org import resolve_heads

__all__ = ["score_sharded", "shard_inputs"]

Shard = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]


def shard_inputs(
    entities: pl.DataFrame, records: pl.DataFrame, events: pl.DataFrame | None, n: int
) -> list[Shard]:
    """Split the registry into ``n`` shards by head office."""
    heads, _ = resolve_heads(entities.select("usci", "parent_usci", "natural_person"))
    shard_of = heads.select(
        "usci", (pl.col("head_usci").hash(seed=0) % n).cast(pl.Int64).alias("_shard")
    )
    ent = entities.join(shard_of, on="usci", how="left")
    rec = records.join(shard_of, on="usci", how="left").with_columns(pl.col("_shard").fill_null(0))
    ev = None
    if events is not None:
        keys = rec.select("source", "record_id", "_shard").unique(["source", "record_id"])
        ev = events.join(keys, on=["source", "record_id"], how="left").with_columns(
            pl.col("_shard").fill_null(0)
        )
    ent_parts = ent.partition_by("_shard", as_dict=True, include_key=False)
    rec_parts = rec.partition_by("_shard", as_dict=True, include_key=False)
    ev_parts = ev.partition_by("_shard", as_dict=True, include_key=False) if ev is not None else {}
    out: list[Shard] = []
    for i in range(n):
        e = ent_parts.get((i,), ent.clear().drop("_shard"))
        r = rec_parts.get((i,), rec.clear().drop("_shard"))
        v = ev_parts.get((i,), ev.clear().drop("_shard")) if ev is not None else None
        out.append((e, r, v))
    return out


def _score_shard(
    shard: Shard, cat: Catalogue, as_of: date, known_at: datetime | None, contributions: bool
) -> ScoreOutput:
    e, r, v = shard
    return score(e, r, v, cat, as_of, known_at, contributions=contributions)


def score_sharded(
    entities: pl.DataFrame,
    records: pl.DataFrame,
    events: pl.DataFrame | None,
    cat: Catalogue,
    as_of: date,
    known_at: datetime | None = None,
    *,
    workers: int = 1,
    contributions: bool = True,
    keep_prepared: bool = False,
    heads: tuple[np.ndarray, list[str]] | None = None,
    rule_rows: pl.Series | None = None,
    on_shard_done: Callable[[int, int], None] | None = None,
) -> ScoreOutput:
    """Score the registry with ``workers`` processes (1: in this process, unsharded).

    ``contributions=False`` leaves the contribution table empty (see :func:`score`).
    ``keep_prepared`` keeps the prepared records in the output (see :func:`score`)
    when scoring in this process; worker processes do not send theirs back.
    ``heads``: the entities' head offices, if found already (see :func:`score`).
    ``rule_rows``: each record's rule, if found already (see :func:`score`); worker
    processes find their shard's again.
    """
    if workers <= 1:
        out = score(
            entities,
            records,
            events,
            cat,
            as_of,
            known_at,
            contributions=contributions,
            keep_prepared=keep_prepared,
            heads=heads,
            rule_rows=rule_rows,
        )
        if on_shard_done:
            on_shard_done(1, 1)
        return out
    shards = shard_inputs(entities, records, events, workers)
    parts: list[ScoreOutput] = []
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [
            pool.submit(_score_shard, s, cat, as_of, known_at, contributions) for s in shards
        ]
        for done, fut in enumerate(as_completed(futures), start=1):
            parts.append(fut.result())
            if on_shard_done:
                on_shard_done(done, len(shards))
    results = pl.concat([p.results for p in parts]).sort("usci")
    lines = (
        pl.concat([p.contributions for p in parts])
        .with_columns(pl.col("role").replace_strict(ROLE_ORDER).alias("_r"))
        .sort("usci", "_r", "from_usci", "record_source", "record_id")
        .drop("_r")
    )
    warnings = sorted({w for p in parts for w in p.warnings})
    return ScoreOutput(results=results, contributions=lines, warnings=warnings)

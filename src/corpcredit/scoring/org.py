"""Organisations: head offices and their branches (DOMAIN.md §4 rule 4).

An organisation is a head office (no ``parent_usci``) and every entity whose
``parent_usci`` chain leads to it. A parent missing from the registry makes the
entity its own head office (with a warning); a cycle is an error. Natural persons
(individual businesses, sole proprietorships) belong to no organisation.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from corpcredit.errors import CorpCreditError

__all__ = ["ParentCycleError", "head_indices", "resolve_heads"]

_MAX_JUMPS = 64  # pointer jumping doubles the distance covered: 2**64 is any chain


class ParentCycleError(CorpCreditError):
    code = "input.parent_cycle"

    def __init__(self, uscis: list[str]) -> None:
        shown = ", ".join(uscis[:10]) + (" …" if len(uscis) > 10 else "")
        super().__init__(
            f"parent_usci forms a cycle among {len(uscis)} entities: {shown}; "
            "a head office must have no parent_usci",
            details={"uscis": uscis},
        )
        self.uscis = uscis


def head_indices(entities: pl.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The row index of every entity's head office, and warnings.

    ``entities`` needs ``usci``, ``parent_usci`` and ``natural_person`` (bool). Pointer
    jumping on integer arrays: each pass doubles the distance covered, so any chain
    resolves in ``log2(depth)`` passes; a pointer that never reaches a root is a cycle.
    """
    warnings: list[str] = []
    n = entities.height
    idx = entities.lazy().select("usci", "natural_person").with_row_index("_i")
    links = (
        entities.lazy()
        .select("usci", "parent_usci", "natural_person")
        .join(
            idx.select(
                pl.col("usci").alias("parent_usci"),
                pl.col("_i").alias("_p"),
                pl.col("natural_person").alias("_pnp"),
            ),
            on="parent_usci",
            how="left",
            maintain_order="left",
        )
    )
    has_parent = (
        pl.col("parent_usci").is_not_null()
        & (pl.col("parent_usci") != pl.col("usci"))
        & ~pl.col("natural_person")
    )
    missing = has_parent & pl.col("_p").is_null()
    to_np = has_parent & pl.col("_pnp").fill_null(False)
    # One query: each entity's parent row (-1: none) and the two warnings' conditions.
    found = links.select(
        pl.when(has_parent & ~pl.col("_pnp").fill_null(True))
        .then(pl.col("_p"))
        .otherwise(None)
        .cast(pl.Int64)
        .fill_null(-1)
        .alias("parent"),
        missing.alias("missing"),
        to_np.alias("to_np"),
    ).collect()
    if found.get_column("missing").any():
        # The first five by usci, as every engine gives them, whatever the rows' order.
        absent = links.filter(missing).select("usci", "parent_usci").collect().sort("usci")
        sample = ", ".join(f"{u}→{p}" for u, p in absent.head(5).iter_rows())
        warnings.append(
            f"{absent.height} entities name a parent_usci missing from the registry and are "
            f"treated as their own head office (e.g. {sample})"
        )
    persons = int(found.get_column("to_np").sum())
    if persons:
        warnings.append(
            f"{persons} entities name an individual business as head office; "
            "natural persons belong to no organisation, so they are their own head office"
        )
    parent = found.get_column("parent").to_numpy()
    own = np.arange(n, dtype=np.int64)
    ptr = np.where(parent >= 0, parent, own)
    for _ in range(_MAX_JUMPS):
        nxt = ptr[ptr]
        if np.array_equal(nxt, ptr):
            break
        ptr = nxt
    if n:
        cyclic = parent[ptr] >= 0
        if cyclic.any():
            uscis = entities.get_column("usci").filter(pl.Series(cyclic)).sort().to_list()
            raise ParentCycleError(uscis)
    return ptr, warnings


def resolve_heads(entities: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Return (usci, head_usci, natural_person) for every entity, and warnings.

    ``entities`` needs ``usci``, ``parent_usci`` and ``natural_person`` (bool).
    """
    ptr, warnings = head_indices(entities)
    usci = entities.get_column("usci")
    out = pl.DataFrame(
        {
            "usci": usci,
            "head_usci": usci.gather(pl.Series(ptr, dtype=pl.Int64)) if len(ptr) else usci,
            "natural_person": entities.get_column("natural_person"),
        }
    )
    return out, warnings

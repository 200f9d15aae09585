"""Organisations: head offices and their branches (DOMAIN.md §4 rule 4).

An organisation is a head office (no ``parent_usci``) and every entity whose
``parent_usci`` chain leads to it. A parent missing from the registry makes the
entity its own head office (with a warning); a cycle is an error. Natural persons
(individual businesses, sole proprietorships) belong to no organisation.
"""

from __future__ import annotations

import polars as pl

from corpcredit.errors import CorpCreditError

__all__ = ["ParentCycleError", "resolve_heads"]

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


def resolve_heads(entities: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Return (usci, head_usci, natural_person) for every entity, and warnings.

    ``entities`` needs ``usci``, ``parent_usci`` and ``natural_person`` (bool).
    """
    warnings: list[str] = []
    np_set = entities.filter(pl.col("natural_person")).get_column("usci")
    known = entities.get_column("usci")
    parent = (
        pl.when(
            pl.col("natural_person")
            | pl.col("parent_usci").is_null()
            | (pl.col("parent_usci") == pl.col("usci"))
        )
        .then(None)
        .otherwise(pl.col("parent_usci"))
    )
    links = entities.select("usci", parent.alias("parent"))

    missing = links.filter(
        pl.col("parent").is_not_null() & ~pl.col("parent").is_in(known.implode())
    )
    if missing.height:
        sample = ", ".join(f"{u}→{p}" for u, p in missing.head(5).iter_rows())
        warnings.append(
            f"{missing.height} entities name a parent_usci missing from the registry and are "
            f"treated as their own head office (e.g. {sample})"
        )
    to_np = links.filter(pl.col("parent").is_in(np_set.implode()))
    if to_np.height:
        warnings.append(
            f"{to_np.height} entities name an individual business as head office; "
            "natural persons belong to no organisation, so they are their own head office"
        )
    links = links.with_columns(
        pl.when(pl.col("parent").is_in(known.implode()) & ~pl.col("parent").is_in(np_set.implode()))
        .then(pl.col("parent"))
        .otherwise(None)
        .alias("parent")
    )

    # Pointer jumping over the entities that have a parent; roots point at themselves.
    ptr = links.select("usci", pl.coalesce("parent", "usci").alias("ptr"))
    for _ in range(_MAX_JUMPS):
        nxt = ptr.join(ptr.rename({"usci": "ptr", "ptr": "ptr2"}), on="ptr", how="left")
        changed = nxt.filter(pl.col("ptr2") != pl.col("ptr")).height
        ptr = nxt.select("usci", pl.col("ptr2").alias("ptr"))
        if changed == 0:
            break
    heads = ptr.join(links, left_on="ptr", right_on="usci", how="left")
    cyclic = heads.filter(pl.col("parent").is_not_null()).get_column("usci").sort().to_list()
    if cyclic:
        raise ParentCycleError(cyclic)
    out = heads.select("usci", pl.col("ptr").alias("head_usci")).join(
        entities.select("usci", "natural_person"), on="usci", how="left"
    )
    return out, warnings

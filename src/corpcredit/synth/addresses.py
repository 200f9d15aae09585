"""Registered addresses of synthetic entities: province, city, district, street, number.

Addresses are of organisations' premises and are drawn from street words, never
from any real person's address.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from corpcredit.synth import vocabulary as vocab
from corpcredit.synth._random import uniform_ints
from corpcredit.synth.divisions import Divisions

__all__ = ["addresses"]


def addresses(rng: np.random.Generator, div: Divisions, division: np.ndarray) -> pl.Series:
    """Registered addresses: province, city, district, street, number, sometimes a unit."""
    n = len(division)
    place = div.table.select("province", "city", "district")[division]
    c = pl.col
    frame = place.with_columns(
        street=pl.Series(uniform_ints(rng, 0, len(vocab.STREETS), n)),
        no=pl.Series(uniform_ints(rng, 1, 1000, n)),
        unit=pl.Series(uniform_ints(rng, 0, 4, n)),
        building=pl.Series(uniform_ints(rng, 1, 31, n)),
        floor=pl.Series(uniform_ints(rng, 1, 28, n)),
        room=pl.Series(uniform_ints(rng, 1, 20, n)),
    )
    unit = (
        pl.when(c("unit") == 1)
        .then(pl.format("{}幢{}层", c("building"), c("floor")))
        .when(c("unit") == 2)
        .then(
            pl.format(
                "{}号楼{}{}室", c("building"), c("floor"), pl.format("{}", c("room")).str.zfill(2)
            )
        )
        .otherwise(pl.lit(""))
    )
    return frame.select(
        pl.concat_str(
            c("province"),
            pl.when(c("city") == c("province")).then(pl.lit("")).otherwise(c("city")),
            pl.when(c("district") == c("city")).then(pl.lit("")).otherwise(c("district")),
            pl.lit(pl.Series(vocab.STREETS)).gather(c("street")),
            c("no").cast(pl.String),
            pl.lit("号"),
            unit,
        ).alias("address")
    ).to_series()

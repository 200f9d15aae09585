"""``corpcredit batch score --engine spark``: feed files in, result files out, on Spark.

The command's glue only: check the requirements, start (or reuse) a session, read
and check the feeds (:mod:`corpcredit.engines.spark_io`), score them
(:func:`corpcredit.engines.spark.score_spark`), write, and report as the local
engine does. A session this command starts it also stops.
"""

from __future__ import annotations

import math
import time
from datetime import date, datetime
from pathlib import Path

from corpcredit.catalogue import Catalogue
from corpcredit.engines.spark_session import require_spark, spark_session

__all__ = ["ROWS_PER_PARTITION", "partitions_for", "run_spark_batch"]

# About 100–200 MB of shuffled rows per partition: a task of a few seconds.
ROWS_PER_PARTITION = 1_000_000


def partitions_for(rows: int, parallelism: int) -> int:
    """Shuffle partitions for ``rows`` input rows: two waves of tasks at least."""
    return max(2 * parallelism, math.ceil(rows / ROWS_PER_PARTITION))


def run_spark_batch(
    entities: Path,
    records: Path,
    events: Path | None,
    cat: Catalogue,
    as_of: date,
    known_at: datetime | None,
    out: Path,
    contributions: Path | None,
    master: str | None,
) -> None:
    """Score the feeds on Spark (``master`` defaults to ``local[2]``) and write the outputs."""
    from corpcredit.cli._common import console, err_console

    require_spark()
    from pyspark.sql import SparkSession

    from corpcredit.engines.spark import score_spark
    from corpcredit.engines.spark_io import load_inputs_spark, write_outputs_spark
    from corpcredit.scoring.org import ParentCycleError

    started = time.perf_counter()
    ours = SparkSession.getActiveSession() is None
    spark = spark_session(master)
    previous = spark.conf.get("spark.sql.shuffle.partitions")
    try:
        err_console.print(f"spark {spark.version} on {spark.sparkContext.master}: reading feeds")
        inputs = load_inputs_spark(spark, entities, records, events, cat)
        n = partitions_for(sum(inputs.rows.values()), spark.sparkContext.defaultParallelism)
        spark.conf.set("spark.sql.shuffle.partitions", str(n))
        warnings = list(inputs.warnings)
        try:
            results, contribs = score_spark(
                spark,
                inputs.entities,
                inputs.records,
                inputs.events,
                cat,
                as_of,
                known_at,
                partitions=n,
                warnings=warnings,
            )
        except ParentCycleError as exc:
            raise inputs.cycle_error(exc) from exc
        err_console.print(f"scoring in {n} partitions and writing outputs")
        write_outputs_spark(results, contribs if contributions else None, out, contributions)
    finally:
        if ours:
            spark.stop()
        elif previous is not None:
            spark.conf.set("spark.sql.shuffle.partitions", previous)
    for w in warnings:
        err_console.print(f"[yellow]warning[/] {w}")
    elapsed = time.perf_counter() - started
    n_rec = inputs.rows["records"]
    console.print(
        f"scored {inputs.rows['entities']:,} entities from {n_rec:,} records at {as_of} on Spark "
        f"in {elapsed:.2f} s ({n_rec / max(elapsed, 1e-9):,.0f} records/s); "
        f"catalogue {cat.version}; wrote {out}" + (f" and {contributions}" if contributions else "")
    )

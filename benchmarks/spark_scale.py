"""The same registry scored by the in-process engine and by Spark; records per second.

    .venv/bin/python benchmarks/spark_scale.py --entities 200000 [--master local[2]]

Generates a registry with ``corpcredit.synth``, checks it as ``batch score`` does,
then times, on the same checked frames:

- ``local``: :func:`corpcredit.engines.score_sharded` with one worker (one core);
- ``spark``: :func:`corpcredit.engines.spark.score_spark` on ``--master`` from
  Spark DataFrames already in the cluster to both outputs fully computed and
  sorted (Spark's ``noop`` sink: every stage runs, nothing is written), i.e. head
  offices, the shuffle by head office, the kernel and the global sort; then
  again, one stage more each time, to split that time into ``tag`` (head offices
  and the joins that tag every row), ``shuffle`` (by head office), ``kernel``
  (Arrow to Python, the kernel, back) and ``sort`` (both outputs in order).
  Stage figures are differences of runs: rough on a busy machine.

It checks that both engines' outputs are equal row for row, and prints one JSON
object: sizes, seconds, records/s and records/s per core for each engine. Spark's
start-up and the copy of the inputs into Spark are reported but not timed in.
Polars runs single-threaded (``POLARS_MAX_THREADS=1`` unless set), so "one worker"
is one core and the per-core figures compare.
"""

from __future__ import annotations

import os

# One core means one thread: Polars would otherwise use every core for "one worker".
os.environ.setdefault("POLARS_MAX_THREADS", "1")

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from corpcredit.catalogue import default_catalogue
from corpcredit.engines import load_inputs, score_sharded

AS_OF = date(2025, 6, 30)


def _generate(n: int, seed: int, directory: Path) -> dict[str, Path]:
    """Write a generated registry's three feeds as Parquet; return their paths."""
    from corpcredit.synth import generate

    reg = generate(n, seed)
    paths = {}
    for name in ("entities", "records", "events"):
        paths[name] = directory / f"{name}.parquet"
        getattr(reg, name).write_parquet(paths[name])
    return paths


def _local(inputs: Any, cat: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    out = score_sharded(inputs.entities, inputs.records, inputs.events, cat, AS_OF, workers=1)
    return time.perf_counter() - started, out


def _noop(*frames: Any) -> None:
    for f in frames:
        f.write.format("noop").mode("overwrite").save()


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _spark(inputs: Any, cat: Any, master: str, partitions: int | None) -> dict[str, Any]:
    from corpcredit.engines.spark import (
        ENTITY_IN_SCHEMA,
        score_spark,
        score_tagged,
        tag_rows,
        to_spark,
    )
    from corpcredit.engines.spark_cli import partitions_for
    from corpcredit.engines.spark_session import spark_session
    from corpcredit.scoring.frames import EVENT_SCHEMA, RECORD_SCHEMA

    started = time.perf_counter()
    spark = spark_session(master)
    startup = time.perf_counter() - started
    cores = spark.sparkContext.defaultParallelism
    rows = inputs.entities.height + inputs.records.height + inputs.events.height
    n = partitions or partitions_for(rows, cores)
    spark.conf.set("spark.sql.shuffle.partitions", str(n))

    started = time.perf_counter()
    frames = [
        to_spark(spark, inputs.entities, ENTITY_IN_SCHEMA).repartition(cores).cache(),
        to_spark(spark, inputs.records, RECORD_SCHEMA).repartition(cores).cache(),
        to_spark(spark, inputs.events, EVENT_SCHEMA).repartition(cores).cache(),
    ]
    for f in frames:
        f.count()
    load = time.perf_counter() - started

    def tagged() -> Any:
        return tag_rows(*frames)

    def unsorted() -> tuple[Any, Any]:
        return score_tagged(spark, tagged(), cat, AS_OF, partitions=n, sort=False)

    def whole() -> tuple[Any, Any]:
        return score_spark(spark, *frames, cat, AS_OF, partitions=n)

    # Warm the JVM and the Python workers (imports of Polars and the kernel) untimed.
    _noop(*whole())
    seconds = _timed(lambda: _noop(*whole()))
    # Where the time goes: each run adds one stage to the one before, nothing cached.
    upto = {
        "tag": _timed(lambda: _noop(tagged())),
        "shuffle": _timed(lambda: _noop(tagged().repartition(n, "head_usci"))),
        "kernel": _timed(lambda: _noop(*unsorted())),
        "sort": seconds,
    }
    stages, before = {}, 0.0
    for name, t in upto.items():
        stages[name] = max(t - before, 0.0)
        before = t

    results, contributions = score_spark(spark, *frames, cat, AS_OF, partitions=n)
    got = (pl.from_arrow(results.toArrow()), pl.from_arrow(contributions.toArrow()))
    spark.stop()
    return {
        "master": master,
        "cores": cores,
        "partitions": n,
        "startup_seconds": round(startup, 2),
        "load_seconds": round(load, 2),
        "seconds": seconds,
        "stage_seconds": {k: round(v, 2) for k, v in stages.items()},
        "outputs": got,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--workdir", type=Path, default=Path("var/bench-spark"))
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    cat = default_catalogue()
    paths = _generate(args.entities, args.seed, args.workdir)
    inputs = load_inputs(paths["entities"], paths["records"], paths["events"], cat)
    n_rec = inputs.records.height

    local_s, local = _local(inputs, cat)
    spark = _spark(inputs, cat, args.master, args.partitions)
    results, contributions = spark.pop("outputs")
    identical = results.equals(local.results) and contributions.equals(local.contributions)

    def rates(seconds: float, cores: int) -> dict[str, float]:
        return {
            "seconds": round(seconds, 2),
            "records_per_s": round(n_rec / seconds),
            "records_per_s_per_core": round(n_rec / seconds / cores),
        }

    report = {
        "generator": f"corpcredit.synth.generate({args.entities}, seed={args.seed})",
        "entities": inputs.entities.height,
        "records": n_rec,
        "events": inputs.events.height if inputs.events is not None else 0,
        "contributions": local.contributions.height,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            # Other work on the machine slows both engines: say how busy it was.
            "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        },
        "local": {"workers": 1, **rates(local_s, 1)},
        "spark": {**spark, **rates(spark["seconds"], spark["cores"])},
        "identical": identical,
    }
    print(json.dumps(report, indent=2))
    if not identical:
        sys.exit("the engines disagree")


if __name__ == "__main__":
    main()

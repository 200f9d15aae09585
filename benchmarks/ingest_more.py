"""Benchmark: records ingested into a registry that already holds a large one.

Takes a registry built by ``benchmarks/rescore.py`` (``--database``, copied first so
the original is left as it was) and its records feed, and ingests ``--rows`` of the
feed's rows again under new record ids (``--prefix`` before each id): new records of
organisations the registry already knows, each landed, versioned and rescored with
its organisation in the same transaction, as a day's feed would be. Prints JSON: the
rows per second, where the writer's time went, and the rescore's own stages.

    .venv/bin/python benchmarks/ingest_more.py --database DIR/registry.db \\
        --records DIR/feeds/records.parquet --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from corpcredit.catalogue import default_catalogue
from corpcredit.ingest import ingest_file, pipeline
from corpcredit.store import create_engine_for, upgrade

AS_OF = date(2026, 6, 30)


def _timed_rescores(totals: dict[str, float]) -> None:
    """Add up the stages of every rescore the pipeline runs."""
    original = pipeline.__dict__["rescore_organisations"]

    def timed(*args: Any, **kwargs: Any) -> Any:
        summary = original(*args, **kwargs)
        for stage, seconds in summary.seconds.items():
            totals[stage] = totals.get(stage, 0.0) + seconds
        totals["entities"] = totals.get("entities", 0) + summary.entities
        return summary

    setattr(pipeline, "rescore_organisations", timed)  # noqa: B010 (patched for the run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True, help="Registry to copy.")
    parser.add_argument("--records", type=Path, required=True, help="Its records feed.")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--offset", type=int, default=1_000_000, help="First feed row taken.")
    parser.add_argument("--prefix", default="N", help="Put before each record id.")
    parser.add_argument("--chunk-rows", type=int, default=pipeline.DEFAULT_CHUNK_ROWS)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="corpcredit-bench-more-"))
    work.mkdir(parents=True, exist_ok=True)
    feed = work / "more_records.parquet"
    (
        pl.scan_parquet(args.records)
        .slice(args.offset, args.rows)
        .with_columns((pl.lit(args.prefix) + pl.col("record_id")).alias("record_id"))
        .sink_parquet(feed)
    )
    db = work / "registry.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(args.database, db)
    engine = create_engine_for(f"sqlite:///{db}")
    upgrade(engine)
    rescores: dict[str, float] = {}
    _timed_rescores(rescores)
    load_before = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    summary = ingest_file(
        engine,
        "records",
        feed,
        actor="bench",
        cat=default_catalogue(),
        as_of=AS_OF,
        chunk_rows=args.chunk_rows,
        report_path=work / "more_records.quarantine.csv",
    )
    seconds = time.perf_counter() - started
    engine.dispose()
    report = {
        "benchmark": "ingest_more",
        "rows": summary.rows,
        "accepted": summary.accepted,
        "quarantined": summary.quarantined,
        "chunk_rows": args.chunk_rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(summary.rows / seconds),
        "stages_s": {k: round(v, 2) for k, v in summary.stages.items()},
        "rescore_s": {k: round(v, 2) for k, v in rescores.items() if k != "entities"},
        "entities_rescored": int(rescores.get("entities", 0)),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "python": sys.version.split()[0],
        "polars": pl.__version__,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Benchmark: ingestion into SQLite — records per second from CSV and Parquet, and the
latency of one incremental ingest of one record including the rescore of its organisation.

Generates a synthetic registry once (default 100,000 entities, about 490,000
records), then for each format ingests entities, records and events into a fresh
SQLite database with the real pipeline (validation, quarantine, versions, audit,
per-chunk rescoring in the same transaction). The throughput figure is records
per second of the records file, end to end, with where the time went (read, check,
land, rescore, commit). Then, on the Parquet-fed database, it ingests a one-row CSV
(a new record of an existing organisation) ``--repeat`` times and reports the
median wall time of :func:`corpcredit.ingest.ingest_file` (in-process: no
interpreter start-up). Prints JSON. Generation is not timed.

    .venv/bin/python benchmarks/ingest.py
    .venv/bin/python benchmarks/ingest.py --entities 20000 --repeat 15 --formats parquet
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from corpcredit import synth
from corpcredit.catalogue import default_catalogue
from corpcredit.ingest import ingest_file
from corpcredit.ingest.pipeline import DEFAULT_CHUNK_ROWS
from corpcredit.store import create_engine_for, upgrade

AS_OF = date(2026, 6, 30)
CAT = default_catalogue()


def _fresh(path: Path) -> Any:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def _feed(engine: Any, feeds: dict[str, Path], chunk_rows: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in synth.FEEDS:
        s = ingest_file(
            engine,
            kind,
            feeds[kind],
            actor="bench",
            cat=CAT,
            as_of=AS_OF,
            chunk_rows=chunk_rows,
            report_path=feeds[kind].with_suffix(".quarantine.csv"),
        )
        out[kind] = {
            "rows": s.rows,
            "seconds": round(s.seconds, 3),
            "rows_per_s": round(s.rows / s.seconds),
            "accepted": s.accepted,
            "quarantined": s.quarantined,
            "stages_s": {k: round(v, 3) for k, v in s.stages.items()},
        }
    return out


def _latency(engine: Any, work: Path, usci: str, repeat: int) -> dict[str, Any]:
    runs: list[float] = []
    for i in range(repeat + 1):
        path = work / f"one-{i}.csv"
        path.write_text(
            "record_id,source,usci,kind,tier,decided_on,authority\n"
            f"BENCH{time.time_ns()},bench,{usci},admin_penalty,general,2026-05-01,某市市场监督管理局\n",
            encoding="utf-8",
        )
        start = time.perf_counter()
        s = ingest_file(engine, "records", path, actor="bench", cat=CAT, as_of=AS_OF)
        elapsed = time.perf_counter() - start
        assert s.accepted == 1
        if i:  # the first run warms imports and caches
            runs.append(elapsed * 1000)
    return {"median_ms": round(statistics.median(runs), 1), "runs_ms": [round(r, 1) for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS)
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="corpcredit-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    registry = synth.generate(args.entities, args.seed, as_of=AS_OF)
    report: dict[str, Any] = {
        "benchmark": "ingest",
        "entities": args.entities,
        "records": registry.records.height,
        "events": registry.events.height,
        "chunk_rows": args.chunk_rows,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "polars": pl.__version__,
    }
    engines = {}
    for fmt in args.formats.split(","):
        feeds = synth.write(registry, work / fmt, "csv" if fmt == "csv" else "parquet")
        engine = _fresh(work / f"{fmt}.db")
        report[fmt] = _feed(engine, feeds, args.chunk_rows)
        engines[fmt] = engine
    engine = engines.get("parquet") or next(iter(engines.values()))
    head = registry.entities.filter(pl.col("parent_usci").is_null()).get_column("usci")[0]
    report["one_record_ingest"] = _latency(engine, work, head, args.repeat)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    for engine in engines.values():
        engine.dispose()
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Benchmark: full rescore of the registry from the database vs `batch score` on the same data.

Generates a synthetic registry (default 1,000,000 entities) as Parquet feeds,
ingests it into a fresh SQLite database with the real pipeline (timed and
reported too, as ingestion at scale), then times, in this process and with the
same worker count:

- ``batch score``: what the command does — read and check the three feeds, score
  with the sharded local engine, write results and contributions as Parquet;
- ``corpcredit score``: :func:`corpcredit.services.rescore_all` — read the whole
  registry from the database, score it the same way, bring the materialised
  results, contributions and list windows up to date (on SQLite only the rows
  that differ are written), and update the list-entry history. Timed three ways
  per run: at the registry's own date (``rescore_all_s``: few rows change), then a
  year later and back again (``rescore_all_changed_s``, median of both: scores,
  contributions and lists change widely).

Both are run ``--runs`` times, interleaved; prints JSON with the medians, the
ratios to batch scoring (goal: at most 2) and, per run, where the rescore spent
its time.
Pass ``--database`` to reuse a database built by an earlier run (the feeds are
regenerated from the seed, which is deterministic).

    .venv/bin/python benchmarks/rescore.py
    .venv/bin/python benchmarks/rescore.py --entities 200000 --workers 2
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

from corpcredit import synth
from corpcredit.catalogue import default_catalogue
from corpcredit.engines import format_contributions, format_results, load_inputs, write_outputs
from corpcredit.engines.local import score_sharded
from corpcredit.ingest import ingest_file
from corpcredit.services import rescore_all
from corpcredit.store import create_engine_for, upgrade

AS_OF = date(2026, 6, 30)
LATER = date(2027, 6, 30)
CAT = default_catalogue()


def _batch_score(feeds: dict[str, Path], out: Path, workers: int) -> float:
    start = time.perf_counter()
    inputs = load_inputs(feeds["entities"], feeds["records"], feeds["events"], CAT)
    result = score_sharded(
        inputs.entities, inputs.records, inputs.events, CAT, AS_OF, workers=workers
    )
    write_outputs(
        [
            (format_results(result.results, csv=False), out / "results.parquet"),
            (format_contributions(result.contributions, csv=False), out / "contributions.parquet"),
        ]
    )
    return time.perf_counter() - start


def _populate(db: Path, feeds: dict[str, Path], chunk_rows: int) -> dict[str, Any]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine = create_engine_for(f"sqlite:///{db}")
    upgrade(engine)
    timings: dict[str, Any] = {}
    try:
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
            timings[kind] = {
                "rows": s.rows,
                "seconds": round(s.seconds, 1),
                "rows_per_s": round(s.rows / s.seconds),
                "stages_s": {k: round(v, 1) for k, v in s.stages.items()},
            }
    finally:
        engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk-rows", type=int, default=200_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--database", type=Path, default=None, help="Reuse this database.")
    parser.add_argument("--runs", type=int, default=3, help="Interleaved runs (median).")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="corpcredit-bench-rescore-"))
    work.mkdir(parents=True, exist_ok=True)
    registry = synth.generate(args.entities, args.seed, as_of=AS_OF)
    feeds = synth.write(registry, work / "feeds", "parquet")
    report: dict[str, Any] = {
        "benchmark": "rescore",
        "entities": args.entities,
        "records": registry.records.height,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
    }
    db = args.database or work / "registry.db"
    if args.database is None or not db.exists():
        report["ingest"] = _populate(db, feeds, args.chunk_rows)
    (work / "batch").mkdir(exist_ok=True)
    batch: list[float] = []
    runs: list[dict[str, Any]] = []

    def rescore(engine: Any, day: date) -> tuple[float, dict[str, Any]]:
        start = time.perf_counter()
        summary = rescore_all(engine, day, CAT, workers=args.workers)
        seconds = time.perf_counter() - start
        detail = {
            "as_of": day.isoformat(),
            "seconds": round(seconds, 2),
            "list_entries_opened": summary.entered,
            "list_entries_closed": summary.left,
            "stages_s": {k: round(v, 2) for k, v in summary.seconds.items()},
        }
        return seconds, detail

    same, changed = [], []
    engine = create_engine_for(f"sqlite:///{db}")
    try:
        for _ in range(args.runs):  # interleaved, so a noisy neighbour hurts both alike
            batch.append(_batch_score(feeds, work / "batch", args.workers))
            # As the registry stands (its results are of AS_OF): few rows change.
            s, as_stands = rescore(engine, AS_OF)
            same.append(s)
            # A year on and back again: scores, contributions and lists change widely.
            s1, year_on = rescore(engine, LATER)
            s2, back = rescore(engine, AS_OF)
            changed.extend([s1, s2])
            runs.append(
                {"batch_score_s": round(batch[-1], 2), "rescore_all": [as_stands, year_on, back]}
            )
    finally:
        engine.dispose()
    report["batch_score_s"] = round(statistics.median(batch), 2)
    report["rescore_all_s"] = round(statistics.median(same), 2)
    report["ratio"] = round(report["rescore_all_s"] / report["batch_score_s"], 2)
    report["rescore_all_changed_s"] = round(statistics.median(changed), 2)
    report["ratio_changed"] = round(report["rescore_all_changed_s"] / report["batch_score_s"], 2)
    report["runs"] = runs
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

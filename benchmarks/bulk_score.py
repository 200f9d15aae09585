"""Benchmark: `corpcredit batch score` end to end on a generated registry.

Generates a synthetic registry (default 1,000,000 entities, about five records
each) as Parquet feeds once, then runs the real command line in a subprocess
several times and prints JSON: records per second (median and every run), wall
time, and peak memory of the whole process tree (sampled with psutil). Generation
is not timed.

    .venv/bin/python benchmarks/bulk_score.py                 # 1 M entities, 3 runs
    .venv/bin/python benchmarks/bulk_score.py --entities 200000 --runs 5 --workers 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import polars as pl
import psutil

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "corpcredit.cli"]


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def _run(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak tree RSS in bytes, and stdout of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak = max(peak, _tree_rss(ps))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return elapsed, peak, out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--contributions", action="store_true", help="also write contributions")
    ap.add_argument("--data", type=Path, help="reuse/keep the generated feeds in this directory")
    args = ap.parse_args()

    data = args.data or Path(tempfile.mkdtemp(prefix="corpcredit-bench-"))
    data.mkdir(parents=True, exist_ok=True)
    feeds = [data / f"{n}.parquet" for n in ("entities", "records", "events")]
    if not all(f.exists() for f in feeds):
        from corpcredit.synth import generate, write

        t = time.perf_counter()
        write(generate(args.entities, args.seed), data, "parquet")
        print(
            f"generated {args.entities:,} entities in {time.perf_counter() - t:.1f} s",
            file=sys.stderr,
        )
    n_records = pl.scan_parquet(feeds[1]).select(pl.len()).collect().item()
    n_entities = pl.scan_parquet(feeds[0]).select(pl.len()).collect().item()

    cmd = [
        *CLI,
        "batch",
        "score",
        str(feeds[0]),
        str(feeds[1]),
        "--events",
        str(feeds[2]),
        "--as-of",
        "2026-06-30",
        "--out",
        str(data / "results.parquet"),
        "--workers",
        str(args.workers),
    ]
    if args.contributions:
        cmd += ["--contributions", str(data / "contributions.parquet")]
    runs = []
    for i in range(args.runs):
        secs, peak, _ = _run(cmd)
        runs.append(
            {
                "seconds": round(secs, 3),
                "records_per_s": round(n_records / secs),
                "peak_rss_mb": round(peak / 2**20),
            }
        )
        print(
            f"run {i + 1}: {secs:.2f} s, {n_records / secs:,.0f} records/s, "
            f"peak {peak / 2**20:,.0f} MB",
            file=sys.stderr,
        )
    med = statistics.median(r["seconds"] for r in runs)
    print(
        json.dumps(
            {
                "benchmark": "bulk_score",
                "entities": n_entities,
                "records": n_records,
                "workers": args.workers,
                "contributions": args.contributions,
                "cpus": os.cpu_count(),
                "median_seconds": med,
                "median_records_per_s": round(n_records / med),
                "max_peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                "load_average_1m": round(os.getloadavg()[0], 2),
                "runs": runs,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

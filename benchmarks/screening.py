"""Benchmark: supplier-screening name matching against a large synthetic registry.

Generates a synthetic registry of M entities (default 1,000,000; generation is not
timed), builds the candidate index from its names (timed, wall and CPU), saves
and reloads it (size on disk, load time), then matches N input names (default
10,000) drawn from the labelled evaluation set (:mod:`corpcredit.screening.evaluation`:
names written every way, plus hard negatives) and prints JSON: names per second
(wall and CPU — the CPU figure is what the matcher costs when the machine is not
shared), peak memory (RSS, sampled), and precision and recall on the evaluation
set. Goal: at least 500 names a second, recall at least 0.95, precision at least 0.97.

    .venv/bin/python benchmarks/screening.py                          # 10,000 vs 1,000,000
    .venv/bin/python benchmarks/screening.py --entities 200000 --names 5000
    .venv/bin/python benchmarks/screening.py --index /tmp/idx --out result.json

The store is not involved: matching is the cost that grows with the registry; the
screening service adds one chunked read of the matched organisations' standing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from corpcredit import synth
from corpcredit.screening import MATCHER_VERSION, CandidateIndex, IndexManifest, Matcher
from corpcredit.screening.evaluation import build_cases, entity_rows, evaluate
from corpcredit.screening.index import now_iso

_VARIANTS = 17  # kinds of cases the evaluation set draws


class _Peak:
    """Peak RSS of this process while a block runs, sampled every 50 ms."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = 0

    @contextlib.contextmanager
    def watch(self) -> Iterator[None]:
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                self.peak = max(self.peak, self.proc.memory_info().rss)
                time.sleep(0.05)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
            self.peak = max(self.peak, self.proc.memory_info().rss)


@contextlib.contextmanager
def _timed(into: dict[str, float], name: str) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into[f"{name}_wall_s"] = round(time.perf_counter() - wall, 3)
    into[f"{name}_cpu_s"] = round(time.process_time() - cpu, 3)


def _mb(n: int) -> float:
    return round(n / 2**20, 1)


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--entities", type=int, default=1_000_000, help="registry size M")
    ap.add_argument("--names", type=int, default=10_000, help="input names N")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--index", type=Path, help="keep the saved index in this directory")
    ap.add_argument("--out", type=Path, help="also write the JSON result to this file")
    ap.add_argument("--failures", type=int, default=20, help="list up to this many misses")
    args = ap.parse_args()

    times: dict[str, float] = {}
    memory = _Peak()
    registry = synth.generate(args.entities, args.seed)
    frame = registry.entities
    del registry  # records and events are not needed
    rows = entity_rows(frame)
    base_rss = psutil.Process().memory_info().rss

    with memory.watch(), _timed(times, "index_build"):
        index = CandidateIndex.build(rows, IndexManifest(MATCHER_VERSION, now_iso()))
    build_peak = memory.peak
    del rows
    directory = args.index or Path(tempfile.mkdtemp(prefix="corpcredit-screening-"))
    with _timed(times, "index_save"):
        index.save(directory)
    del index
    with _timed(times, "index_load"):
        index = CandidateIndex.load(directory)

    per_variant = math.ceil(args.names / _VARIANTS) + 1
    with _timed(times, "evaluation_set"):
        cases = build_cases(frame, per_variant=per_variant, seed=args.seed)
    queries = [cases[i % len(cases)].query for i in range(args.names)]
    matcher = Matcher(index)
    matcher.match(queries[0])  # first use loads the pinyin tables
    memory.peak = 0
    with memory.watch(), _timed(times, "match"):
        for query in queries:
            matcher.match(query)
    match_peak = memory.peak
    with _timed(times, "evaluate"):
        result = evaluate(matcher, cases)

    report: dict[str, Any] = {
        "benchmark": "screening",
        "matcher_version": MATCHER_VERSION,
        "entities": args.entities,
        "index_names": len(index),
        "input_names": args.names,
        "index_build_s": times["index_build_wall_s"],
        "index_build_cpu_s": times["index_build_cpu_s"],
        "index_size_mb": _mb(_dir_size(directory)),
        "index_load_s": times["index_load_wall_s"],
        "names_per_s": round(args.names / times["match_wall_s"], 1),
        "names_per_cpu_s": round(args.names / times["match_cpu_s"], 1),
        "peak_rss_mb": {
            "before_build": _mb(base_rss),
            "during_build": _mb(build_peak),
            "while_matching": _mb(match_peak),
        },
        "evaluation": result.summary(),
        "misses": [
            {
                "variant": case.variant,
                "query": case.query,
                "expected": case.expected,
                "status": got.status,
                "got": got.best.usci if got.best else None,
                "candidates": [f"{c.name} {c.score:.2f}" for c in got.alternatives],
            }
            for case, got in result.failures[: args.failures]
        ],
        "timings": times,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
    }
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

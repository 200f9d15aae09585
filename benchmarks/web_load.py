"""Benchmark: the served site under load on loopback, identifier lookups and name search.

Builds (once, reusable with ``--db``) a synthetic registry of ``--entities``
organisations (default 1,000,000) through the real pipeline — ``synth.generate``,
``ingest_file`` for the three feeds, ``rescore_all`` (which also materialises the
list windows and the name index the lookups and search read) — then starts
``corpcredit serve`` in a subprocess and drives it at a fixed concurrency with a
small keep-alive HTTP/1.1 client (asyncio streams; a full client library would
spend more CPU than the server on this two-core class of machine). Phases, each
bounded by ``--requests`` and ``--duration`` and preceded by ``--warmup``
unmeasured requests, each against a freshly started server:

- ``entity``: ``GET /api/v1/entities/{usci}`` for random known organisations
  (``--sample`` of them, 2,000 by default: few enough that the server's response
  cache soon holds them all; say ``--sample 0`` for every organisation of the
  registry, so nearly every answer is read afresh as for real traffic);
- ``search``: ``GET /api/v1/search?q=`` for their names without the legal form;
- ``catalogue``: ``GET /api/v1/catalogue``, a constant answer: what the web layer
  itself (uvicorn, middleware, routing) costs, as a yardstick for the other two.

Prints JSON: per phase requests, errors (any status but 200, transport errors
and requests over ``--timeout``), requests per second, p50/p95/p99/max latency
in milliseconds of the successful requests, how many answers held no search hit
(all of them would mean the name index was never built), the processor time
the server (all its processes) and this load generator spent in the measured
part, per request as well (both share the machine's cores: what the client
spends, the server cannot), and the machine's one-minute load average when the
phase ended. A phase lasts at most ``--duration`` plus ``--timeout`` seconds.
Building the registry is not timed; the rate limit is lifted for the run. The
registry file is read through once before the phases (``page_cache_warmed_seconds``),
so that runs compare: a file only partly in the page cache makes random lookups wait
on the disk (``--cold`` skips it). The
client runs on uvloop when it is installed (``--client-loop``); ``--server-env``
passes variables to the server only (say ``CORPCREDIT_RESPONSE_CACHE_ENTRIES=0``
to measure every answer read afresh from the database).

    .venv/bin/python benchmarks/web_load.py                       # 1 M entities
    .venv/bin/python benchmarks/web_load.py --entities 20000 --requests 2000 --db /tmp/r.db
    .venv/bin/python benchmarks/web_load.py --db /tmp/web1m.db --sample 0  # the whole registry
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psutil
import sqlalchemy as sa

from corpcredit.catalogue import default_catalogue
from corpcredit.services.search import normalise_query
from corpcredit.store import create_engine_for, upgrade
from corpcredit.store.schema import entities

HOST = "127.0.0.1"


def _build(db: Path, n: int, seed: int, workers: int, as_of: date) -> dict[str, float]:
    """Generate, ingest and score a registry into the SQLite file ``db``."""
    from corpcredit import synth
    from corpcredit.ingest import ingest_file
    from corpcredit.services.rescore import rescore_all

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    registry = synth.generate(n, seed, as_of=as_of)
    feeds = Path(tempfile.mkdtemp(prefix="corpcredit-web-bench-"))
    paths = synth.write(registry, feeds, "parquet")
    timings["generate_s"] = time.perf_counter() - t0
    engine = create_engine_for(f"sqlite:///{db}")
    upgrade(engine)
    cat = default_catalogue()
    try:
        for kind in ("entities", "records", "events"):
            t = time.perf_counter()
            ingest_file(
                engine,
                kind,
                paths[kind],
                actor="benchmark",
                cat=cat,
                as_of=as_of,
                report_path=feeds / f"{kind}.report.csv",
                chunk_rows=200_000,
            )
            timings[f"ingest_{kind}_s"] = time.perf_counter() - t
        t = time.perf_counter()
        rescore_all(engine, as_of, cat, workers=workers)
        timings["rescore_s"] = time.perf_counter() - t
    finally:
        engine.dispose()
    return timings


def _sample(db: Path, count: int, seed: int) -> tuple[list[str], list[str]]:
    """Random known organisations' identifiers, and their names without legal form
    (``count`` of them; 0: every organisation, in random order)."""
    engine = create_engine_for(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(entities.c.usci, entities.c.name)
                .where(entities.c.natural_person.is_(False))
                .order_by(entities.c.usci)
            ).all()
    finally:
        engine.dispose()
    picked = random.Random(seed).sample(rows, min(count or len(rows), len(rows)))
    names = [normalise_query(name) for _, name in picked]
    return [u for u, _ in picked], [n for n in names if n]


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    timeouts: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    empty: int = 0  # search answers without a hit: the name index is not built?
    client_cpu: float = 0.0  # seconds of processor time, this process
    server_cpu: float = 0.0  # seconds of processor time, the server and its workers

    def report(self) -> dict[str, object]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float | None:
            if not lat:
                return None
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2)

        done = len(lat) + self.errors
        return {
            "requests": done,
            "errors": self.errors,
            "timeouts": self.timeouts,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "seconds": round(self.seconds, 2),
            "requests_per_second": round(done / self.seconds, 1) if self.seconds else None,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "max_ms": round(lat[-1] * 1000, 2) if lat else None,
            "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else None,
            "answers_without_hits": self.empty,
            "server_cpu_seconds": round(self.server_cpu, 2),
            "server_cpu_ms_per_request": round(self.server_cpu / done * 1000, 3) if done else None,
            "client_cpu_seconds": round(self.client_cpu, 2),
            "client_cpu_ms_per_request": round(self.client_cpu / done * 1000, 3) if done else None,
        }


_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
) -> tuple[int, bytes]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: */*\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    match = _LENGTH.search(head)
    body = b""
    if match:
        body = await reader.readexactly(int(match.group(1)))
    elif status not in (204, 304):
        raise RuntimeError("response without content-length")
    return status, body


async def _run_phase(
    port: int,
    phase: Phase,
    paths: list[str],
    concurrency: int,
    limit: int,
    duration: float,
    timeout: float,
) -> None:
    queue = iter(range(limit))
    deadline = time.perf_counter() + duration

    async def worker(k: int) -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            for i in queue:
                if time.perf_counter() > deadline:
                    return
                path = paths[(i * 7919 + k) % len(paths)]
                t = time.perf_counter()
                try:
                    status, body = await asyncio.wait_for(_get(reader, writer, path), timeout)
                except TimeoutError:
                    phase.timeouts += 1
                    phase.errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                    continue
                except (OSError, RuntimeError, asyncio.IncompleteReadError):
                    phase.errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                    continue
                phase.statuses[status] = phase.statuses.get(status, 0) + 1
                phase.empty += b'"hits":[]' in body
                if status == 200:
                    phase.latencies.append(time.perf_counter() - t)
                else:
                    phase.errors += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    phase.seconds = time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _serve(
    db: Path, port: int, workers: int, log: Path, extra_env: dict[str, str]
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CORPCREDIT_DATABASE_URL": f"sqlite:///{db}",
        "CORPCREDIT_RATE_LIMIT_PER_MINUTE": str(10**9),
        **extra_env,
    }
    cmd = [
        sys.executable,
        "-m",
        "corpcredit.cli",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
    ]
    with log.open("wb") as out:  # a file, not a pipe: a full pipe would stall the server
        return subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers (its own process group), forcibly if it lingers."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def _wait(proc: subprocess.Popen[bytes], log: Path, workers: int, timeout: float = 180) -> None:
    """Until every worker process has logged that its application started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{text}")
        if text.count("Application startup complete") >= workers:
            return
        time.sleep(0.2)
    raise SystemExit("server did not start")


def _tree_cpu(pid: int) -> float:
    """Processor seconds (user and system) of a process and its living children."""
    total = 0.0
    try:
        proc = psutil.Process(pid)
        for p in (proc, *proc.children(recursive=True)):
            times = p.cpu_times()
            total += times.user + times.system
    except psutil.NoSuchProcess:
        pass
    return total


def _run(coro: Coroutine[Any, Any, None], loop: str) -> None:
    """Run the client on uvloop when asked for and installed: it costs less per request."""
    if loop != "asyncio":
        try:
            import uvloop
        except ImportError:
            if loop == "uvloop":
                raise
        else:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                runner.run(coro)
            return
    asyncio.run(coro)


def _measure(db: Path, log: Path, paths: list[str], args: argparse.Namespace) -> dict[str, object]:
    """One phase against a server of its own, so no phase inherits another's backlog."""
    port = _free_port()
    extra = dict(item.split("=", 1) for item in args.server_env)
    server = _serve(db, port, args.workers, log, extra)
    try:
        _wait(server, log, args.workers)
        warm, phase = Phase("warmup"), Phase("measured")
        c = args.concurrency
        _run(_run_phase(port, warm, paths, c, args.warmup, 30, args.timeout), args.client_loop)
        server_cpu, client_cpu = _tree_cpu(server.pid), time.process_time()
        _run(
            _run_phase(port, phase, paths, c, args.requests, args.duration, args.timeout),
            args.client_loop,
        )
        phase.client_cpu = time.process_time() - client_cpu
        phase.server_cpu = _tree_cpu(server.pid) - server_cpu
        # Other work on the machine skews every figure: say how busy it was.
        return {**phase.report(), "load_average_1m": round(os.getloadavg()[0], 2)}
    finally:
        _stop(server)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", type=Path, help="SQLite file to build, or reuse when it exists")
    ap.add_argument("--concurrency", type=int, default=16, help="connections kept open")
    ap.add_argument(
        "--sample",
        type=int,
        default=2000,
        help="organisations asked for (0: every one in the registry)",
    )
    ap.add_argument("--requests", type=int, default=5000, help="per phase, at most")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds per phase, at most")
    ap.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per request; then counted an error"
    )
    ap.add_argument("--warmup", type=int, default=200, help="unmeasured requests per phase")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes")
    ap.add_argument(
        "--phases", default="entity,search,catalogue", help="comma-separated, in this order"
    )
    ap.add_argument("--as-of", type=date.fromisoformat, default=None, help="scoring date")
    ap.add_argument(
        "--cold",
        action="store_true",
        help="do not read the registry file once first (by default it is, so that runs "
        "compare: random identifiers over a file only partly in the page cache wait on "
        "the disk)",
    )
    ap.add_argument(
        "--client-loop",
        choices=("auto", "uvloop", "asyncio"),
        default="auto",
        help="the client's event loop (auto: uvloop when installed)",
    )
    ap.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the server only (repeatable)",
    )
    args = ap.parse_args()

    from corpcredit.web.clock import today

    as_of = args.as_of or today()
    db = args.db or Path(tempfile.mkdtemp(prefix="corpcredit-web-bench-")) / "registry.db"
    build: dict[str, float] = {}
    if not db.exists():
        print(f"building a {args.entities:,}-entity registry in {db} …", file=sys.stderr)
        build = _build(db, args.entities, args.seed, args.workers, as_of)
    warmed = None if args.cold else _read_through(db)
    uscis, names = _sample(db, args.sample, args.seed)
    every = {
        "entity": [f"/api/v1/entities/{u}" for u in uscis],
        "search": [f"/api/v1/search?q={urllib.parse.quote(n)}" for n in names],
        # The web layer alone (middleware, JSON, ETag), as a yardstick for the others.
        "catalogue": ["/api/v1/catalogue"],
    }
    phases = {name: every[name] for name in args.phases.split(",")}
    log = db.with_name(f"{db.stem}.serve.log")
    results = {name: _measure(db, log, paths, args) for name, paths in phases.items()}
    print(
        json.dumps(
            {
                "benchmark": "web_load",
                "entities": _count(db),
                "db_bytes": db.stat().st_size,
                "server_workers": args.workers,
                "concurrency": args.concurrency,
                "sampled_organisations": len(uscis),
                "client_loop": _loop_name(args.client_loop),
                "server_env": args.server_env,
                "cpus": os.cpu_count(),
                "build_seconds": {k: round(v, 1) for k, v in build.items()},
                "page_cache_warmed_seconds": warmed,
                "phases": results,
            },
            indent=2,
        )
    )


def _read_through(db: Path) -> float:
    """Read the registry file (and its write-ahead log) once, so that the operating
    system holds it in its page cache, as it would for a server that has been up a
    while; returns the seconds it took."""
    start = time.perf_counter()
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists():
            with path.open("rb") as f:
                while f.read(1 << 24):
                    pass
    return round(time.perf_counter() - start, 1)


def _loop_name(loop: str) -> str:
    if loop != "auto":
        return loop
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def _count(db: Path) -> int:
    engine = create_engine_for(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(entities)).scalar_one())
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()

"""`corpcredit demo`: a fresh synthetic registry, ingested and scored, and what to try next."""

from __future__ import annotations

import importlib
import importlib.util
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from corpcredit.cli._common import console, err_console

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from corpcredit.settings import Settings

__all__ = ["register"]

HOST = "127.0.0.1"
PORT = 8000


def _fresh_database(path: Path) -> str:
    """Remove an old demo database (and its WAL files); return the new one's URL."""
    path = path.expanduser().resolve()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _grades(engine: Engine) -> Table:
    import sqlalchemy as sa

    from corpcredit.store.schema import list_entries, results

    table = Table(title="Demo registry", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    with engine.connect() as conn:
        grades = conn.execute(
            sa.select(results.c.grade, sa.func.count())
            .group_by(results.c.grade)
            .order_by(results.c.grade)
        ).all()
        lists = conn.execute(
            sa.select(list_entries.c.list, sa.func.count())
            .where(list_entries.c.left_on.is_(None))
            .group_by(list_entries.c.list)
            .order_by(list_entries.c.list)
        ).all()
    for grade, n in grades:
        table.add_row(f"grade {grade}" if grade else "natural persons (not scored)", f"{n:,}")
    for name, n in lists:
        table.add_row(f"on the {name} list", f"{n:,}")
    return table


def _example(engine: Engine) -> str | None:
    import sqlalchemy as sa

    from corpcredit.store.schema import list_entries

    with engine.connect() as conn:
        return conn.execute(
            sa.select(list_entries.c.usci)
            .where(list_entries.c.list == "black", list_entries.c.left_on.is_(None))
            .order_by(list_entries.c.usci)
            .limit(1)
        ).scalar()


def _next_steps(url: str, example: str | None) -> None:
    steps = [(f"export CORPCREDIT_DATABASE_URL={url}", "")]
    if example:
        steps.append((f"corpcredit show {example}", "a black-listed organisation, explained"))
    steps += [
        ("corpcredit search 科技", "find organisations by name or USCI"),
        ("corpcredit lists black", "the black list, newest entries first"),
        ("corpcredit export var/demo-export", "Parquet and CSV with a manifest"),
        ("corpcredit audit verify", "check the hash-chained audit log"),
        ("corpcredit refresh", "rescore what has changed since"),
    ]
    width = max(len(cmd) for cmd, _ in steps[1:])
    console.print("\n[bold]Try next[/] (in this shell):")
    for cmd, note in steps:
        line = f"  {cmd.ljust(width)}  # {note}" if note else f"  {cmd}"
        console.print(line, soft_wrap=True, markup=False, highlight=False)


def _serve(settings: Settings) -> None:
    web = (
        importlib.import_module("corpcredit.web")
        if importlib.util.find_spec("corpcredit.web") is not None
        else None
    )
    serve_site = getattr(web, "serve", None)
    if serve_site is None:
        console.print("The web site is not built yet; the registry is ready for the CLI.")
        return
    console.print(f"Serving the registry on http://{HOST}:{PORT} (Ctrl-C to stop)")
    serve_site(settings, HOST, PORT)


def demo(
    entities: Annotated[int, typer.Option("--entities", min=1, help="Entities to draw.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 1,
    database: Annotated[
        Path, typer.Option("--database", help="Demo SQLite file (replaced if it exists).")
    ] = Path("var/demo.db"),
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web site afterwards.")
    ] = False,
) -> None:
    """Build a fresh synthetic registry: generate, ingest, score, and say what to try."""
    from corpcredit import synth
    from corpcredit.catalogue import default_catalogue
    from corpcredit.ingest import ingest_file
    from corpcredit.scoring.frames import CHINA_TZ
    from corpcredit.services import rescore_all
    from corpcredit.settings import get_settings
    from corpcredit.store import connect

    started = time.perf_counter()
    url = _fresh_database(database)
    settings = get_settings().model_copy(update={"database_url": url})
    cat = default_catalogue()
    today = datetime.now(CHINA_TZ).date()
    engine = connect(settings)
    quarantined = 0
    try:
        with (
            tempfile.TemporaryDirectory(prefix="corpcredit-demo-") as tmp,
            console.status("Generating the synthetic registry …") as status,
        ):
            registry = synth.generate(entities, seed, as_of=today)
            paths = synth.write(registry, Path(tmp), "parquet")
            for kind in synth.FEEDS:
                status.update(f"Ingesting {kind} …")
                summary = ingest_file(
                    engine,
                    kind,
                    paths[kind],
                    actor="demo",
                    cat=cat,
                    report_path=Path(tmp) / f"{kind}.quarantine.csv",
                    as_of=today,
                )
                quarantined += summary.quarantined
            status.update("Scoring …")
            rescore_all(engine, today, cat, workers=settings.workers)
        counts = synth.describe(registry)
        console.print(_grades(engine))
        console.print(
            f"{counts.entities:,} entities, {counts.records:,} records, {counts.events:,} events "
            f"ingested and scored at {today} in {time.perf_counter() - started:.0f} s "
            f"into {database}"
        )
        if quarantined:
            console.print(
                f"{quarantined:,} rows were refused at ingestion, as they should be "
                "(records about individual businesses, events of refused records)"
            )
        _next_steps(url, _example(engine))
    finally:
        engine.dispose()
    if serve:
        _serve(settings)
    else:
        err_console.print("(run with --serve to start the web site)")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("demo")(demo)

"""`corpcredit ingest entities|records|events FILE…`: feed files into the registry."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from corpcredit.cli._common import console, err_console, load_catalogue_option, parse_date, report

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from corpcredit.catalogue import Catalogue
    from corpcredit.ingest import IngestSummary

__all__ = ["register", "worst_exit"]

ingest_app = typer.Typer(
    name="ingest",
    help="Ingest feed files (CSV, JSON Lines, Parquet, XLSX) into the registry.",
    no_args_is_help=True,
    add_completion=False,
)

# Exit codes: 0 every row landed, 3 some rows quarantined, 2 a file could not be read.
_SEVERITY = {0: 0, 3: 1, 2: 2}


def worst_exit(codes: list[int]) -> int:
    """The exit code of several files: unreadable beats quarantined beats clean."""
    return max(codes, key=lambda c: _SEVERITY.get(c, 3), default=0)


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _summary_table(summaries: list[IngestSummary]) -> Table:
    table = Table(title="Ingested", show_lines=False)
    for name in ("file", "accepted", "updated", "unchanged", "quarantined", "report"):
        table.add_column(name, justify="right" if name not in ("file", "report") else "left")
    for s in summaries:
        note = " (resumed)" if s.resumed else ""
        table.add_row(
            f"{s.file}{note}",
            f"{s.accepted:,}",
            f"{s.updated:,}",
            f"{s.unchanged:,}",
            f"{s.quarantined:,}",
            str(s.report_path) if s.quarantined else "-",
        )
    return table


def _one_file(
    engine: Engine,
    kind: str,
    path: Path,
    actor: str | None,
    cat: Catalogue,
    report_path: Path | None,
    chunk_rows: int,
    day: date | None,
) -> IngestSummary:
    from corpcredit.ingest import ingest_file

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"{kind} {path.name}", total=None)
        return ingest_file(
            engine,
            kind,
            path,
            actor=actor or _default_actor(),
            cat=cat,
            report_path=report_path,
            chunk_rows=chunk_rows,
            as_of=day,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )


def _ingest(
    kind: str,
    files: list[Path],
    report_path: Path | None,
    actor: str | None,
    as_of: str | None,
    chunk_rows: int,
) -> None:
    from corpcredit.feeds.read import UnreadableFile
    from corpcredit.settings import get_settings
    from corpcredit.store import connect

    if report_path is not None and len(files) > 1:
        raise typer.BadParameter("--report names the report of one FILE; give one file")
    settings = get_settings()
    cat = load_catalogue_option(settings.catalogue_path)
    day = parse_date(as_of, "--as-of") if as_of else None
    engine = connect(settings)
    codes: list[int] = []
    done: list[IngestSummary] = []
    try:
        for path in files:
            try:
                summary = _one_file(engine, kind, path, actor, cat, report_path, chunk_rows, day)
            except UnreadableFile as exc:
                codes.append(report(exc))
                continue
            done.append(summary)
            codes.append(summary.exit_code)
    finally:
        engine.dispose()
    if done:
        console.print(_summary_table(done))
        for s in done:
            if s.quarantined:
                console.print(f"quarantined rows of {s.file}: see {s.report_path}")
            elif s.accepted + s.updated == 0 and s.rows:
                console.print(f"{s.file}: nothing new, all {s.unchanged:,} rows unchanged")
    raise typer.Exit(worst_exit(codes))


def _command(kind: str) -> None:
    def command(
        files: Annotated[list[Path], typer.Argument(help="Feed files.", show_default=False)],
        report_path: Annotated[
            Path | None,
            typer.Option("--report", help="Quarantine report (default: FILE.quarantine.csv)."),
        ] = None,
        actor: Annotated[
            str | None, typer.Option("--actor", help="Who ingests, for the audit log.")
        ] = None,
        as_of: Annotated[
            str | None,
            typer.Option("--as-of", help="Date to rescore at, YYYY-MM-DD (default: today)."),
        ] = None,
        chunk_rows: Annotated[
            int, typer.Option("--chunk-rows", min=1, help="Rows per transaction.")
        ] = 200_000,  # corpcredit.ingest.pipeline.DEFAULT_CHUNK_ROWS, not imported at start-up
    ) -> None:
        _ingest(kind, files, report_path, actor, as_of, chunk_rows)

    command.__doc__ = (
        f"Ingest {kind} feed files; bad rows are quarantined and reported. "
        "Exit 0: all landed; 3: some quarantined; 2: a file could not be read."
    )
    ingest_app.command(kind)(command)


for _kind in ("entities", "records", "events"):
    _command(_kind)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(ingest_app)

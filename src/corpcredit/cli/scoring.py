"""`corpcredit score` (rescore the whole registry) and `corpcredit refresh` (daily)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from corpcredit.cli._common import console, err_console, load_catalogue_option, parse_date

if TYPE_CHECKING:
    from corpcredit.services import Progress as ProgressFn

__all__ = ["register"]


def _today() -> date:
    from corpcredit.scoring.frames import CHINA_TZ

    return datetime.now(CHINA_TZ).date()


@contextmanager
def _progress_bar() -> Iterator[ProgressFn]:
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def update(stage: str, done: int, total: int | None) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        yield update


def score(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluation date YYYY-MM-DD (default: today).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes (default: CORPCREDIT_WORKERS)."),
    ] = None,
) -> None:
    """Rescore every entity of the registry and rebuild the materialised results."""
    from corpcredit.services import rescore_all
    from corpcredit.settings import get_settings
    from corpcredit.store import connect

    settings = get_settings()
    cat = load_catalogue_option(settings.catalogue_path)
    day = parse_date(as_of, "--as-of") if as_of else _today()
    engine = connect(settings)
    try:
        with _progress_bar() as update:
            summary = rescore_all(
                engine, day, cat, workers=workers or settings.workers, progress=update
            )
    finally:
        engine.dispose()
    for w in summary.warnings:
        err_console.print(f"[yellow]warning[/] {w}")
    took = sum(summary.seconds.values())
    console.print(
        f"scored {summary.entities:,} entities in {summary.organisations:,} organisations "
        f"from {summary.records:,} records at {day} in {took:.1f} s; catalogue {cat.version}; "
        f"list entries opened {summary.entered:,}, closed {summary.left:,}"
    )


def refresh(
    today: Annotated[
        str | None, typer.Option("--today", help="The date to refresh to (default: today).")
    ] = None,
) -> None:
    """Rescore every organisation with an entity whose next-change date has come."""
    from corpcredit.services import refresh as refresh_registry
    from corpcredit.settings import get_settings
    from corpcredit.store import connect

    settings = get_settings()
    cat = load_catalogue_option(settings.catalogue_path)
    day = parse_date(today, "--today") if today else _today()
    engine = connect(settings)
    try:
        with _progress_bar() as update:
            summary = refresh_registry(engine, day, cat, progress=update)
    finally:
        engine.dispose()
    if not summary.entities:
        console.print(f"nothing to refresh on {day}: no next-change date has come")
        return
    console.print(
        f"refreshed {summary.entities:,} entities at {day}; "
        f"list entries opened {summary.entered:,}, closed {summary.left:,}"
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("score")(score)
    app.command("refresh")(refresh)

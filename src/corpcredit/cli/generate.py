"""`corpcredit generate`: write a realistic, deterministic synthetic registry."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from corpcredit import synth
from corpcredit.cli._common import console

__all__ = ["register"]


class _Format(StrEnum):
    parquet = "parquet"
    csv = "csv"


def _summary_table(summary: synth.RegistrySummary) -> Table:
    table = Table(title="Synthetic registry", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [
        ("entities", summary.entities),
        ("head offices", summary.head_offices),
        ("branches", summary.branches),
        ("natural persons (type 92)", summary.natural_persons),
        ("records", summary.records),
        *((f"  {kind}", count) for kind, count in summary.records_by_kind.items()),
        ("events", summary.events),
        *((f"  {event}", count) for event, count in summary.events_by_type.items()),
    ]
    for what, count in rows:
        table.add_row(what, f"{count:,}")
    return table


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("generate")
    def generate(
        out: Path = typer.Option(..., "--out", help="Directory to write the three feeds into."),
        entities: int = typer.Option(20_000, "--entities", min=0, help="Number of entities."),
        seed: int = typer.Option(1, "--seed", min=0, help="Random seed (same seed, same files)."),
        fmt: _Format = typer.Option(_Format.parquet, "--format", help="File format."),
        as_of: datetime | None = typer.Option(
            None,
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Last day of the history [default: 2026-06-30].",
        ),
    ) -> None:
        """Write a synthetic registry: entities, records and record events feeds."""
        with console.status("Generating …") as status:
            registry = synth.generate(
                entities,
                seed,
                as_of=as_of.date() if as_of else None,
                progress=lambda stage: status.update(f"{stage} …"),
            )
            status.update(f"Writing {fmt.value} files …")
            paths = synth.write(registry, out, "csv" if fmt is _Format.csv else "parquet")
        console.print(_summary_table(synth.describe(registry)))
        for feed, path in paths.items():
            console.print(f"wrote {feed}: {path}")

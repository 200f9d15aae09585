"""The ``corpcredit`` command line: one module per command group, thin over the library."""

from __future__ import annotations

import typer

from corpcredit.cli import (
    accounts,
    batch,
    catalogue,
    demo,
    generate,
    ids,
    ingest,
    registry,
    registry_read,
    scoring,
    screen,
    serve,
)
from corpcredit.cli._common import ErrorMappingGroup, run_main

__all__ = ["app", "main"]

app = typer.Typer(
    cls=ErrorMappingGroup,
    name="corpcredit",
    help="An open, auditable corporate credit registry (organisations only).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for _module in (
    ids,
    catalogue,
    batch,
    generate,
    registry,
    registry_read,
    serve,
    ingest,
    scoring,
    demo,
    screen,
    accounts,
):
    _module.register(app)


def main() -> None:
    run_main(app)

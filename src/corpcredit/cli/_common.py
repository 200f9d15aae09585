"""What every command shares: the console and the one place errors become exit codes."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from corpcredit.errors import CorpCreditError, InputError

if TYPE_CHECKING:
    from corpcredit.catalogue import Catalogue

__all__ = [
    "console",
    "err_console",
    "load_catalogue_option",
    "parse_date",
    "parse_timestamp",
    "run_main",
]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

# Exit codes: 0 ok, 1 a check found invalid values, 2 unusable input or usage error,
# 3 some rows quarantined (ingestion), 4 any other corpcredit error.
EXIT_INPUT = 2
EXIT_ERROR = 4


def run_main(app: typer.Typer) -> None:
    """Run the Typer app, mapping project errors to one message and exit code."""
    try:
        app(standalone_mode=False)
    except CorpCreditError as exc:
        err_console.print(f"[bold red]error[/] [{exc.code}] {exc.message}")
        if isinstance(exc, InputError):
            for row in exc.rows[:20]:
                err_console.print(f"  - {row}")
            if len(exc.rows) > 20:
                err_console.print(f"  … and {len(exc.rows) - 20} more problems")
        sys.exit(EXIT_INPUT if isinstance(exc, InputError) else EXIT_ERROR)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


def parse_date(value: str, option: str) -> date:
    """A date option, or a usage error that says what was expected."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{option} must be a date YYYY-MM-DD, got {value!r}") from exc


def parse_timestamp(value: str, option: str) -> datetime:
    """An ISO 8601 timestamp (or date); without an offset it is China Standard Time."""
    from corpcredit.scoring.frames import to_utc

    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter(
            f"{option} must be an ISO 8601 timestamp such as 2025-03-01T12:00:00+08:00, got {value!r}"
        ) from exc
    return to_utc(ts)


def load_catalogue_option(path: Path | None) -> Catalogue:
    from corpcredit.catalogue import default_catalogue, load_catalogue

    return default_catalogue() if path is None else load_catalogue(path)

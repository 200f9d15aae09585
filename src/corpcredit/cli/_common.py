"""What every command shares: the console and the one place errors become exit codes."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from corpcredit.errors import CorpCreditError, InputError

__all__ = ["console", "err_console", "run_main"]

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

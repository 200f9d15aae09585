"""The ``corpcredit`` command line: one module per command group, thin over the library.

A command imports only the module that defines it: ``corpcredit batch score`` need not
load the database layer, the web application or the screening index (measured: the
full set of command modules takes about 2 s to import, the batch module a few tenths).
:data:`COMMANDS` names the module of each top-level command; anything else (``--help``,
no command, a mistyped one) gets the full application, so help and "no such command"
read exactly as before. ``tests/cli/test_lazy_cli.py`` holds the table to what the
modules register.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer

from corpcredit.cli._common import ErrorMappingGroup, run_main

__all__ = ["COMMANDS", "MODULES", "app", "build_app", "main"]

# The command modules, in the order their commands are listed by ``--help``.
MODULES = (
    "ids",
    "catalogue",
    "batch",
    "generate",
    "registry",
    "registry_read",
    "serve",
    "ingest",
    "scoring",
    "demo",
    "screen",
    "accounts",
)

# Each top-level command and the module that registers it.
COMMANDS = {
    "ids": "ids",
    "catalogue": "catalogue",
    "batch": "batch",
    "generate": "generate",
    "init": "registry",
    "audit": "registry",
    "show": "registry_read",
    "search": "registry_read",
    "lists": "registry_read",
    "export": "registry_read",
    "serve": "serve",
    "ingest": "ingest",
    "score": "scoring",
    "refresh": "scoring",
    "demo": "demo",
    "screen": "screen",
    "screen-index": "screen",
    "screen-decide": "screen",
    "watch": "screen",
    "users": "accounts",
    "tokens": "accounts",
}


def build_app(modules: tuple[str, ...] = MODULES) -> typer.Typer:
    """The root application with the commands of ``modules`` registered."""
    root = typer.Typer(
        cls=ErrorMappingGroup,
        name="corpcredit",
        help="An open, auditable corporate credit registry (organisations only).",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    # A callback keeps the root a command group even when only one command is
    # registered (Typer would otherwise run that lone command without its name).
    @root.callback()
    def _root() -> None:
        pass

    for name in modules:
        importlib.import_module(f"corpcredit.cli.{name}").register(root)
    return root


_full_app: typer.Typer | None = None


def __getattr__(name: str) -> Any:
    # ``app`` (every command) is built on first use, so importing this package is cheap.
    global _full_app
    if name == "app":
        if _full_app is None:
            _full_app = build_app()
        return _full_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else None
    module = COMMANDS.get(command) if command else None
    run_main(build_app((module,)) if module else build_app())

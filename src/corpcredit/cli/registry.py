"""`corpcredit` commands over the registry database: ``init`` and ``audit verify|head``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from corpcredit import audit
from corpcredit.settings import Settings, get_settings
from corpcredit.store import connect, current_revision, display_url

__all__ = ["register"]

audit_app = typer.Typer(
    name="audit", help="The hash-chained audit log.", no_args_is_help=True, add_completion=False
)


@contextmanager
def _registry(settings: Settings) -> Iterator[Engine]:
    engine = connect(settings)
    try:
        yield engine
    finally:
        engine.dispose()


def init() -> None:
    """Create the registry database, or upgrade it to the current schema."""
    settings = get_settings()
    with _registry(settings) as engine:
        revision = current_revision(engine)
    typer.echo(f"database: {display_url(settings.database_url)}")
    typer.echo(f"schema revision: {revision}")


def _parse_head(value: str) -> audit.Head:
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise typer.BadParameter(
            f"expected SEQ:HASH as printed by `corpcredit audit head`, got {value!r}",
            param_hint="--expect",
        )
    return audit.Head(int(seq), digest.lower())


@audit_app.command("verify")
def verify(
    expect: Annotated[
        str | None,
        typer.Option(metavar="SEQ:HASH", help="A head published earlier that must still be there."),
    ] = None,
) -> None:
    """Walk the whole chain; exit 1 naming the first entry that does not match."""
    expected = _parse_head(expect) if expect else None
    with _registry(get_settings()) as engine, engine.connect() as conn:
        result = audit.verify(conn, expected_head=expected)
    if result.problem is None:
        typer.echo(
            f"chain intact: {result.entries} entries, head {result.head.hash} "
            f"(seq {result.head.seq})"
        )
        return
    p = result.problem
    typer.echo(f"chain broken at entry {p.seq} ({p.field}): {p.message}")
    typer.echo(f"{result.entries} entries before it verify")
    raise typer.Exit(1)


@audit_app.command("head")
def head(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Print the newest entry's sequence number and hash, for publication."""
    with _registry(get_settings()) as engine, engine.connect() as conn:
        current = audit.head(conn)
    if as_json:
        typer.echo(json.dumps({"seq": current.seq, "hash": current.hash}))
    else:
        typer.echo(f"seq {current.seq} hash {current.hash}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("init")(init)
    app.add_typer(audit_app)

"""`corpcredit users add|list|disable` and `corpcredit tokens create|list|revoke`.

Thin over :mod:`corpcredit.cases.accounts`. Passwords are read from a hidden
prompt (or ``--password-stdin`` for scripts), never from the command line where
``ps`` and shell history would keep them. A token is printed once, when created;
only its SHA-256 is stored. Every change is on the audit chain, by ``--actor``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import Engine

from corpcredit.cases import accounts
from corpcredit.cli._common import console, err_console
from corpcredit.errors import CorpCreditError
from corpcredit.ids import validate
from corpcredit.settings import get_settings
from corpcredit.store import connect

__all__ = ["register"]

users_app = typer.Typer(
    help="People who sign in: representatives, reviewers, operators.", no_args_is_help=True
)
tokens_app = typer.Typer(
    help="API tokens for machines (shown once, stored hashed).", no_args_is_help=True
)

_ACTOR = typer.Option(
    "operator:cli", "--actor", help="Who makes the change, as the audit chain will name them."
)


@contextmanager
def _engine() -> Iterator[Engine]:
    engine = connect(get_settings())
    try:
        yield engine
    finally:
        engine.dispose()


def _usci(value: str | None) -> str | None:
    return None if value is None else validate(value)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first: str = typer.prompt("Password", hide_input=True, err=True)
    again: str = typer.prompt("Repeat the password", hide_input=True, err=True)
    if first != again:
        raise CorpCreditError("the two passwords differ", code="account.password_mismatch")
    return first


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="Letters, digits, '.', '_', '@' or '-'."),
    role: str = typer.Option(..., "--role", help="representative, reviewer or operator."),
    usci: str | None = typer.Option(
        None, "--usci", help="The organisation a representative acts for (required for them)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    actor: str = _ACTOR,
) -> None:
    """Create an account; the password is asked for (at least 12 characters)."""
    password = _read_password(password_stdin)
    with _engine() as engine:
        a = accounts.create_account(engine, username, password, role, actor=actor, usci=_usci(usci))
    bound = f" for {a.usci}" if a.usci else ""
    console.print(f"Account {escape(a.username)} created: {a.role}{bound}.")


@users_app.command("list")
def users_list() -> None:
    """Show every account (never a password or hash)."""
    with _engine() as engine, engine.connect() as conn:
        found = accounts.list_accounts(conn)
    table = Table(title="Accounts")
    for col in ("username", "role", "USCI", "status"):
        table.add_column(col)
    for a in found:
        table.add_row(
            escape(a.username), a.role, a.usci or "", "disabled" if a.disabled else "active"
        )
    console.print(table)


@users_app.command("disable")
def users_disable(username: str = typer.Argument(...), actor: str = _ACTOR) -> None:
    """Disable an account: its sessions and tokens stop working at once."""
    with _engine() as engine:
        accounts.disable_account(engine, username, actor=actor)
    console.print(f"Account {escape(username)} disabled.")


@tokens_app.command("create")
def tokens_create(
    label: str = typer.Argument(..., help="What the token is for, e.g. 'procurement robot'."),
    account: str | None = typer.Option(
        None, "--account", help="Act for this account (its role, organisation and watchlist)."
    ),
    role: str | None = typer.Option(None, "--role", help="The role, for a token of no account."),
    usci: str | None = typer.Option(None, "--usci", help="A representative token's organisation."),
    days: int | None = typer.Option(
        None, "--days", min=1, help="Expire after this many days (default: never)."
    ),
    actor: str = _ACTOR,
) -> None:
    """Create a token and print it once: it cannot be shown again."""
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    with _engine() as engine:
        token, info = accounts.create_token(
            engine, label, role, actor=actor, usci=_usci(usci), account=account,
            expires_at=expires,
        )  # fmt: skip
    err_console.print(
        f"Token {info.id} ({info.role}) created. Copy it now: "
        "it is not stored and cannot be shown again."
    )
    console.print(token, markup=False, highlight=False)


@tokens_app.command("list")
def tokens_list() -> None:
    """Show every token's number, label, role and status (never the token)."""
    with _engine() as engine, engine.connect() as conn:
        found = accounts.list_tokens(conn)
    table = Table(title="API tokens")
    for col in ("id", "label", "role", "USCI", "expires", "status"):
        table.add_column(col)
    for k in found:
        status = "revoked" if k.revoked_at else "active"
        expires = k.expires_at.date().isoformat() if k.expires_at else "never"
        table.add_row(str(k.id), escape(k.label), k.role, k.usci or "", expires, status)
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: int = typer.Argument(..., help="The token's number."), actor: str = _ACTOR
) -> None:
    """Revoke a token: it stops working at once."""
    with _engine() as engine:
        accounts.revoke_token(engine, token_id, actor=actor)
    console.print(f"Token {token_id} revoked.")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")

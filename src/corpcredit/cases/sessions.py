"""Signed-in browser sessions: what a session cookie stands for.

A session is created when a person signs in (:func:`corpcredit.cases.accounts.authenticate`
has checked the password). The browser keeps a random 256-bit value in an
HttpOnly cookie; the registry keeps only its SHA-256, so a copy of the database
cannot be replayed as cookies. Each session carries its own CSRF token, which
every form of a signed-in page must send back. Sessions end on sign-out, after
:data:`SESSION_LIFETIME`, or as soon as the account is disabled (checked on
every request, not only at sign-in).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import audit
from corpcredit.cases.accounts import Account
from corpcredit.store import begin_write
from corpcredit.store.schema_cases import accounts, web_sessions

__all__ = ["SESSION_LIFETIME", "Session", "end_session", "open_session", "start_session"]

#: How long a sign-in lasts; a working day, so a forgotten browser does not stay in.
SESSION_LIFETIME = timedelta(hours=8)


@dataclass(frozen=True)
class Session:
    """A live session: its account and the CSRF token its forms must carry."""

    account: Account
    csrf_token: str
    expires_at: datetime


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def start_session(
    engine: Engine, account: Account, *, at: datetime | None = None
) -> tuple[str, Session]:
    """A new session for ``account``: the cookie value (give it to the browser) and the session."""
    at = at or datetime.now(UTC)
    value = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = at + SESSION_LIFETIME
    with begin_write(engine) as conn:
        conn.execute(web_sessions.delete().where(web_sessions.c.expires_at <= at))
        conn.execute(
            web_sessions.insert().values(
                id_sha256=_digest(value), account_id=account.id, csrf_token=csrf,
                created_at=at, expires_at=expires,
            )
        )  # fmt: skip
        audit.append(conn, account.username, "session.start", "account", account.username,
                     {"role": account.role}, at=at)  # fmt: skip
    return value, Session(account, csrf, expires)


def open_session(engine: Engine, value: str, *, at: datetime | None = None) -> Session | None:
    """The live session behind a cookie value, or None (unknown, expired, account disabled)."""
    if not value or len(value) > 128:
        return None
    at = at or datetime.now(UTC)
    a, s = accounts.c, web_sessions.c
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(a.id, a.username, a.role, a.usci, a.disabled, s.csrf_token, s.expires_at)
            .join_from(web_sessions, accounts, a.id == s.account_id)
            .where(s.id_sha256 == _digest(value))
        ).mappings().first()  # fmt: skip
    if row is None or row["disabled"] or row["expires_at"] <= at:
        return None
    account = Account(row["id"], row["username"], row["role"], row["usci"], False)
    return Session(account, row["csrf_token"], row["expires_at"])


def end_session(engine: Engine, value: str, *, at: datetime | None = None) -> None:
    """Sign out: the cookie value stops working at once."""
    at = at or datetime.now(UTC)
    with begin_write(engine) as conn:
        row = conn.execute(
            sa.select(accounts.c.username)
            .join_from(web_sessions, accounts, accounts.c.id == web_sessions.c.account_id)
            .where(web_sessions.c.id_sha256 == _digest(value))
        ).first()
        if row is None:
            return
        conn.execute(web_sessions.delete().where(web_sessions.c.id_sha256 == _digest(value)))
        audit.append(conn, row.username, "session.end", "account", row.username, {}, at=at)

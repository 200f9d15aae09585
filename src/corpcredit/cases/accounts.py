"""Accounts and API tokens: who may act on cases (issue 5, roles).

People sign in with a password, stored as an argon2id hash (argon2-cffi); after
:data:`MAX_FAILURES` wrong passwords in a row an account is locked for
:data:`LOCKOUT`. Machines use API tokens: shown once when created, stored as
their SHA-256, scoped to a role, revocable, optionally expiring. A
representative is bound to one organisation (USCI). Every change is on the
audit chain; no password, hash or token ever is.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection, Engine

from corpcredit import audit
from corpcredit.errors import CorpCreditError, NotFound
from corpcredit.store import begin_write
from corpcredit.store.schema import entities
from corpcredit.store.schema_cases import ACCOUNT_ROLES, accounts, api_tokens

__all__ = [
    "LOCKOUT",
    "MAX_FAILURES",
    "MIN_PASSWORD",
    "Account",
    "ApiToken",
    "AuthError",
    "authenticate",
    "authenticate_token",
    "create_account",
    "create_token",
    "disable_account",
    "list_accounts",
    "list_tokens",
    "revoke_token",
]

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
_HASHER = PasswordHasher()  # argon2id with the library's recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when no account matches, made on first need: hashing
    is deliberately dear (about half a second of processor time), and every command
    of the command line imports this module."""
    return _HASHER.hash("corpcredit: no such account")


_TOKEN_PREFIX = "cc_"


class AuthError(CorpCreditError):
    """Sign-in or token refused; the message never says which part was wrong."""

    code = "auth.invalid_credentials"
    http_status = 401


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    usci: str | None
    disabled: bool


@dataclass(frozen=True)
class ApiToken:
    id: int
    label: str
    role: str
    usci: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    #: The account the token acts for (its watchlists, its name in the audit chain), if any.
    account_id: int | None = None


def _now(at: datetime | None) -> datetime:
    return at or datetime.now(UTC)


def _check_binding(conn: Connection, role: str, usci: str | None) -> None:
    if role not in ACCOUNT_ROLES:
        raise CorpCreditError(f"unknown role {role!r}", code="account.invalid", http_status=422)
    if (role == "representative") != (usci is not None):
        raise CorpCreditError(
            "a representative is bound to one USCI; other roles to none",
            code="account.invalid",
            http_status=422,
        )
    if usci is not None:
        found = conn.execute(sa.select(entities.c.usci).where(entities.c.usci == usci)).first()
        if found is None:
            raise NotFound(f"no organisation {usci} in the registry", code="account.invalid")


def _account(row: sa.RowMapping) -> Account:
    return Account(row["id"], row["username"], row["role"], row["usci"], bool(row["disabled"]))


def create_account(
    engine: Engine, username: str, password: str, role: str, *, actor: str,
    usci: str | None = None, at: datetime | None = None,
) -> Account:  # fmt: skip
    """A new account; the password is hashed with argon2id."""
    if not _USERNAME.match(username):
        raise CorpCreditError(
            "a username has 1–64 letters, digits, '.', '_', '@' or '-'",
            code="account.invalid",
            http_status=422,
        )
    if len(password) < MIN_PASSWORD:
        raise CorpCreditError(
            f"a password needs at least {MIN_PASSWORD} characters",
            code="account.weak_password",
            http_status=422,
        )
    at = _now(at)
    with begin_write(engine) as conn:
        _check_binding(conn, role, usci)
        taken = conn.execute(sa.select(accounts.c.id).where(accounts.c.username == username))
        if taken.first() is not None:
            raise CorpCreditError(f"the username {username!r} is taken", code="account.exists")
        new_id = conn.execute(
            accounts.insert()
            .values(
                username=username, password_hash=_HASHER.hash(password), role=role, usci=usci,
                disabled=False, failed_logins=0, created_at=at, updated_at=at,
            )
            .returning(accounts.c.id)
        ).scalar_one()  # fmt: skip
        audit.append(conn, actor, "account.create", "account", username,
                     {"role": role, "usci": usci}, at=at)  # fmt: skip
    return Account(int(new_id), username, role, usci, False)


def authenticate(
    engine: Engine, username: str, password: str, *, at: datetime | None = None
) -> Account:
    """The account, if the password is right and the account neither disabled nor locked."""
    now = _now(at)
    with begin_write(engine) as conn:
        row = (
            conn.execute(sa.select(accounts).where(accounts.c.username == username))
            .mappings()
            .first()
        )
        if row is None:
            _verify(_dummy_hash(), password)  # the same work, so timing tells nothing
            raise AuthError("wrong username or password")
        if row["locked_until"] is not None and row["locked_until"] > now:
            raise AuthError(
                "too many wrong passwords: try again later",
                code="auth.locked",
                http_status=429,
                details={"locked_until": row["locked_until"].isoformat()},
            )
        ok = _verify(row["password_hash"], password)
        where = accounts.c.id == row["id"]
        if ok and not row["disabled"]:
            values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
            if _HASHER.check_needs_rehash(row["password_hash"]):
                values["password_hash"] = _HASHER.hash(password)
            conn.execute(accounts.update().where(where).values(**values))
            return _account(row)
        failures = row["failed_logins"] + (0 if ok else 1)
        locked = now + LOCKOUT if failures >= MAX_FAILURES else None
        conn.execute(
            accounts.update()
            .where(where)
            .values(failed_logins=0 if locked else failures, locked_until=locked, updated_at=now)
        )
    raise AuthError("wrong username or password")  # after the commit: the count sticks


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def disable_account(
    engine: Engine, username: str, *, actor: str, at: datetime | None = None
) -> None:
    at = _now(at)
    with begin_write(engine) as conn:
        done = conn.execute(
            accounts.update().where(accounts.c.username == username)
            .values(disabled=True, updated_at=at)
        )  # fmt: skip
        if done.rowcount != 1:
            raise NotFound(f"no account {username!r}", code="account.not_found")
        audit.append(conn, actor, "account.disable", "account", username, {}, at=at)


def list_accounts(conn: Connection) -> list[Account]:
    rows = conn.execute(sa.select(accounts).order_by(accounts.c.username)).mappings()
    return [_account(r) for r in rows]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    engine: Engine, label: str, role: str | None = None, *, actor: str,
    usci: str | None = None, account: str | None = None,
    expires_at: datetime | None = None, at: datetime | None = None,
) -> tuple[str, ApiToken]:  # fmt: skip
    """A new token: the plain token (show it once; it is not stored) and its record.

    With ``account`` (a username) the token acts for that account and takes its
    role and organisation; otherwise ``role`` (and ``usci`` for a representative)
    are given directly.
    """
    at = _now(at)
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    with begin_write(engine) as conn:
        account_id = None
        if account is not None:
            row = conn.execute(
                sa.select(accounts).where(accounts.c.username == account)
            ).mappings().first()  # fmt: skip
            if row is None or row["disabled"]:
                raise NotFound(f"no active account {account!r}", code="account.not_found")
            if role not in (None, row["role"]) or usci not in (None, row["usci"]):
                raise CorpCreditError(
                    "a token for an account takes the account's role and organisation",
                    code="account.invalid",
                    http_status=422,
                )
            account_id, role, usci = int(row["id"]), row["role"], row["usci"]
        if role is None:
            raise CorpCreditError(
                "give a role or an account", code="account.invalid", http_status=422
            )
        _check_binding(conn, role, usci)
        new_id = conn.execute(
            api_tokens.insert()
            .values(token_sha256=_token_hash(token), label=label, role=role, usci=usci,
                    account_id=account_id, created_at=at, expires_at=expires_at)
            .returning(api_tokens.c.id)
        ).scalar_one()  # fmt: skip
        audit.append(conn, actor, "token.create", "api_token", str(new_id),
                     {"label": label, "role": role, "usci": usci, "account": account},
                     at=at)  # fmt: skip
    return token, ApiToken(int(new_id), label, role, usci, expires_at, None, account_id)


def authenticate_token(engine: Engine, token: str, *, at: datetime | None = None) -> ApiToken:
    """The token's record, if it exists, is not revoked and has not expired."""
    now = _now(at)
    with begin_write(engine) as conn:
        row = conn.execute(
            sa.select(api_tokens).where(api_tokens.c.token_sha256 == _token_hash(token))
        ).mappings().first()  # fmt: skip
        if (
            row is None
            or row["revoked_at"] is not None
            or (row["expires_at"] is not None and row["expires_at"] <= now)
            or (row["account_id"] is not None and _account_disabled(conn, row["account_id"]))
        ):
            raise AuthError("unknown, revoked or expired token", code="auth.invalid_token")
        conn.execute(
            api_tokens.update().where(api_tokens.c.id == row["id"]).values(last_used_at=now)
        )
    return ApiToken(
        row["id"], row["label"], row["role"], row["usci"], row["expires_at"], None,
        row["account_id"],
    )  # fmt: skip


def _account_disabled(conn: Connection, account_id: int) -> bool:
    q = sa.select(accounts.c.disabled).where(accounts.c.id == account_id)
    return bool(conn.execute(q).scalar_one_or_none() in (True, None))


def list_tokens(conn: Connection) -> list[ApiToken]:
    """Every token ever created (revoked ones too), newest first; never the token itself."""
    rows = conn.execute(sa.select(api_tokens).order_by(api_tokens.c.id.desc())).mappings()
    return [
        ApiToken(r["id"], r["label"], r["role"], r["usci"], r["expires_at"], r["revoked_at"],
                 r["account_id"])
        for r in rows
    ]  # fmt: skip


def revoke_token(engine: Engine, token_id: int, *, actor: str, at: datetime | None = None) -> None:
    at = _now(at)
    with begin_write(engine) as conn:
        done = conn.execute(
            api_tokens.update()
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        if done.rowcount != 1:
            raise NotFound(f"no active token {token_id}", code="token.not_found")
        audit.append(conn, actor, "token.revoke", "api_token", str(token_id), {}, at=at)

"""Who is asking, and may they: principals, access declarations, CSRF.

Two ways to be someone other than the anonymous public:

- **Machines** send ``Authorization: Bearer cc_…`` (an API token, see
  :mod:`corpcredit.cases.accounts`). Tokens are accepted by the API only.
- **People** sign in on ``/sign-in`` and carry a session cookie
  (:data:`SESSION_COOKIE`: HttpOnly, SameSite=Lax, Secure over HTTPS). Sessions
  are accepted by the pages only, so a cookie can never drive the API from
  another site, and every form a signed-in page posts carries the session's CSRF
  token, checked by :func:`check_csrf`. The sign-in form itself, before there is
  a session, uses a double-submit token (:data:`LOGIN_CSRF_COOKIE`).

Every route declares who may use it with one of the :class:`Access` dependencies
(:data:`PUBLIC`, :data:`SIGNED_IN`, :data:`REPRESENTATIVE`, :data:`REVIEWER`,
:data:`OPERATOR`, :data:`CASEWORKER`); the route-matrix test reads these
declarations and proves each refusal is a 401 (no one signed in) or a 403
(signed in, wrong role). A representative may further only reach its own
organisation: :func:`require_own`.

Anonymous requests cost nothing here: without a cookie or an ``Authorization``
header no database work is done.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from corpcredit.cases.accounts import AuthError, authenticate_token
from corpcredit.cases.sessions import Session, open_session
from corpcredit.errors import CorpCreditError
from corpcredit.repair.case import Actor

__all__ = [
    "ANONYMOUS",
    "CASEWORKER",
    "LOGIN_CSRF_COOKIE",
    "OPERATOR",
    "PUBLIC",
    "REPRESENTATIVE",
    "REVIEWER",
    "ROLES",
    "SESSION_COOKIE",
    "SIGNED_IN",
    "Access",
    "CsrfRejected",
    "Forbidden",
    "NotSignedIn",
    "Principal",
    "check_csrf",
    "current_principal",
    "login_csrf_token",
    "require_own",
]

SESSION_COOKIE = "cc_session"
LOGIN_CSRF_COOKIE = "cc_login_csrf"
#: Every role, the anonymous public first.
ROLES = ("public", "representative", "reviewer", "operator")
Via = Literal["anonymous", "session", "token"]


class NotSignedIn(CorpCreditError):
    code = "auth.required"
    http_status = 401


class Forbidden(CorpCreditError):
    code = "auth.forbidden"
    http_status = 403


class CsrfRejected(CorpCreditError):
    code = "auth.csrf"
    http_status = 403


@dataclass(frozen=True)
class Principal:
    """Who a request comes from. ``name`` is how the audit chain names them."""

    role: str
    name: str | None = None
    usci: str | None = None
    account_id: int | None = None
    via: Via = "anonymous"
    session: Session | None = None

    @property
    def signed_in(self) -> bool:
        return self.role != "public"

    @property
    def username(self) -> str | None:
        return self.session.account.username if self.session is not None else None

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session is not None else ""

    def actor(self) -> Actor:
        """The case-workflow actor (representatives and reviewers act on cases)."""
        if self.role not in ("representative", "reviewer") or self.name is None:
            raise Forbidden("only representatives and reviewers act on cases")
        return Actor(self.name, self.role, self.usci)  # type: ignore[arg-type]


ANONYMOUS = Principal("public")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(
            "send an API token as 'Authorization: Bearer <token>'", code="auth.invalid_token"
        )
    return token.strip()


def _resolve(request: Request) -> Principal:
    engine = request.app.state.web.engine
    if request.url.path.startswith("/api/"):
        token = _bearer(request)
        if token is None:
            return ANONYMOUS
        info = authenticate_token(engine, token)
        name = f"token:{info.id}"
        return Principal(info.role, name, info.usci, info.account_id, "token")
    value = request.cookies.get(SESSION_COOKIE)
    session = open_session(engine, value) if value else None
    if session is None:
        return ANONYMOUS
    a = session.account
    return Principal(a.role, a.username, a.usci, a.id, "session", session)


async def current_principal(request: Request) -> Principal:
    """The request's principal, resolved once per request (no database work when anonymous)."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    api = request.url.path.startswith("/api/")
    has_credentials = (
        "authorization" in request.headers if api else SESSION_COOKIE in request.cookies
    )
    who = await run_in_threadpool(_resolve, request) if has_credentials else ANONYMOUS
    request.state.principal = who
    return who


class Access:
    """A route's declaration of who may use it (a FastAPI dependency giving the principal)."""

    def __init__(self, *roles: str) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise ValueError(f"unknown roles {sorted(unknown)}")
        self.roles = frozenset(roles)

    def __repr__(self) -> str:
        return f"Access({', '.join(sorted(self.roles))})"

    def allows(self, role: str) -> bool:
        return "public" in self.roles or role in self.roles

    async def __call__(self, request: Request) -> Principal:
        who = await current_principal(request)
        if self.allows(who.role):
            return who
        if not who.signed_in:
            raise NotSignedIn("sign in first: this page is not public")
        raise Forbidden(f"a {who.role} may not use this")


PUBLIC = Access("public")
SIGNED_IN = Access("representative", "reviewer", "operator")
REPRESENTATIVE = Access("representative")
REVIEWER = Access("reviewer")
OPERATOR = Access("operator")
#: Who works on a case: the organisation's representative and the reviewers.
CASEWORKER = Access("representative", "reviewer")


def require_own(who: Principal, usci: str) -> None:
    """Refuse a representative anything about another organisation (403)."""
    if who.role == "representative" and who.usci != usci:
        raise Forbidden("a representative sees only its own organisation")


def check_csrf(request: Request, who: Principal, sent: str | None) -> None:
    """The CSRF check of a form posted from a signed-in page."""
    expected = who.csrf_token
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfRejected("the form has expired or did not come from this site: reload and retry")


def login_csrf_token(request: Request) -> str:
    """The sign-in form's double-submit token: the cookie's, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)

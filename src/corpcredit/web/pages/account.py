"""Signing in and out, and the signed-in person's own page.

``/sign-in`` takes a username and password (argon2id hashes, lockout after
repeated failures: :func:`corpcredit.cases.accounts.authenticate`) and sets the
session cookie; ``/sign-out`` ends the session. ``/account`` is where each role
starts: a representative sees its organisation as the registry holds it (minor
and unpublished records too), its cases, and links to the repair planner; a
reviewer the desk; an operator the accounts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from corpcredit.cases.accounts import AuthError, authenticate, list_accounts, list_tokens
from corpcredit.cases.desk import organisation_cases
from corpcredit.cases.objections import disputed_records
from corpcredit.cases.sessions import SESSION_LIFETIME, end_session, start_session
from corpcredit.services.lookup import entity_view
from corpcredit.web.auth import (
    LOGIN_CSRF_COOKIE,
    PUBLIC,
    SESSION_COOKIE,
    SIGNED_IN,
    CsrfRejected,
    Principal,
    check_csrf,
    login_csrf_token,
)
from corpcredit.web.pages.render import render
from corpcredit.web.state import web_state

__all__ = ["router", "safe_next"]

router = APIRouter()
_NO_STORE = {"Cache-Control": "private, no-store"}


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/account"


def _sign_in_page(
    request: Request, next_url: str, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    token = login_csrf_token(request)
    response = render(
        request,
        "sign_in.html",
        {"csrf_token": token, "next_url": next_url, "error": error},
        status_code=status_code,
        headers=_NO_STORE,
    )
    secure = request.url.scheme == "https"
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/sign-in"
    )
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    _: Annotated[Principal, Depends(PUBLIC)],
    next: str | None = None,
) -> Response:
    return _sign_in_page(request, safe_next(next))


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    _: Annotated[Principal, Depends(PUBLIC)],
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/account",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not csrf_token or cookie != csrf_token:
        raise CsrfRejected("the sign-in form has expired: reload the page and try again")
    engine = web_state(request).engine
    try:
        account = authenticate(engine, username.strip(), password)
    except AuthError as exc:
        key = "account.locked" if exc.code == "auth.locked" else "account.wrong_password"
        return _sign_in_page(request, safe_next(next), key, status_code=exc.http_status)
    value, _session = start_session(engine, account)
    response = RedirectResponse(safe_next(next), status_code=303, headers=_NO_STORE)
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out")
def sign_out(
    request: Request,
    who: Annotated[Principal, Depends(SIGNED_IN)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_csrf(request, who, csrf_token)
    end_session(web_state(request).engine, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/", status_code=303, headers=_NO_STORE)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, who: Annotated[Principal, Depends(SIGNED_IN)]) -> Response:
    state = web_state(request)
    context: dict[str, object] = {"who": who, "view": None, "cases": [], "disputed": set()}
    with state.engine.connect() as conn:
        if who.role == "representative" and who.usci is not None:
            context["view"] = entity_view(
                conn, who.usci, as_of=state.clock(), cat=state.catalogue, public=False
            )
            context["cases"] = organisation_cases(conn, [who.usci], web_state(request).clock())
            context["disputed"] = {
                (r.source, r.record_id) for r in disputed_records(conn, [who.usci])
            }
        if who.role == "operator":
            context["accounts"] = list_accounts(conn)
            context["tokens"] = list_tokens(conn)
    return render(request, "account.html", context, headers=_NO_STORE)

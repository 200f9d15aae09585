"""Signing in and out, session cookies, lockout, CSRF, API tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from corpcredit.cases.accounts import MAX_FAILURES, disable_account, revoke_token
from corpcredit.web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from corpcredit.web.pages.account import safe_next
from tests.cases.registry import ORG
from tests.web.due_process import PASSWORD, DueProcess, build, csrf_of, page_csrf, sign_in


@pytest.fixture
def dp(engine: Engine, tmp_path: Path) -> DueProcess:
    return build(engine, tmp_path)


def _set_cookie(response, name: str) -> str:  # type: ignore[no-untyped-def]
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return str(header)
    raise AssertionError(f"no Set-Cookie for {name}")


def test_sign_in_sets_a_hardened_session_cookie_and_lands_on_the_account(dp: DueProcess) -> None:
    c = dp.client()
    r = sign_in(c, "rep21")
    assert r.status_code == 303 and r.headers["location"] == "/account"
    cookie = _set_cookie(r, SESSION_COOKIE).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    page = c.get("/account")
    assert page.status_code == 200
    assert "rep21" in page.text and ORG in page.text
    assert page.headers["cache-control"] == "private, no-store"


def test_over_https_the_session_cookie_is_secure(dp: DueProcess) -> None:
    r = sign_in(dp.client(https=True), "staff1")
    assert r.status_code == 303
    assert "secure" in _set_cookie(r, SESSION_COOKIE).lower()


def test_the_sign_in_form_needs_its_double_submit_token(dp: DueProcess) -> None:
    c = dp.client()
    form = c.get("/sign-in")
    assert LOGIN_CSRF_COOKIE in form.cookies
    token = csrf_of(form.text)
    c.cookies.clear()  # another site's form: it cannot read or send our cookie
    r = c.post("/sign-in", data={"username": "rep21", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 403 and "auth.csrf" in r.text
    assert SESSION_COOKIE not in r.cookies


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(dp: DueProcess) -> None:
    c = dp.client()
    for name in ("rep21", "nobody"):
        r = sign_in(c, name, "wrong password here")
        assert r.status_code == 401
        assert "用户名或密码不正确" in r.text
        assert SESSION_COOKIE not in r.cookies
    assert c.get("/account").status_code == 401


def test_repeated_failures_lock_the_account_even_for_the_right_password(dp: DueProcess) -> None:
    c = dp.client()
    assert MAX_FAILURES == 5
    for _ in range(MAX_FAILURES):
        assert sign_in(c, "staff1", "not the password!").status_code == 401
    r = sign_in(c, "staff1")
    assert r.status_code == 429
    assert "锁定" in r.text
    assert SESSION_COOKIE not in r.cookies


def test_sign_out_needs_the_csrf_token_and_ends_the_session(dp: DueProcess) -> None:
    c = dp.signed_in("staff1")
    assert c.post("/sign-out", data={"csrf_token": "forged"}).status_code == 403
    assert c.get("/account").status_code == 200
    token = page_csrf(c)
    r = c.post("/sign-out", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/"
    # The old cookie value no longer works, even if a browser kept it.
    stale = dp.client()
    stale.cookies.set(SESSION_COOKIE, c.cookies.get(SESSION_COOKIE) or "gone")
    assert stale.get("/account").status_code == 401


def test_disabling_an_account_ends_its_sessions_and_tokens_at_once(dp: DueProcess) -> None:
    c = dp.signed_in("rep21")
    api = dp.client()
    headers = {"Authorization": f"Bearer {dp.tokens['rep21']}"}
    assert api.get(f"/api/v1/entities/{ORG}", headers=headers).status_code == 200
    disable_account(dp.engine, "rep21", actor="operator:test")
    assert c.get("/account").status_code == 401
    assert api.get(f"/api/v1/entities/{ORG}", headers=headers).status_code == 401


def test_api_tokens_bad_revoked_and_malformed_are_401(dp: DueProcess) -> None:
    c = dp.client()
    for header in ("Bearer cc_not_a_token", "Basic dXNlcjpwYXNz", "Bearer "):
        r = c.get("/api/v1/catalogue", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.json()["error"]["code"] == "auth.invalid_token"
    revoke_token(dp.engine, 1, actor="operator:test")
    r = c.get("/api/v1/catalogue", headers={"Authorization": f"Bearer {dp.tokens['rep21']}"})
    assert r.status_code == 401


def test_a_session_cookie_does_not_authenticate_the_api(dp: DueProcess) -> None:
    """Cookies never drive the API, so no other site can use a signed-in browser."""
    c = dp.signed_in("ops1")
    assert c.get("/account").status_code == 200
    assert c.get("/api/v1/catalogue").status_code == 200  # public: fine, as anonymous
    assert "ops1" not in c.get("/api/v1/catalogue").text


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/desk", "/desk"),
        ("/cases/repair/x?y=1", "/cases/repair/x?y=1"),
        ("//evil.example/", "/account"),
        ("https://evil.example/", "/account"),
        ("/\\evil.example", "/account"),
        ("", "/account"),
        (None, "/account"),
    ],
)
def test_after_sign_in_only_paths_on_this_site_are_followed(
    given: str | None, expected: str
) -> None:
    assert safe_next(given) == expected


def test_sign_in_returns_to_the_page_asked_for(dp: DueProcess) -> None:
    c = dp.client()
    refused = c.get("/desk")
    assert refused.status_code == 401 and "/sign-in?next=/desk" in refused.text
    r = sign_in(c, "staff1", next_url="/desk")
    assert r.headers["location"] == "/desk"
    assert c.get("/desk").status_code == 200

"""A served registry for the due-process pages: the case registry, four accounts, tokens.

Built on the ``engine`` fixture (SQLite and a real PostgreSQL server), with the
clock fixed on Friday 26 September 2025, before National Day, as in
``tests/cases/registry.py``. Signing in goes through the real ``/sign-in`` form.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from corpcredit.cases.accounts import create_account, create_token
from corpcredit.settings import Settings
from corpcredit.web import create_app
from tests.cases.registry import FRIDAY, ORG, OTHER, seed

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery staple"
#: username → (role, organisation)
ACCOUNTS = {
    "rep21": ("representative", ORG),
    "rep22": ("representative", OTHER),
    "staff1": ("reviewer", None),
    "ops1": ("operator", None),
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class DueProcess:
    engine: Engine
    app: FastAPI
    evidence_dir: Path
    tokens: dict[str, str] = field(default_factory=dict)  # username → API token

    def client(self, https: bool = False) -> TestClient:
        base = "https://testserver" if https else "http://testserver"
        return TestClient(self.app, base_url=base, follow_redirects=False)

    def signed_in(self, username: str, https: bool = False) -> TestClient:
        c = self.client(https)
        sign_in(c, username)
        return c


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


def sign_in(c: TestClient, username: str, password: str = PASSWORD, next_url: str = "/account"):  # type: ignore[no-untyped-def]
    form = c.get("/sign-in")
    assert form.status_code == 200
    return c.post(
        "/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text),
              "next": next_url},
    )  # fmt: skip


def page_csrf(c: TestClient, path: str = "/account") -> str:
    r = c.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return csrf_of(r.text)


def build(
    engine: Engine, tmp: Path, *, on: date = FRIDAY, calendar_notices: Path | None = None
) -> DueProcess:
    seed(engine)
    d = DueProcess(engine, FastAPI(), tmp / "evidence")
    for username, (role, usci) in ACCOUNTS.items():
        create_account(engine, username, PASSWORD, role, actor="operator:test", usci=usci)
        token, _ = create_token(
            engine, f"{username} robot", actor="operator:test", account=username
        )
        d.tokens[username] = token
    d.app = build_app(d, on, calendar_notices)
    return d


def build_app(d: DueProcess, on: date, calendar_notices: Path | None = None) -> FastAPI:
    """Another app over the same registry (another day, another calendar)."""
    settings = Settings(
        database_url=d.engine.url.render_as_string(hide_password=False),
        evidence_dir=d.evidence_dir,
        rate_limit_per_minute=1_000_000,
        calendar_notices=calendar_notices,
    )
    return create_app(settings, engine=d.engine, clock=lambda: on)

"""A served registry for the screening and monitoring endpoints: accounts, tokens, the app.

Built on the ``engine`` fixture (SQLite and a real PostgreSQL server) from the
screening registry (the worked example plus a firm with English and former
names). Each account has an API token bound to it; ``robot`` is a token bound to
no account. The candidate index is kept under the test's temporary directory.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from corpcredit.cases.accounts import create_account, create_token
from corpcredit.screening import LiveIndex
from corpcredit.settings import Settings
from corpcredit.web import create_app
from tests.screening.registry import GATE, screening_registry
from tests.services.test_lookup_registry import Registry
from tests.web.due_process import PASSWORD, sign_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

__all__ = ["ACCOUNTS", "Served", "serve"]

#: username → (role, organisation)
ACCOUNTS = {
    "buyer": ("reviewer", None),
    "ops": ("operator", None),
    "rep": ("representative", GATE),
}


@dataclass
class Served:
    engine: Engine
    app: FastAPI
    registry: Registry
    tokens: dict[str, str] = field(default_factory=dict)  # username → API token

    def client(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False, raise_server_exceptions=False)

    def api(self, username: str) -> TestClient:
        """A client sending ``username``'s token (``robot``: a token of no account)."""
        c = self.client()
        c.headers["Authorization"] = f"Bearer {self.tokens[username]}"
        return c

    def signed_in(self, username: str) -> TestClient:
        c = self.client()
        assert sign_in(c, username).status_code == 303
        return c


def serve(engine: Engine, tmp: Path) -> Served:
    registry = screening_registry(engine)
    tokens = {}
    for username, (role, usci) in ACCOUNTS.items():
        create_account(engine, username, PASSWORD, role, actor="operator:test", usci=usci)
        tokens[username], _ = create_token(
            engine, f"{username} robot", actor="operator:test", account=username
        )
    tokens["robot"], _ = create_token(engine, "robot", "reviewer", actor="operator:test")
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        rate_limit_per_minute=1_000_000,
        webhook_allow_private=True,  # the tests' receivers listen on loopback
    )
    app = create_app(settings, engine=engine)
    app.state.screening = LiveIndex(tmp / "index")
    return Served(engine, app, registry, tokens)

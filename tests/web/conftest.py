"""Fixtures for the site's tests: one small registry per session, an app over it.

The registry is read-only for these tests, so it is built once (on SQLite; the
PostgreSQL smoke test builds its own). ``client`` talks to the app in process;
``live_server`` runs the same app under uvicorn on a free loopback port for the
browser tests.
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from corpcredit.settings import Settings
from corpcredit.store import create_engine_for, upgrade
from corpcredit.web import create_app
from tests.web.site_registry import Site, build_site

with warnings.catch_warnings():
    # Starlette warns that its TestClient should move from httpx to httpx2, which is
    # not a dependency of this project; the client itself works as documented.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

__all__ = ["TestClient"]

GENEROUS = 1_000_000  # requests per minute: the rate limit never interferes


@pytest.fixture(scope="session")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Site]:
    """The URL of a SQLite registry built by :func:`build_site`, and its facts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('site') / 'registry.db'}"
    engine = create_engine_for(url)
    try:
        upgrade(engine)
        site = build_site(engine)
    finally:
        engine.dispose()
    return url, site


@pytest.fixture(scope="session")
def site(site_db: tuple[str, Site]) -> Site:
    return site_db[1]


def make_app(url: str, per_minute: int = GENEROUS) -> FastAPI:
    return create_app(Settings(database_url=url, rate_limit_per_minute=per_minute))


@pytest.fixture(scope="session")
def app(site_db: tuple[str, Site]) -> FastAPI:
    return make_app(site_db[0])


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A fresh client (no cookies) on the session's app."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving an app in a background thread on 127.0.0.1."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

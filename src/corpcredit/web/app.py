"""The web application: REST API under ``/api/v1`` and server-rendered pages, one process.

:func:`create_app` takes the settings (STYLE.md rule 7), opens the registry once
and wires the layers from the outside in: the hottest public reads answered in
front of everything (:class:`~corpcredit.web.cache.KeptAnswers`), rate limit per
client address, ETag and Cache-Control on successful reads, the one error
mapping, then the API and page routers and the static files.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from corpcredit import __version__
from corpcredit.calendar import DEFAULT_CALENDAR, load_notices
from corpcredit.catalogue import default_catalogue, load_catalogue
from corpcredit.settings import Settings, get_settings
from corpcredit.store import connect
from corpcredit.web import api, pages
from corpcredit.web.cache import KeptAnswers, ResponseCache
from corpcredit.web.clock import today
from corpcredit.web.connection import KeptConnection
from corpcredit.web.errors import install_error_handlers
from corpcredit.web.etag import ETagMiddleware
from corpcredit.web.pages.render import make_templates
from corpcredit.web.ratelimit import RateLimitMiddleware, TokenBuckets
from corpcredit.web.state import WebState

__all__ = ["create_app"]

_STATIC = Path(__file__).with_name("static")

_DESCRIPTION = """\
The public, read-only API of the corpcredit registry of organisations (keyed by the
18-character Unified Social Credit Identifier). Everything here is what DOMAIN.md §7
calls public: no minor, repaired, expired or withdrawn records, and nothing about
individual businesses (natural persons) beyond name and identifier.

* Errors: `{"error": {"code": "...", "message": "...", ...}}` with stable codes.
* Paging: `page` (1-based) and `per_page` (at most 50). A page beyond the last is
  answered with an empty list and the same totals, not an error.
* Caching: every successful read carries an `ETag`; send it back in
  `If-None-Match` to get `304 Not Modified`.
* Anonymous clients are rate-limited per address; over the limit the answer is
  `429` with `Retry-After` in seconds.
"""


class _Site(FastAPI):
    """FastAPI with one layer in front of all of its own (:class:`KeptAnswers`)."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.front is None:
            await super().__call__(scope, receive, send)
        else:
            await self.front(scope, receive, send)

    async def routed(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app without the layer in front: FastAPI's layers, ours, the routes."""
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Callable[[], date] | None = None,
) -> FastAPI:
    """The app serving ``settings.database_url`` (upgraded to the current schema).

    ``engine`` lets a caller that already holds one (tests, ``corpcredit demo``)
    share it; otherwise one is opened here and disposed of on shutdown. ``clock``
    gives today's date for case steps (default: today in China).
    """
    settings = settings or get_settings()
    owned = engine is None
    engine = engine or connect(settings)
    cat = (
        default_catalogue()
        if settings.catalogue_path is None
        else load_catalogue(settings.catalogue_path)
    )

    answers = ResponseCache(engine, settings.response_cache_entries)
    reads = KeptConnection(engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        answers.close()
        reads.close()
        if owned:
            engine.dispose()

    app = _Site(
        title="corpcredit",
        version=__version__,
        description=_DESCRIPTION,
        openapi_url=f"{api.API_PREFIX}/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        lifespan=lifespan,
    )
    cal = (
        DEFAULT_CALENDAR
        if settings.calendar_notices is None
        else load_notices(settings.calendar_notices)
    )
    app.state.web = WebState(
        settings,
        engine,
        cat,
        make_templates(),
        clock=clock or today,
        calendar=cal,
        answers=answers,
        reads=reads,
    )
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    buckets = TokenBuckets(settings.rate_limit_per_minute)
    app.add_middleware(ETagMiddleware)
    # Added last, so it runs first: a refused request costs no database work.
    app.add_middleware(
        RateLimitMiddleware, per_minute=settings.rate_limit_per_minute, buckets=buckets
    )
    # In front of all: the hottest public reads, counted and tagged there as here.
    app.front = KeptAnswers(
        app.routed,
        answers,
        api.direct_readers(reads, cat),
        prefix=f"{api.API_PREFIX}/",
        limit=buckets,
    )
    return app

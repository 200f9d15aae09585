"""What every request handler shares: settings, the engine, the catalogue, templates.

Built once by :func:`corpcredit.web.create_app` and kept on ``app.state.web``;
handlers reach it through the dependencies here, never through module globals.

The dependencies are ``async`` on purpose: they only read ``app.state``, and a
plain ``def`` dependency would cost a round trip through the thread pool on every
request. Handlers open their connection themselves (``with db.connect() as
conn``), inside the worker thread that runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import jinja2
from fastapi import Request
from sqlalchemy.engine import Engine

from corpcredit.calendar import DEFAULT_CALENDAR, WorkingCalendar
from corpcredit.catalogue import Catalogue
from corpcredit.settings import Settings
from corpcredit.web.cache import ResponseCache
from corpcredit.web.clock import today
from corpcredit.web.connection import KeptConnection

__all__ = ["WebState", "catalogue", "database", "response_cache", "web_state"]


@dataclass(frozen=True)
class WebState:
    settings: Settings
    engine: Engine
    catalogue: Catalogue
    templates: jinja2.Environment
    #: Answers that depend on nothing but this state, encoded once (the catalogue).
    constant: dict[str, bytes] = field(default_factory=dict)
    #: Today in China: the day case steps are dated (tests fix it).
    clock: Callable[[], date] = today
    #: Working days for case deadlines: the package's, plus any configured notices.
    calendar: WorkingCalendar = DEFAULT_CALENDAR
    #: Encoded public answers until the registry changes (off unless given).
    answers: ResponseCache | None = None
    #: The connection the reads answered on the event loop share (None: one each).
    reads: KeptConnection | None = None


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


async def catalogue(request: Request) -> Catalogue:
    """The rule catalogue in force (a FastAPI dependency)."""
    return web_state(request).catalogue


async def database(request: Request) -> Engine:
    """The registry's engine (a FastAPI dependency); connect inside the handler."""
    return web_state(request).engine


async def response_cache(request: Request) -> ResponseCache | None:
    """This process's cache of public answers (a FastAPI dependency); None when off."""
    kept = web_state(request).answers
    return kept if kept is not None and kept.enabled else None

"""``/watchlist``: the signed-in account's watched organisations and their recent events.

The page lists the watchlist, with a form to add an organisation by USCI (and an
optional label) and a button to remove each; below, the latest change events
and a link to ``/watchlist/events.atom``, the same events as an Atom feed under
the session cookie (a feed reader that cannot sign in can use
``/api/v1/events.atom`` with an API token in the ``Authorization`` header;
tokens are never put in URLs). Every form carries the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from corpcredit.errors import CorpCreditError
from corpcredit.monitoring import recent_events, unwatch, watch, watched
from corpcredit.store import begin_write
from corpcredit.web.api.events import FEED_ENTRIES, atom_response
from corpcredit.web.api.screen import NO_STORE
from corpcredit.web.api.watchlist import account_of
from corpcredit.web.auth import SIGNED_IN, Principal, check_csrf
from corpcredit.web.pages.render import render
from corpcredit.web.state import web_state

__all__ = ["PAGE_EVENTS", "router"]

router = APIRouter()

#: Events shown on the page (the feed holds more).
PAGE_EVENTS = 20


def _page(
    request: Request, who: Principal, error: CorpCreditError | None = None, status_code: int = 200
) -> HTMLResponse:
    acc = account_of(who)
    with web_state(request).engine.connect() as conn:
        entries = watched(conn, acc)
        events = recent_events(conn, acc, limit=PAGE_EVENTS)
    return render(
        request,
        "watchlist.html",
        {"who": who, "entries": entries, "events": list(reversed(events)), "error": error},
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("/watchlist", response_class=HTMLResponse)
def watchlist_page(request: Request, who: Annotated[Principal, Depends(SIGNED_IN)]) -> Response:
    return _page(request, who)


@router.post("/watchlist/add", response_class=HTMLResponse)
def watchlist_add(
    request: Request,
    who: Annotated[Principal, Depends(SIGNED_IN)],
    usci: Annotated[str, Form(max_length=40)],
    label: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_csrf(request, who, csrf_token)
    acc = account_of(who)
    try:
        with begin_write(web_state(request).engine) as conn:
            watch(conn, acc, usci, label=label.strip() or None)
    except CorpCreditError as exc:
        if exc.http_status not in (404, 422):
            raise
        return _page(request, who, exc, exc.http_status)
    return RedirectResponse("/watchlist", status_code=303, headers=NO_STORE)


@router.post("/watchlist/remove")
def watchlist_remove(
    request: Request,
    who: Annotated[Principal, Depends(SIGNED_IN)],
    usci: Annotated[str, Form(max_length=40)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_csrf(request, who, csrf_token)
    with begin_write(web_state(request).engine) as conn:
        unwatch(conn, account_of(who), usci)
    return RedirectResponse("/watchlist", status_code=303, headers=NO_STORE)


@router.get("/watchlist/events.atom")
def watchlist_feed(request: Request, who: Annotated[Principal, Depends(SIGNED_IN)]) -> Response:
    acc = account_of(who)
    with web_state(request).engine.connect() as conn:
        events = recent_events(conn, acc, limit=FEED_ENTRIES)
    return atom_response(request, events, acc, "corpcredit: watchlist events")

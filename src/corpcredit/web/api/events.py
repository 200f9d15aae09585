"""``/api/v1/events``: change events of the organisations the token's account watches.

``GET /events?since=<id>`` pages forward through the events, oldest first; the
answer's ``next`` is the cursor for the following page (the last id returned, or
``since`` again when there is nothing new: poll with it). ``GET /events.atom`` is
the latest events as an Atom feed (RFC 4287) for clients that can send the bearer
token; a person's feed reader uses ``/watchlist/events.atom`` on the site instead,
under the session cookie. Tokens are never accepted in URLs: a URL ends up in
logs, histories and referrers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import JSONResponse, Response

from corpcredit.monitoring import MonitorEvent, atom_feed, list_events, recent_events
from corpcredit.web.api.screen import NO_STORE
from corpcredit.web.api.watchlist import AUTH_ERRORS, account_of
from corpcredit.web.auth import SIGNED_IN, Principal
from corpcredit.web.state import web_state

__all__ = ["FEED_ENTRIES", "atom_response", "router"]

router = APIRouter(tags=["monitoring"])

#: Entries in a feed: the latest events.
FEED_ENTRIES = 50
ATOM_MEDIA = "application/atom+xml; charset=utf-8"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventOut(_Out):
    id: int
    usci: str
    name: str
    kind: str
    detail: dict[str, Any]
    summary: str
    occurred_at: str


class EventPageOut(_Out):
    events: list[EventOut]
    next: int


@router.get("/events", response_model=EventPageOut, responses=AUTH_ERRORS)
def get_events(
    request: Request,
    who: Annotated[Principal, Depends(SIGNED_IN)],
    since: Annotated[
        int, Query(ge=0, description="The last event id seen (0: from the start)")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="Events per page")] = 100,
) -> Response:
    """The account's change events after `since`, oldest first: grade band moved, list
    entered or left, record published, repair decided, record withdrawn."""
    acc = account_of(who)
    with web_state(request).engine.connect() as conn:
        events = list_events(conn, acc, since=since, limit=limit)
    body = {"events": [e.to_json() for e in events], "next": events[-1].id if events else since}
    return JSONResponse(body, headers=NO_STORE)


def atom_response(
    request: Request, events: Sequence[MonitorEvent], account: int, title: str
) -> Response:
    """The events as an Atom document; entries link to the organisations' pages."""
    base = str(request.base_url).rstrip("/")
    xml = atom_feed(
        events,
        feed_id=f"urn:corpcredit:watchlist:{account}",
        title=title,
        self_url=str(request.url),
        entity_url=base + "/entities/{usci}",
        updated=datetime.now(UTC),
    )
    return Response(xml.encode("utf-8"), media_type=ATOM_MEDIA, headers=NO_STORE)


@router.get(
    "/events.atom",
    responses={**AUTH_ERRORS, 200: {"content": {"application/atom+xml": {}}}},
    response_class=Response,
)
def get_events_atom(request: Request, who: Annotated[Principal, Depends(SIGNED_IN)]) -> Response:
    """The account's latest 50 change events as an Atom feed, newest first."""
    acc = account_of(who)
    with web_state(request).engine.connect() as conn:
        events = recent_events(conn, acc, limit=FEED_ENTRIES)
    return atom_response(request, events, acc, "corpcredit: watchlist events")

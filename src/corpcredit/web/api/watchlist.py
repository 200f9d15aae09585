"""``/api/v1/watchlist``: the organisations the token's account watches.

``GET /watchlist`` lists them; ``PUT /watchlist/{usci}`` adds one (``201`` when
added, ``200`` when it was there already; an optional ``{"label": …}``);
``DELETE /watchlist/{usci}`` removes one (``204``). Every rescore then emits the
changes of watched organisations as events (``/api/v1/events``). The token must
be bound to an account (``create_token(…, account=username)``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response

from corpcredit import ids
from corpcredit.errors import CorpCreditError, NotFound
from corpcredit.monitoring import Watched, unwatch, watch, watched
from corpcredit.store import begin_write
from corpcredit.web.api.common import ERRORS
from corpcredit.web.api.schemas import ErrorOut
from corpcredit.web.api.screen import NO_STORE
from corpcredit.web.auth import SIGNED_IN, Principal
from corpcredit.web.state import web_state

__all__ = ["AUTH_ERRORS", "account_of", "router", "watched_out"]

router = APIRouter(tags=["monitoring"])

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No API token (`auth.required`)"},
    403: {
        "model": ErrorOut,
        "description": "The token's role may not do this (`auth.forbidden`), or the token "
        "is not bound to an account (`monitoring.account_required`)",
    },
    429: ERRORS[429],
}


def account_of(who: Principal) -> int:
    """The signed-in account's id; a token made without an account has no watchlist."""
    if who.account_id is None:
        raise CorpCreditError(
            "this token is not bound to an account: watchlists, events and webhooks "
            "belong to accounts; use a token created for one",
            code="monitoring.account_required",
            http_status=403,
        )
    return who.account_id


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WatchedOut(_Out):
    usci: str
    name: str
    label: str | None
    added_at: str


class WatchlistOut(_Out):
    entries: list[WatchedOut]


class WatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, max_length=200, description="A note for the list")


def watched_out(w: Watched) -> dict[str, Any]:
    return {"usci": w.usci, "name": w.name, "label": w.label, "added_at": w.added_at.isoformat()}


@router.get("/watchlist", response_model=WatchlistOut, responses=AUTH_ERRORS)
def get_watchlist(request: Request, who: Annotated[Principal, Depends(SIGNED_IN)]) -> Response:
    """The organisations this account watches, in the order they were added."""
    acc = account_of(who)
    with web_state(request).engine.connect() as conn:
        entries = watched(conn, acc)
    return JSONResponse({"entries": [watched_out(w) for w in entries]}, headers=NO_STORE)


@router.put(
    "/watchlist/{usci}",
    response_model=WatchedOut,
    responses={**AUTH_ERRORS, 404: ERRORS[404], 422: ERRORS[422]},
)
def put_watchlist(
    usci: str,
    request: Request,
    who: Annotated[Principal, Depends(SIGNED_IN)],
    body: WatchIn | None = None,
) -> Response:
    """Watch an organisation (`201` when added, `200` when it was watched already;
    its label is then kept). Its present state is the baseline for change events."""
    acc = account_of(who)
    with begin_write(web_state(request).engine) as conn:
        added = watch(conn, acc, usci, label=body.label if body else None)
        code = ids.validate(usci)
        entry = next(watched_out(w) for w in watched(conn, acc) if w.usci == code)
    return JSONResponse(entry, status_code=201 if added else 200, headers=NO_STORE)


@router.delete(
    "/watchlist/{usci}",
    status_code=204,
    response_class=Response,
    responses={
        **AUTH_ERRORS,
        404: {"model": ErrorOut, "description": "Not on the watchlist (`watchlist.not_watched`)"},
        422: ERRORS[422],
    },
)
def delete_watchlist(
    usci: str, request: Request, who: Annotated[Principal, Depends(SIGNED_IN)]
) -> Response:
    """Stop watching an organisation (its events are no longer listed for this account)."""
    acc = account_of(who)
    with begin_write(web_state(request).engine) as conn:
        removed = unwatch(conn, acc, usci)
    if not removed:
        raise NotFound(f"{usci} is not on this watchlist", code="watchlist.not_watched")
    return Response(status_code=204, headers=NO_STORE)

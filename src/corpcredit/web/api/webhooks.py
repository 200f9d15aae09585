"""``/api/v1/webhooks``: where the token's account receives its change events.

``POST /webhooks`` registers a receiver URL. Each event is POSTed there as JSON,
signed: ``X-CorpCredit-Signature: sha256=<hex>`` is the HMAC-SHA256 of
``"<X-CorpCredit-Timestamp>.<body>"`` under the receiver's secret. Send your own
``secret`` (16–200 characters) or leave it out and keep the one in the answer: it
is shown this once. Failed deliveries are retried with exponential backoff and,
after the last attempt, parked; operators inspect them with
``GET /webhooks/parked``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response

from corpcredit.monitoring import MAX_ATTEMPTS, add_webhook, parked
from corpcredit.store import begin_write
from corpcredit.web.api.schemas import ErrorOut
from corpcredit.web.api.screen import NO_STORE
from corpcredit.web.api.watchlist import AUTH_ERRORS, account_of
from corpcredit.web.auth import OPERATOR, SIGNED_IN, Principal
from corpcredit.web.state import web_state

__all__ = ["router"]

router = APIRouter(tags=["monitoring"])


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000, description="An http(s) URL to POST to")
    secret: str | None = Field(
        default=None, description="The HMAC secret (16–200 characters); a random one if absent"
    )


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookOut(_Out):
    id: int
    url: str
    secret: str | None = Field(description="The generated secret, shown once (null if given)")
    max_attempts: int


class ParkedOut(_Out):
    id: int
    event_id: int
    url: str
    attempts: int
    last_status: int | None
    last_error: str | None


class ParkedListOut(_Out):
    parked: list[ParkedOut]


@router.post(
    "/webhooks",
    status_code=201,
    response_model=WebhookOut,
    responses={
        **AUTH_ERRORS,
        422: {
            "model": ErrorOut,
            "description": "Not an http(s) URL, or a secret of the wrong length "
            "(`monitoring.invalid_webhook`)",
        },
    },
)
def post_webhook(
    body: WebhookIn, request: Request, who: Annotated[Principal, Depends(SIGNED_IN)]
) -> Response:
    """Register a receiver for this account's change events."""
    acc = account_of(who)
    state = web_state(request)
    with begin_write(state.engine) as conn:
        hook_id, secret = add_webhook(
            conn, acc, body.url, secret=body.secret,
            allow_private=state.settings.webhook_allow_private,
        )  # fmt: skip
    answer = {
        "id": hook_id,
        "url": body.url,
        "secret": None if body.secret else secret,
        "max_attempts": MAX_ATTEMPTS,
    }
    return JSONResponse(answer, status_code=201, headers=NO_STORE)


@router.get("/webhooks/parked", response_model=ParkedListOut, responses=AUTH_ERRORS)
def get_parked(request: Request, who: Annotated[Principal, Depends(OPERATOR)]) -> Response:
    """Deliveries that failed every attempt, with the last status or error (operators).
    `corpcredit watch deliver --retry-parked` queues them again."""
    with web_state(request).engine.connect() as conn:
        rows = parked(conn)
    return JSONResponse({"parked": rows}, headers=NO_STORE)

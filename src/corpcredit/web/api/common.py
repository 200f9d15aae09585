"""Helpers every API router shares: the JSON answer, paging info, documented errors."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse, Response

from corpcredit.web.api.schemas import ErrorOut
from corpcredit.web.cache import CachedAnswer
from corpcredit.web.params import Paging

__all__ = ["ERRORS", "cached_response", "encode_json", "json_response", "page_info"]

#: Error answers every read may give, for the OpenAPI document.
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown organisation (`entity.not_found`)"},
    422: {
        "model": ErrorOut,
        "description": "Invalid input: a USCI failing a rule (`usci.*`, with position, "
        "expected and found), a bad date (`request.invalid_date`), a bad page "
        "(`request.invalid_page`), a search text over 200 characters "
        "(`request.query_too_long`)",
    },
    429: {
        "model": ErrorOut,
        "description": "Too many requests from this address (`rate_limited`); see Retry-After",
    },
}


#: What :class:`JSONResponse` renders with, built once (``json.dumps`` with options
#: builds an encoder on every call). The payloads are trees built afresh, never
#: cyclic, so the encoder does not look for cycles (the same bytes, a fifth faster).
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), check_circular=False
)


def encode_json(payload: Any) -> bytes:
    """The bytes :func:`json_response` sends for ``payload``."""
    return _ENCODER.encode(payload).encode("utf-8")


def json_response(payload: Any) -> JSONResponse:
    """UTF-8 JSON (Chinese as is, not escaped)."""
    return JSONResponse(payload)


def cached_response(answer: CachedAnswer) -> Response:
    """A JSON answer kept by :class:`~corpcredit.web.cache.ResponseCache`: the bytes
    :func:`json_response` gave, with the ETag the ETag middleware would compute."""
    return Response(answer.body, media_type=JSONResponse.media_type, headers={"etag": answer.etag})


def page_info(paging: Paging, total: int) -> dict[str, int]:
    """Where a page sits: beyond the last page it is empty, with the same totals."""
    return {
        "page": paging.page,
        "per_page": paging.per_page,
        "total": total,
        "pages": paging.pages(total),
    }

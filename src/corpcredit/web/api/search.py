"""``/api/v1/search?q=``: organisations by name (Chinese or English) or by USCI."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.engine import Engine
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from corpcredit.services.search import search
from corpcredit.web.api.common import ERRORS, cached_response, encode_json, page_info
from corpcredit.web.api.schemas import SearchPageOut, search_hit_out
from corpcredit.web.cache import CachedAnswer, Reader, ResponseCache, answer_key
from corpcredit.web.clock import today
from corpcredit.web.connection import KeptConnection
from corpcredit.web.params import MAX_QUERY, Paging, parse_paging, parse_query
from corpcredit.web.state import database, response_cache, web_state

__all__ = ["router", "search_answer", "search_reader"]

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchPageOut, responses=ERRORS)
async def get_search(
    request: Request,
    db: Annotated[Engine, Depends(database)],
    answers: Annotated[ResponseCache | None, Depends(response_cache)],
    q: Annotated[
        str | None,
        Query(description=f"A name, part of one, or a USCI; at most {MAX_QUERY} characters"),
    ] = None,
    page: Annotated[str | None, Query(description="1-based page")] = None,
    per_page: Annotated[str | None, Query(description="Hits per page, at most 50")] = None,
) -> Response:
    """Best matches first, each with grade and list flags (none for natural persons).
    A missing legal form (有限公司, Co., Ltd.) does not matter; an empty `q` finds nothing."""
    text, paging = parse_query(q), parse_paging(page, per_page)
    # The same bytes for everyone until the registry changes: kept in memory (anonymous
    # requests are answered before routing: KeptAnswers).
    key = answer_key(request.scope, today())
    kept, version = answers.get(key) if answers is not None else (None, None)
    if kept is not None:
        return cached_response(kept)
    body = search_answer(web_state(request).reads or db, text, paging)
    kept = answers.put(key, body, version) if answers is not None else None
    return cached_response(kept or CachedAnswer.of(body))


def search_answer(db: Engine | KeptConnection, text: str, paging: Paging) -> bytes:
    """The JSON of one page of hits. A few indexed reads (milliseconds): answered on the
    event loop rather than through the thread pool, whose hand-offs cost more than the
    search on a loaded server."""
    with db.connect() as conn:
        found = search(conn, text, limit=paging.per_page, offset=paging.offset)
    return encode_json(
        {
            "q": text,
            "matched_text": found.needle,
            "paging": page_info(paging, found.total),
            "hits": [search_hit_out(h) for h in found.hits],
        }
    )


def search_reader(db: Engine | KeptConnection) -> Reader:
    """:func:`search_answer` for ``GET /search``, answered before routing
    (:class:`~corpcredit.web.cache.KeptAnswers`); the parameters are read as the
    route reads them (the last of a repeated one counts)."""

    def read(rest: str, query: bytes, day: date) -> bytes | None:
        if rest:
            return None  # another resource: the routes answer
        params = QueryParams(query)
        text = parse_query(params.get("q"))
        return search_answer(db, text, parse_paging(params.get("page"), params.get("per_page")))

    return read

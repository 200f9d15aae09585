"""``/api/v1/search?q=``: organisations by name (Chinese or English) or by USCI."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import Response

from corpcredit.services.search import search
from corpcredit.web.api.common import ERRORS, cached_response, json_response, page_info
from corpcredit.web.api.schemas import SearchPageOut, search_hit_out
from corpcredit.web.cache import ResponseCache, answer_key
from corpcredit.web.clock import today
from corpcredit.web.params import MAX_QUERY, parse_paging, parse_query
from corpcredit.web.state import database, response_cache

__all__ = ["router"]

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
    text = parse_query(q)
    paging = parse_paging(page, per_page)
    # The same bytes for everyone until the registry changes: kept in memory.
    key = answer_key(request.scope, today())
    kept, version = answers.get(key) if answers is not None else (None, None)
    if kept is not None:
        return cached_response(kept)
    # A few indexed reads (milliseconds): answered here rather than through the
    # thread pool, whose hand-offs cost more than the search on a loaded server.
    with db.connect() as conn:
        found = search(conn, text, limit=paging.per_page, offset=paging.offset)
    response = json_response(
        {
            "q": text,
            "matched_text": found.needle,
            "paging": page_info(paging, found.total),
            "hits": [search_hit_out(h) for h in found.hits],
        }
    )
    if answers is not None:
        return cached_response(answers.put(key, bytes(response.body), version))
    return response

"""The home page (one search box) and the search results page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlalchemy.engine import Engine
from starlette.responses import HTMLResponse, RedirectResponse, Response

from corpcredit.services.search import search
from corpcredit.web.pages.render import render
from corpcredit.web.params import parse_paging, parse_query
from corpcredit.web.state import database

__all__ = ["router"]

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html", {})


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    db: Annotated[Engine, Depends(database)],
    q: str | None = None,
    page: str | None = None,
) -> Response:
    text = parse_query(q)
    paging = parse_paging(page, None)
    result = None
    if text:
        with db.connect() as conn:
            result = search(conn, text, limit=paging.per_page, offset=paging.offset)
    if result is not None and result.total == 1 and result.hits[0].matched == "usci":
        # An exact identifier has one answer: go straight to it.
        return RedirectResponse(f"/entities/{result.hits[0].usci}", status_code=303)

    def page_url(n: int) -> str:
        return "/search?" + urlencode({"q": text, "page": n})

    return render(
        request,
        "search.html",
        {"q": text, "result": result, "paging": paging, "page_url": page_url},
    )

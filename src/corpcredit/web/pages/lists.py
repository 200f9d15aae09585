"""The list pages: black, red and abnormal-operations lists with filters and CSV download."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlalchemy.engine import Engine
from starlette.responses import HTMLResponse

from corpcredit.catalogue import Catalogue
from corpcredit.services.lists import LISTS, list_members
from corpcredit.web.api.lists import member_out
from corpcredit.web.pages.render import render
from corpcredit.web.params import parse_day, parse_paging
from corpcredit.web.state import catalogue, database

__all__ = ["router"]

router = APIRouter()


@router.get("/lists", response_class=HTMLResponse)
@router.get("/lists/{which}", response_class=HTMLResponse)
def list_page(
    request: Request,
    db: Annotated[Engine, Depends(database)],
    cat: Annotated[Catalogue, Depends(catalogue)],
    which: str = "black",
    as_of: str | None = None,
    region: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    day = parse_day(as_of, "as_of")
    paging = parse_paging(page, None)
    region = (region or "").strip() or None
    with db.connect() as conn:
        result = list_members(
            conn,
            which,
            as_of=day,
            region=region,
            limit=paging.per_page,
            offset=paging.offset,
            cat=cat,
        )
    filters = {k: v for k, v in (("as_of", as_of), ("region", region)) if v}

    def page_url(n: int) -> str:
        return f"/lists/{which}?" + urlencode({**filters, "page": n})

    return render(
        request,
        "lists.html",
        {
            "which": which,
            "lists": LISTS,
            "as_of": day,
            "region": region or "",
            "total": result.total,
            "members": [member_out(m) for m in result.members],
            "paging": paging,
            "page_url": page_url,
            "csv_url": f"/api/v1/lists/{which}?" + urlencode({**filters, "format": "csv"}),
        },
    )

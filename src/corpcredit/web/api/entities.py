"""``/api/v1/entities/{usci}``: one organisation, its score history and its public records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.engine import Connection, Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from corpcredit import ids
from corpcredit.cases.objections import disputed_records
from corpcredit.catalogue import Catalogue
from corpcredit.services.lists import add_months
from corpcredit.services.lookup import EntityView, current_view, entity_view, history
from corpcredit.web.api.common import ERRORS, cached_response, json_response, page_info
from corpcredit.web.api.schemas import (
    EntityOut,
    HistoryOut,
    RecordPageOut,
    entity_out,
    history_point_out,
    record_out,
)
from corpcredit.web.cache import ResponseCache, answer_key
from corpcredit.web.clock import today
from corpcredit.web.params import parse_day, parse_known_at, parse_paging
from corpcredit.web.state import catalogue, database, response_cache

__all__ = ["HISTORY_YEARS", "router"]

router = APIRouter(tags=["entities"])

#: The default history range: this many years up to ``to``.
HISTORY_YEARS = 5

AsOf = Annotated[
    str | None,
    Query(
        description="Evaluation date YYYY-MM-DD (default: today in China)", examples=["2026-06-30"]
    ),
]
KnownAt = Annotated[
    str | None,
    Query(
        description="Knowledge time, ISO 8601: only what was recorded by then is seen "
        "(without an offset: China Standard Time)",
        examples=["2026-01-01T00:00:00+08:00"],
    ),
]
Db = Annotated[Engine, Depends(database)]
Cat = Annotated[Catalogue, Depends(catalogue)]
Answers = Annotated[ResponseCache | None, Depends(response_cache)]


@router.get("/entities/{usci}", response_model=EntityOut, responses=ERRORS)
async def get_entity(
    request: Request,
    usci: str,
    db: Db,
    cat: Cat,
    answers: Answers,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> Response:
    """Identity, head office and branches, score, grade, lists with their grounds, the
    top four reasons first among every contributing line, and the in-force public records."""
    day, known = parse_day(as_of, "as_of"), parse_known_at(known_at)
    if day is None and known is None:
        # Today's view: the same bytes for everyone until the registry changes, so kept
        # in memory; otherwise a few indexed reads of materialised tables, cheaper than
        # the hop through the thread pool, so answered here. The kernel never runs here.
        t = today()
        key = answer_key(request.scope, t)
        found, version = answers.get(key) if answers is not None else (None, None)
        if found is not None:
            return cached_response(found)
        with db.connect() as conn:
            current = current_view(conn, usci, cat, today=t)
            if current is not None:
                response = json_response(entity_out(current, disputed_keys(conn, current)))
                if answers is not None:
                    return cached_response(answers.put(key, bytes(response.body), version))
                return response
    return await run_in_threadpool(_entity, db, usci, day, known, cat)


def _entity(
    db: Engine, usci: str, day: date | None, known: datetime | None, cat: Catalogue
) -> Response:
    with db.connect() as conn:
        view = entity_view(conn, usci, as_of=day, known_at=known, cat=cat)
        disputed = disputed_keys(conn, view)
    return json_response(entity_out(view, disputed))


@router.get("/entities/{usci}/history", response_model=HistoryOut, responses=ERRORS)
def get_history(
    usci: str,
    db: Db,
    cat: Cat,
    start: Annotated[
        str | None,
        Query(alias="from", description=f"First day (default: {HISTORY_YEARS} years before `to`)"),
    ] = None,
    to: Annotated[str | None, Query(description="Last day (default: today in China)")] = None,
    known_at: KnownAt = None,
) -> Response:
    """Score, grade and list status as a timeline: one point per day on which they change."""
    end = parse_day(to, "to") or today()
    first = parse_day(start, "from") or _years_before(end, HISTORY_YEARS)
    known = parse_known_at(known_at)
    with db.connect() as conn:
        points = history(conn, usci, first, end, cat, known_at=known)
    return json_response(
        {
            "usci": ids.validate(usci),
            "from": first.isoformat(),
            "to": end.isoformat(),
            "points": [history_point_out(p) for p in points],
        }
    )


@router.get("/entities/{usci}/records", response_model=RecordPageOut, responses=ERRORS)
def get_records(
    usci: str,
    db: Db,
    cat: Cat,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    page: Annotated[str | None, Query(description="1-based page")] = None,
    per_page: Annotated[str | None, Query(description="Records per page, at most 50")] = None,
) -> Response:
    """The in-force public records (general and serious tiers, positive ones), newest first."""
    paging = parse_paging(page, per_page)
    day, known = parse_day(as_of, "as_of"), parse_known_at(known_at)
    with db.connect() as conn:
        view = entity_view(conn, usci, as_of=day, known_at=known, cat=cat)
        disputed = disputed_keys(conn, view)
    chunk = view.records[paging.offset : paging.offset + paging.per_page]
    return json_response(
        {
            "usci": view.identity.usci,
            "as_of": view.as_of.isoformat(),
            "paging": page_info(paging, len(view.records)),
            "records": [record_out(r, disputed) for r in chunk],
        }
    )


def disputed_keys(conn: Connection, view: EntityView) -> set[tuple[str, str]]:
    """The shown records with an open objection (DOMAIN.md §6: shown as disputed)."""
    if not view.records:
        return set()
    return {(r.source, r.record_id) for r in disputed_records(conn, [view.identity.usci])}


def _years_before(day: date, years: int) -> date:
    return add_months(day, -12 * years)

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
from corpcredit.web.api.common import (
    ERRORS,
    cached_response,
    encode_json,
    json_response,
    page_info,
)
from corpcredit.web.api.schemas import (
    EntityOut,
    HistoryOut,
    RecordPageOut,
    entity_out,
    history_point_out,
    record_out,
)
from corpcredit.web.cache import CachedAnswer, Reader, ResponseCache, answer_key
from corpcredit.web.clock import today
from corpcredit.web.connection import KeptConnection
from corpcredit.web.params import parse_day, parse_known_at, parse_paging
from corpcredit.web.state import catalogue, database, response_cache, web_state

__all__ = ["HISTORY_YEARS", "router", "today_answer", "today_reader"]

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
        # in memory (anonymous requests are answered before routing: KeptAnswers).
        t = today()
        key = answer_key(request.scope, t)
        found, version = answers.get(key) if answers is not None else (None, None)
        if found is not None:
            return cached_response(found)
        body = today_answer(web_state(request).reads or db, cat, usci, t)
        if body is not None:
            kept = answers.put(key, body, version) if answers is not None else None
            return cached_response(kept or CachedAnswer.of(body))
    return await run_in_threadpool(_entity, db, usci, day, known, cat)


def today_answer(db: Engine | KeptConnection, cat: Catalogue, usci: str, day: date) -> bytes | None:
    """The JSON of today's public view of ``usci`` read from the materialised state, or
    None when that state does not hold today (the kernel must answer); raises as
    :func:`current_view` does. A few indexed reads of materialised tables, cheaper than
    the hop through the thread pool, so run on the event loop. The kernel never runs here.
    """
    with db.connect() as conn:
        current = current_view(conn, usci, cat, today=day)
        if current is None:
            return None
        return encode_json(entity_out(current, disputed_keys(conn, current)))


def today_reader(db: Engine | KeptConnection, cat: Catalogue) -> Reader:
    """:func:`today_answer` for ``GET /entities/{usci}`` without parameters, answered
    before routing (:class:`~corpcredit.web.cache.KeptAnswers`)."""

    def read(usci: str, query: bytes, day: date) -> bytes | None:
        if query or not usci or "/" in usci:
            return None  # another day, another resource: the routes answer
        return today_answer(db, cat, usci, day)

    return read


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

"""``/api/v1/lists/{black|red|abnormal}``: a public list, paged as JSON or whole as CSV.

CSV is chosen with ``?format=csv`` or ``Accept: text/csv``; it holds every entry
matching the filters (``page`` does not apply), UTF-8 with a byte-order mark so
spreadsheet programs read the Chinese names correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.engine import Connection, Engine
from starlette.responses import Response

from corpcredit.catalogue import Catalogue
from corpcredit.ids import division_full_name
from corpcredit.services.lists import ListMember, list_members
from corpcredit.web.api.common import ERRORS, json_response, page_info
from corpcredit.web.api.schemas import ListPageOut
from corpcredit.web.errors import InvalidParameter
from corpcredit.web.params import parse_day, parse_paging
from corpcredit.web.state import catalogue, database

__all__ = ["CSV_COLUMNS", "member_out", "router", "wants_csv"]

router = APIRouter(tags=["lists"])

CSV_COLUMNS = (
    "list",
    "usci",
    "name",
    "name_en",
    "division_code",
    "region",
    "entered_on",
    "left_on",
    "scheduled_exit",
)
_CSV_CHUNK = 500


def wants_csv(request: Request, fmt: str | None) -> bool:
    """``?format=csv`` wins; without ``format``, an ``Accept`` naming text/csv first."""
    if fmt not in (None, "", "json", "csv"):
        raise InvalidParameter(
            f"format must be json or csv, got {fmt!r}", parameter="format", value=fmt
        )
    if fmt:
        return fmt == "csv"
    accept = request.headers.get("accept", "")
    return accept.split(",")[0].split(";")[0].strip().lower() == "text/csv"


def member_out(m: ListMember) -> dict[str, Any]:
    """The public fields of a list entry (the grounds are on the organisation's page)."""
    return {
        "usci": m.usci,
        "name": m.name,
        "name_en": m.name_en,
        "division_code": m.division_code,
        "region": division_full_name(m.division_code) if m.division_code else None,
        "entered_on": m.entered_on.isoformat(),
        "left_on": None if m.left_on is None else m.left_on.isoformat(),
        "scheduled_exit": None if m.scheduled_exit is None else m.scheduled_exit.isoformat(),
    }


def _csv_rows(
    conn: Connection, which: str, as_of: Any, region: str | None, cat: Catalogue
) -> Iterable[dict[str, Any]]:
    offset = 0
    while True:
        page = list_members(
            conn, which, as_of=as_of, region=region, limit=_CSV_CHUNK, offset=offset, cat=cat
        )
        for m in page.members:
            yield {"list": which, **member_out(m)}
        offset += _CSV_CHUNK
        if offset >= page.total or not page.members:
            return


def csv_response(
    conn: Connection, which: str, as_of: Any, region: str | None, cat: Catalogue
) -> Response:
    """The whole filtered list as a CSV download."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in _csv_rows(conn, which, as_of, region, cat):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    day = as_of.isoformat() if as_of else "current"
    suffix = f"-{region}" if region else ""
    return Response(
        buf.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="corpcredit-{which}-{day}{suffix}.csv"',
            "Vary": "Accept",
        },
    )


@router.get(
    "/lists/{which}",
    response_model=ListPageOut,
    responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
)
def get_list(
    which: str,
    request: Request,
    db: Annotated[Engine, Depends(database)],
    cat: Annotated[Catalogue, Depends(catalogue)],
    as_of: Annotated[
        str | None, Query(description="Members on this day YYYY-MM-DD (default: now)")
    ] = None,
    region: Annotated[
        str | None, Query(description="GB/T 2260 division prefix: 2, 4 or 6 digits (44, 4403)")
    ] = None,
    page: Annotated[str | None, Query(description="1-based page (JSON only)")] = None,
    per_page: Annotated[str | None, Query(description="Entries per page, at most 50")] = None,
    format: Annotated[str | None, Query(description="json (default) or csv")] = None,
) -> Response:
    """Members of the black, red or abnormal-operations list, newest entries first,
    with entry date and scheduled exit. `which` is `black`, `red` or `abnormal`."""
    day = parse_day(as_of, "as_of")
    region = region or None
    csv_wanted = wants_csv(request, format)
    paging = parse_paging(page, per_page)
    with db.connect() as conn:
        if csv_wanted:
            return csv_response(conn, which, day, region, cat)
        result = list_members(
            conn,
            which,
            as_of=day,
            region=region,
            limit=paging.per_page,
            offset=paging.offset,
            cat=cat,
        )
    response = json_response(
        {
            "list": which,
            "as_of": None if day is None else day.isoformat(),
            "region": region,
            "paging": page_info(paging, result.total),
            "members": [member_out(m) for m in result.members],
        }
    )
    response.headers["Vary"] = "Accept"
    return response

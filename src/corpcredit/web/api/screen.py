"""``/api/v1/screen``: screen a supplier list against the registry; reviewers' decisions.

- ``POST /screen`` takes JSON rows (``{"rows": [{"name": …, "usci": …, …}]}``, or
  the bare list), at most :data:`MAX_ROWS`, and answers each row's outcome, match,
  alternatives and the matches' standing, with a summary and the stamp (catalogue
  version, audit-log head, matcher version, index build).
- ``POST /screen/file?format=csv|xlsx`` takes the same list as a CSV or XLSX
  upload (multipart field ``file``) and answers the report file.
- ``POST /screen/decisions`` (reviewers) records that an organisation is "not this
  one" for a name; later screenings of any spelling of that name leave it out.

Any signed-in role may screen. Representatives see top reasons drawn from
published records only; the registry's staff see every counted record. The
candidate index lives in the app (:func:`live_index`), loaded on first use and
brought up to date with the registry before each screening.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from corpcredit.screening import (
    Decision,
    LiveIndex,
    ScreeningInputError,
    ScreeningReport,
    TooManyRows,
    find_columns,
    not_this_one,
    read_upload,
    report_bytes,
    screen_rows,
)
from corpcredit.store import begin_write
from corpcredit.web.api.common import ERRORS
from corpcredit.web.api.schemas import ErrorOut
from corpcredit.web.auth import REVIEWER, SIGNED_IN, Principal
from corpcredit.web.state import web_state

__all__ = [
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "NO_STORE",
    "decision_out",
    "live_index",
    "read_file",
    "report_download",
    "router",
    "screen",
]

router = APIRouter(tags=["screening"])

#: Rows one API request may screen.
MAX_ROWS = 1_000
#: The largest supplier file accepted (a 1,000-row list is a few hundred kB).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Answers about one account's work are for that account only, never a shared cache.
NO_STORE = {"Cache-Control": "private, no-store"}
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_INDEX_LOCK = threading.Lock()

Cell = str | int | float | bool | None


class ScreenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[dict[str, Cell]] = Field(
        description="Suppliers, each with `name` and/or `usci`; other columns are echoed back"
    )


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StandingOut(_Out):
    status: str | None
    score: int | None
    grade: str | None
    lists: list[str]
    top_reason: str | None
    as_of: str | None


class CandidateOut(_Out):
    usci: str
    name: str
    matched_name: str
    via: str = Field(description="usci | name | name_en | alias")
    score: float = Field(description="Match score in [0, 1]")
    reason: str
    natural_person: bool
    standing: StandingOut | None


class ScreenedRowOut(_Out):
    row: int
    input: dict[str, Cell]
    status: str = Field(description="usci | name | ambiguous | none")
    match: CandidateOut | None
    alternatives: list[CandidateOut]
    flags: list[str]
    query_key: str | None


class StampOut(_Out):
    screened_at: str
    catalogue_versions: list[str]
    audit_seq: int
    audit_hash: str
    matcher_version: str
    index_built_at: str
    index_names: int


class SummaryOut(_Out):
    rows: int
    matched: int
    status: dict[str, int]
    flags: dict[str, int]
    lists: dict[str, int]
    grades: dict[str, int]
    natural_persons: int
    not_scored: int


class ScreeningOut(_Out):
    rows: list[ScreenedRowOut]
    summary: SummaryOut
    stamp: StampOut


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=500, description="The name as screened")
    usci: str = Field(min_length=1, max_length=40, description="The organisation ruled out")
    note: str | None = Field(default=None, max_length=2000)


class DecisionOut(_Out):
    id: int
    query: str
    query_key: str
    usci: str
    decision: str
    note: str | None
    decided_by: str
    decided_at: str


_SCREEN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No API token (`auth.required`)"},
    403: {"model": ErrorOut, "description": "The token's role may not do this (`auth.forbidden`)"},
    413: {
        "model": ErrorOut,
        "description": f"More than {MAX_ROWS:,} rows (`screening.too_many_rows`) or a file "
        f"over {MAX_UPLOAD_BYTES // 2**20} MB (`screening.file_too_large`)",
    },
    422: {
        "model": ErrorOut,
        "description": "No `name` or `usci` column, a file that is not CSV or XLSX "
        "(`screening.invalid_input`), a file that cannot be read (`input.unreadable`), "
        "or a malformed body (`request.invalid`)",
    },
    429: ERRORS[429],
}


def live_index(request: Request) -> LiveIndex:
    """The app's candidate index holder (``app.state.screening``), made on first use."""
    state = request.app.state
    with _INDEX_LOCK:
        if not isinstance(getattr(state, "screening", None), LiveIndex):
            state.screening = LiveIndex()
        live: LiveIndex = state.screening
    return live


def screen(
    request: Request,
    who: Principal,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    max_rows: int,
) -> ScreeningReport:
    """Screen ``rows`` for ``who``: the checks first, then the index (it may be loading)."""
    if len(rows) > max_rows:
        raise TooManyRows(
            f"{len(rows):,} rows given; at most {max_rows:,} are screened at once: split the list",
            details={"rows": len(rows), "max_rows": max_rows},
        )
    find_columns(columns)
    engine = web_state(request).engine
    with engine.connect() as conn, live_index(request).matcher(conn) as matcher:
        return screen_rows(
            conn, rows, matcher, columns=columns, public=who.role == "representative"
        )


async def read_file(upload: UploadFile) -> tuple[list[str], list[dict[str, Any]]]:
    """An uploaded supplier list's columns and rows (bounded in size)."""
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ScreeningInputError(
            f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB: split the list",
            code="screening.file_too_large",
            http_status=413,
        )
    return read_upload(data, upload.filename or "")


def report_download(report: ScreeningReport, fmt: str) -> Response:
    """The report as an attachment (``csv`` or ``xlsx``)."""
    body = report_bytes(report, fmt)
    stamp = report.stamp.screened_at[:10]
    return Response(
        body,
        media_type=_MEDIA[fmt],
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="screening-{stamp}.{fmt}"',
        },
    )


@router.post("/screen", response_model=ScreeningOut, responses=_SCREEN_ERRORS)
def post_screen(
    body: ScreenIn | list[dict[str, Cell]],
    request: Request,
    who: Annotated[Principal, Depends(SIGNED_IN)],
) -> Response:
    """Screen up to 1,000 suppliers: for each row the match (by identifier first, then
    by name) or none, its score and reason, up to three close alternatives, and each
    match's status, score, grade, lists and top reason; a summary; and the stamp of
    the data the answer was made from."""
    rows = body.rows if isinstance(body, ScreenIn) else body
    columns = list(dict.fromkeys(k for row in rows for k in row))
    report = screen(request, who, columns, rows, MAX_ROWS)
    return JSONResponse(report.to_json(), headers=NO_STORE)


@router.post(
    "/screen/file",
    responses={
        **_SCREEN_ERRORS,
        200: {"content": {m: {} for m in _MEDIA.values()}, "description": "The report file"},
    },
    response_class=Response,
)
async def post_screen_file(
    request: Request,
    who: Annotated[Principal, Depends(SIGNED_IN)],
    file: Annotated[UploadFile, File(description="The supplier list, .csv or .xlsx")],
    format: Annotated[Literal["csv", "xlsx"], Query(description="The report's format")] = "xlsx",
) -> Response:
    """Screen a CSV or XLSX supplier list (columns `name` and/or `usci`, at most 1,000
    rows) and download the report: the input's columns, then the match columns; an
    XLSX report adds a summary sheet with the stamp."""
    columns, rows = await read_file(file)
    report = await run_in_threadpool(screen, request, who, columns, rows, MAX_ROWS)
    return report_download(report, format)


def decision_out(d: Decision) -> dict[str, Any]:
    return {
        "id": d.id,
        "query": d.query,
        "query_key": d.query_key,
        "usci": d.usci,
        "decision": d.decision,
        "note": d.note,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at.isoformat(),
    }


@router.post(
    "/screen/decisions",
    status_code=201,
    response_model=DecisionOut,
    responses={
        **_SCREEN_ERRORS,
        404: {
            "model": ErrorOut,
            "description": "Unknown organisation (`screening.unknown_entity`)",
        },
    },
)
def post_decision(
    body: DecisionIn,
    request: Request,
    who: Annotated[Principal, Depends(REVIEWER)],
) -> Response:
    """Record that `usci` is not the organisation meant by `query` (reviewers). It holds
    for every spelling that normalises to the same name; recorded in the audit log."""
    assert who.name is not None
    with begin_write(web_state(request).engine) as conn:
        decision = not_this_one(conn, body.query, body.usci, by=who.name, note=body.note)
    return JSONResponse(decision_out(decision), status_code=201, headers=NO_STORE)

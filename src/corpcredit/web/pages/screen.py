"""``/screen``: upload a supplier list (CSV or XLSX), download the screening report.

A plain multipart form (no script), carrying the session's CSRF token. The report
is the one ``corpcredit screen`` writes — the input's columns, then the match,
its score and reason, alternatives, and the match's status, score, grade, lists
and top reason; an XLSX report adds a summary sheet with the stamp. A file that
cannot be screened (wrong type, no ``name``/``usci`` column, too many rows) is
answered with the form again and the reason.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from corpcredit.errors import CorpCreditError, InputError
from corpcredit.web.api.screen import MAX_UPLOAD_BYTES, NO_STORE, read_file, report_download, screen
from corpcredit.web.auth import SIGNED_IN, Principal, check_csrf
from corpcredit.web.pages.render import render

__all__ = ["MAX_PAGE_ROWS", "router"]

router = APIRouter()

#: Rows one upload on the page may hold (a person cannot split a list as a program can).
MAX_PAGE_ROWS = 5_000


def _form(
    request: Request, who: Principal, error: CorpCreditError | None = None, status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "screen.html",
        {
            "who": who, "error": error, "max_rows": MAX_PAGE_ROWS,
            "max_mb": MAX_UPLOAD_BYTES // 2**20,
        },
        status_code=status_code,
        headers=NO_STORE,
    )  # fmt: skip


@router.get("/screen", response_class=HTMLResponse)
def screen_form(request: Request, who: Annotated[Principal, Depends(SIGNED_IN)]) -> Response:
    return _form(request, who)


@router.post("/screen")
async def screen_upload(
    request: Request,
    who: Annotated[Principal, Depends(SIGNED_IN)],
    file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    format: Annotated[Literal["csv", "xlsx"], Form()] = "xlsx",
) -> Response:
    check_csrf(request, who, csrf_token)
    try:
        columns, rows = await read_file(file)
        report = await run_in_threadpool(screen, request, who, columns, rows, MAX_PAGE_ROWS)
    except InputError as exc:  # the file's fault: say why, offer the form again
        return _form(request, who, exc, exc.http_status)
    return report_download(report, format)

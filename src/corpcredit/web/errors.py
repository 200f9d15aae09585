"""The one place where errors become responses.

Every project error (:class:`~corpcredit.errors.CorpCreditError`) keeps its stable
``code`` and HTTP status: the API answers ``{"error": {"code", "message", ...}}``,
pages answer a friendly translated page with the same code. FastAPI's request
validation errors, unknown routes and unexpected failures are translated into the
same shape, so a client only ever parses one kind of error body.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from corpcredit.errors import CorpCreditError

__all__ = [
    "InvalidParameter",
    "RateLimited",
    "error_response",
    "install_error_handlers",
    "is_api",
]

log = logging.getLogger("corpcredit.web")

API_PREFIX = "/api/"


class InvalidParameter(CorpCreditError):
    """A query parameter that cannot be used; ``details`` names it and its value."""

    code = "request.invalid_parameter"
    http_status = 422

    def __init__(self, message: str, *, parameter: str, value: Any, code: str | None = None):
        super().__init__(
            message, code=code, details={"parameter": parameter, "value": _shown(value)}
        )


class RateLimited(CorpCreditError):
    """Too many requests from one address; retry after ``details['retry_after']`` s."""

    code = "rate_limited"
    http_status = 429


def _shown(value: Any) -> Any:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _headers(exc: CorpCreditError) -> dict[str, str]:
    headers = {"Cache-Control": "no-store"}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.details["retry_after"])
    return headers


def error_response(request: Request, exc: CorpCreditError) -> Response:
    """The response for a project error: JSON under ``/api/``, a page elsewhere."""
    if is_api(request):
        return JSONResponse(
            {"error": exc.to_dict()}, status_code=exc.http_status, headers=_headers(exc)
        )
    from corpcredit.web.pages.render import render_error  # pages import this module

    return render_error(request, exc, headers=_headers(exc))


async def _project_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CorpCreditError)
    if exc.http_status >= 500:
        log.error("server error %s: %s", exc.code, exc.message)
    return error_response(request, exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"where": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()
    ]
    first = problems[0] if problems else {"where": "request", "problem": "invalid"}
    err = CorpCreditError(
        f"{first['where']}: {first['problem']}",
        code="request.invalid",
        http_status=422,
        details={"problems": problems},
    )
    return error_response(request, err)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http.{exc.status_code}")
    message = "no such page or endpoint" if exc.status_code == 404 else str(exc.detail)
    err = CorpCreditError(message, code=code, http_status=exc.status_code)
    response = error_response(request, err)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    err = CorpCreditError(
        "something went wrong on our side; please try again later",
        code="internal",
        http_status=500,
    )
    return error_response(request, err)


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to the one response shape."""
    app.add_exception_handler(CorpCreditError, _project_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

"""Rendering pages: the template environment, the language, the error page.

Every page goes through :func:`render`, which picks the language (``?lang=``,
cookie, Chinese), remembers an explicit choice in a cookie, and gives templates
the translator ``t``, the language-switch link and the static-file URLs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from corpcredit.errors import CorpCreditError
from corpcredit.services.lookup import format_points
from corpcredit.web.auth import ANONYMOUS, Principal
from corpcredit.web.i18n import LANG_COOKIE, LANGS, Translator, request_lang

__all__ = ["make_templates", "render", "render_error", "translator"]

_STATIC = Path(__file__).resolve().parents[1] / "static"
_ONE_YEAR = 365 * 24 * 3600
#: The pages load nothing but their own stylesheet and run no script at all.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _static_url(name: str) -> str:
    """``/static/<name>?v=<hash>``: a new file gets a new URL, so it can be cached long."""
    digest = hashlib.sha256((_STATIC / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


def _signed(points: str | None) -> str:
    return "" if points is None else points.replace("-", "−")


def make_templates() -> jinja2.Environment:
    """The page templates (autoescaped; an unknown variable is an error, not blank)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("corpcredit.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["css_url"] = _static_url("site.css")
    env.filters["signed"] = _signed
    env.filters["day"] = lambda d: "" if d is None else d.isoformat()
    env.filters["points"] = lambda h: "" if h is None else format_points(h)
    return env


def translator(request: Request) -> Translator:
    return Translator(request_lang(request))


def _switch_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return f"{request.url.path}?{urlencode(params)}"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page in the request's language."""
    t = translator(request)
    env: jinja2.Environment = request.app.state.web.templates
    viewer = getattr(request.state, "principal", None)
    viewer = viewer if isinstance(viewer, Principal) else ANONYMOUS
    html = env.get_template(template).render(
        t=t,
        lang=t.lang,
        path=request.url.path,
        switch_url=_switch_url(request, t.other),
        today=request.app.state.web.clock(),
        viewer=viewer,
        **context,
    )
    response = HTMLResponse(
        html, status_code=status_code, headers={**_PAGE_HEADERS, **(headers or {})}
    )
    response.headers["Content-Language"] = "zh-CN" if t.lang == "zh" else "en"
    response.headers["Vary"] = "Cookie"
    if viewer.signed_in and "Cache-Control" not in (headers or {}):
        # The page names who is signed in: never for a shared cache.
        response.headers["Cache-Control"] = "private, no-cache"
    chosen = request.query_params.get("lang")
    if chosen in LANGS and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=_ONE_YEAR, samesite="lax")
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def _error_key(code: str) -> str:
    if code.startswith("usci."):
        return "usci"
    if code == "rate_limited":
        return "rate_limited"
    if code in ("not_found", "entity.not_found"):
        return "not_found"
    if code == "auth.required":
        return "signin"
    if code in ("auth.forbidden", "auth.csrf"):
        return "forbidden"
    return "internal" if code == "internal" else "invalid"


def render_error(
    request: Request, exc: CorpCreditError, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """The friendly page for an error, with its stable code and the technical reason."""
    return render(
        request,
        "error.html",
        {"error": exc, "kind": _error_key(exc.code)},
        status_code=exc.http_status,
        headers=headers,
    )

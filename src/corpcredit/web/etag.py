"""ETag and Cache-Control on public reads; ``304 Not Modified`` on ``If-None-Match``.

A successful ``GET`` response is hashed as it leaves (SHA-256 of the body, so the
tag changes exactly when what a client would see changes: a rescore, a new
record, another language). A client sending the tag back gets ``304`` without a
body. Routes may set their own ``Cache-Control``; otherwise public reads are
cacheable for a short while, long enough to absorb a burst, short enough that a
rescore shows within a minute. Static files are left to Starlette's own ETags.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_CACHE_CONTROL", "ETagMiddleware", "body_etag", "etag_matches"]

DEFAULT_CACHE_CONTROL = "public, max-age=60"


def body_etag(body: bytes) -> str:
    """The strong tag of a response body (what a route that knows it may set itself)."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``W/`` prefixes are ignored, ``*`` matches."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


class ETagMiddleware:
    """Pure ASGI middleware buffering successful GET responses to tag them."""

    def __init__(self, app: ASGIApp, skip_prefixes: tuple[str, ...] = ("/static/",)) -> None:
        self.app = app
        self.skip_prefixes = skip_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"].startswith(self.skip_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []

        async def tagging_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    await send(message)
                    return
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._finish(start, b"".join(chunks), if_none_match, send)

        await self.app(scope, receive, tagging_send)

    @staticmethod
    async def _finish(start: Message, body: bytes, if_none_match: str | None, send: Send) -> None:
        headers = MutableHeaders(scope=start)
        etag = headers.get("etag") or body_etag(body)
        headers["etag"] = etag
        if "cache-control" not in headers:
            headers["cache-control"] = DEFAULT_CACHE_CONTROL
        if etag_matches(if_none_match, etag):
            kept = {
                k: v
                for k, v in headers.items()
                if k in ("etag", "cache-control", "vary", "content-location", "expires", "date")
            }
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(k.encode(), v.encode()) for k, v in kept.items()],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        headers["content-length"] = str(len(body))
        await send(start)
        await send({"type": "http.response.body", "body": body})

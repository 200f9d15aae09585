"""A per-address token bucket for anonymous clients (answered 429 with ``Retry-After``).

Each client address owns a bucket of ``per_minute`` tokens that refills at
``per_minute / 60`` tokens a second; a request takes one token, and a request
finding the bucket empty is refused with the seconds until a token is back. The
buckets live in the memory of one server process (with several workers each has
its own), which is enough to stop a scraper hammering the public site; a shared
limiter belongs in front of the servers (a reverse proxy), not here.

Written by hand because the work is a dozen lines and the common libraries
(slowapi, limits) add decorators on every route for the same arithmetic.
Static files are not counted. Signed-in clients (accounts come with the due
process issue) will bypass this through :attr:`RateLimitMiddleware.exempt`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from corpcredit.web.errors import RateLimited, error_response

__all__ = ["COUNTED", "RateLimitMiddleware", "TokenBuckets"]

#: Set in a request's scope by a layer in front that has already counted it.
COUNTED = "corpcredit.rate_counted"

_MAX_CLIENTS = 100_000  # forget full buckets beyond this many addresses


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """Token buckets keyed by client address; :meth:`take` returns 0 or seconds to wait."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> float:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _MAX_CLIENTS:
                self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Drop buckets that have refilled completely: they hold no information."""
        full_after = self.capacity / self.rate
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.stamp < full_after}


class RateLimitMiddleware:
    """Pure ASGI middleware (no response buffering) applying :class:`TokenBuckets`."""

    def __init__(
        self,
        app: ASGIApp,
        per_minute: int,
        exempt: Callable[[Scope], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
        buckets: TokenBuckets | None = None,
    ) -> None:
        self.app = app
        #: Shared with a layer in front that counts (and marks :data:`COUNTED`) itself.
        self.buckets = buckets or TokenBuckets(per_minute, clock)
        self.exempt = exempt or (lambda scope: False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"].startswith("/static/")
            or scope.get(COUNTED, False)
            or self.exempt(scope)
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.buckets.take(client[0] if client else "unknown")
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        exc = RateLimited(
            f"too many requests from your address; retry after {retry_after} s",
            details={"retry_after": retry_after},
        )
        request = Request(scope, receive)
        response = error_response(request, exc)  # scope['app'] is set by Starlette
        await response(scope, receive, send)

"""Encoded answers of public reads, kept per server process until the registry changes.

Today's public view of an organisation is the same bytes for every anonymous
client until something is written to the registry (an ingest, a rescore, an
objection filed) or the day changes. :class:`ResponseCache` keeps the most
recently used answers, each with its ETag, under a key that includes the day,
and forgets all of them as soon as the database reports any commit by another
connection: SQLite's ``PRAGMA data_version``, read on a connection of its own
before every lookup (a few microseconds), changes whenever any other connection,
in this process or another, has committed. An answer is therefore never served
after the write that changed it has committed.

Answers are kept under the request itself (:func:`answer_key`: path, query string
and day), so :class:`KeptAnswers`, a pure ASGI layer in front of the whole app,
sends a kept answer without running FastAPI's layers, routing and dependencies;
only the routes that put an answer there decide what is kept, and a request with
credentials always goes through them. The hottest public reads (today's view of
one organisation, a name search) are also *answered* there on a miss, by a
:data:`Reader` the router module gives, the same function its route calls: on a
loaded server FastAPI's routing, parameter parsing and dependencies cost as much
processor time as the reads themselves. A reader declines (None) what it does not
answer itself, and any project error (an invalid or unknown identifier, a bad
parameter) is left to the routes, so errors keep their one mapping.

Only a SQLite file offers that signal cheaply; on PostgreSQL (or an in-memory
SQLite database, whose writers share one connection) the cache stays off and
every request is answered afresh. Nothing but successful anonymous answers is
stored; errors, other days (``as_of``) and knowledge times are never cached.

Written by hand (an ordered dict and a lock): ``functools.lru_cache`` memoises a
function, while this needs answers put only when read under the version still
current, and emptied on a signal from the database.
"""

from __future__ import annotations

import sqlite3
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from corpcredit.web.clock import today
from corpcredit.web.etag import DEFAULT_CACHE_CONTROL, body_etag, etag_matches
from corpcredit.web.ratelimit import COUNTED, TokenBuckets

__all__ = ["CachedAnswer", "KeptAnswers", "Reader", "ResponseCache", "answer_key"]

JSON = b"application/json"

#: A public read answered before routing: given the rest of the path after the prefix
#: it is registered under, the query string and today, the JSON body of the ``200``
#: answer, or None to let the routes answer; raises a project error as its route would.
Reader = Callable[[str, bytes, date], bytes | None]


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> CachedAnswer:
        return cls(body, body_etag(body))


def answer_key(scope: Scope, day: date) -> tuple[str, bytes, date]:
    """What a kept answer is filed under: the request's path and query string, the day."""
    return (scope["path"], scope.get("query_string", b""), day)


class ResponseCache:
    """A least-recently-used map of answers, emptied whenever the registry changes.

    ``entries`` bounds its size (0 switches it off). :meth:`get` and :meth:`put`
    are safe from several threads: a caller does ``get``, and on a miss reads the
    answer from the database and ``put``s it with the version ``get`` returned.
    """

    def __init__(self, engine: Engine, entries: int) -> None:
        self.entries = entries
        self._path = _sqlite_file(engine) if entries > 0 else None
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._answers: OrderedDict[Hashable, CachedAnswer] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._path is not None

    def get(self, key: Hashable) -> tuple[CachedAnswer | None, int | None]:
        """The answer stored under ``key`` unless the registry changed since, and the
        version seen now, to hand back to :meth:`put` with an answer read after it."""
        if self._path is None:
            return None, None
        with self._lock:
            version = self._data_version()
            if version != self._version or version is None:
                self._answers.clear()
                self._version = version
                return None, version
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found, version

    def put(self, key: Hashable, body: bytes, version: int | None) -> CachedAnswer:
        """Keep ``body``, read after :meth:`get` gave ``version``, under ``key``; it is
        dropped at once when the registry changed meanwhile (a newer version was seen)."""
        answer = CachedAnswer.of(body)
        with self._lock:
            if version is None or version != self._version:
                return answer
            self._answers[key] = answer
            if len(self._answers) > self.entries:
                self._answers.popitem(last=False)
        return answer

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._answers.clear()
            self._version = None

    def _data_version(self) -> int | None:
        """SQLite's commit counter as this connection sees it (None: unreadable)."""
        try:
            if self._conn is None:
                uri = f"file:{urllib.parse.quote(str(self._path))}?mode=rw"
                self._conn = sqlite3.connect(
                    uri, uri=True, check_same_thread=False, isolation_level=None
                )
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            # Unreadable: answer nothing from memory; a new connection starts afresh.
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._answers.clear()
            return None


def _sqlite_file(engine: Engine) -> str | None:
    """The file of a SQLite engine; None for any other database or an in-memory one."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        return None
    path = url.database or ""
    if not path or path == ":memory:" or path.startswith("file:") or "mode=memory" in str(url):
        return None
    return path


class KeptAnswers:
    """Pure ASGI layer in front of the whole app: an anonymous ``GET`` under ``prefix``
    whose answer is kept (and still current) is sent from memory; on a miss, a path
    under one of ``readers``' prefixes is answered by that reader (and kept); anything
    else, and whatever a reader declines or refuses, passes on to ``app`` (the app's
    own layers and its routes).

    It runs outside every other layer (:func:`~corpcredit.web.create_app` puts it
    there), since on a loaded server each of them costs a share of what a read costs;
    so it does their part itself for what it answers. It counts the request in
    ``limit`` (the rate limit's buckets: a request it passes on is marked counted, so
    the rate limit does not count it twice, and one over the limit is passed on for
    the rate limit to refuse, through the one error mapping), and it sends the ETag
    and Cache-Control and the ``304`` the ETag layer would. A test holds its answers
    byte for byte, headers included, to the routes'.
    """

    def __init__(
        self,
        app: ASGIApp,
        cache: ResponseCache,
        readers: Mapping[str, Reader] | None = None,
        prefix: str = "/api/v1/",
        limit: TokenBuckets | None = None,
    ) -> None:
        self.app = app
        self.cache = cache
        self.readers = tuple((readers or {}).items())
        self.prefix = prefix
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            (self.cache.enabled or self.readers)
            and scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"].startswith(self.prefix)
        ):
            if_none_match: bytes | None = None
            for name, value in scope["headers"]:
                if name == b"authorization":
                    break  # credentials are for the routes to check
                if name == b"if-none-match" and if_none_match is None:
                    if_none_match = value
            else:
                if self.limit is not None:
                    if self.limit.take(_client(scope)) > 0:
                        await self.app(scope, receive, send)  # refused by the rate limit
                        return
                    scope[COUNTED] = True
                found = self._answer(scope)
                if found is not None:
                    await _send(found, if_none_match, send)
                    return
        await self.app(scope, receive, send)

    def _answer(self, scope: Scope) -> CachedAnswer | None:
        day = today()
        key = answer_key(scope, day)
        found, version = self.cache.get(key)
        if found is None:
            body = self._read(scope["path"], key[1], day)
            if body is not None:
                found = self.cache.put(key, body, version)
        return found

    def _read(self, path: str, query: bytes, day: date) -> bytes | None:
        for prefix, reader in self.readers:
            if path.startswith(prefix):
                try:
                    return reader(path[len(prefix) :], query, day)
                except Exception:
                    # A project error (and anything unforeseen) is raised again by the
                    # route, through the one error mapping.
                    return None
        return None


def _client(scope: Scope) -> str:
    """The address the rate limit counts a request under (as the rate limit does)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


_CACHE_CONTROL = (b"cache-control", DEFAULT_CACHE_CONTROL.encode("latin-1"))


async def _send(answer: CachedAnswer, if_none_match: bytes | None, send: Send) -> None:
    """What the ETag layer makes of a route's ``200`` with this body and tag."""
    etag = (b"etag", answer.etag.encode("latin-1"))
    if if_none_match is not None and etag_matches(if_none_match.decode("latin-1"), answer.etag):
        await send(
            {"type": "http.response.start", "status": 304, "headers": [etag, _CACHE_CONTROL]}
        )
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [
        etag,
        (b"content-length", str(len(answer.body)).encode("latin-1")),
        (b"content-type", JSON),
        _CACHE_CONTROL,
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})

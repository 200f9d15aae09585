"""Public reads answered before routing give exactly the routes' answers, and the kernel's.

A differential test: every organisation of the site's registry (head office and
branches, black-, red- and abnormal-listed, with minor, expired, repaired and
withdrawn records, a natural person) and many searches are asked of the readers in
front of the routing (:class:`~corpcredit.web.cache.KeptAnswers` with no cache, so
every answer is read afresh) and of the routes themselves; bodies and tags must be
equal, and each organisation's must equal the kernel's view of the same day.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from starlette.types import Receive, Scope, Send

from corpcredit.catalogue import default_catalogue
from corpcredit.store import create_engine_for
from corpcredit.store.schema import entities, entity_aliases
from corpcredit.web.api import direct_readers
from corpcredit.web.cache import KeptAnswers, ResponseCache
from corpcredit.web.connection import KeptConnection
from tests.web.conftest import TestClient, make_app
from tests.web.site_registry import BLACK, HEAD, PERSON, Site

PASSED_ON = 599  # what the stand-in for the routes answers


async def _not_answered(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": PASSED_ON, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.fixture(scope="module")
def direct(site_db: tuple[str, Site]) -> Iterator[TestClient]:
    """The readers alone: whatever they leave to the routes comes back as 599."""
    engine = create_engine_for(site_db[0])
    reads = KeptConnection(engine)
    readers = direct_readers(reads, default_catalogue())
    app = KeptAnswers(_not_answered, ResponseCache(engine, 0), readers)
    yield TestClient(app, raise_server_exceptions=True)  # no lifespan: the stand-in has none
    reads.close()
    engine.dispose()


@pytest.fixture(scope="module")
def routed(app: FastAPI) -> Iterator[TestClient]:
    """The app's routes without any middleware in front of them."""

    stack = AsyncExitStackMiddleware(app.router)  # what FastAPI's routes expect around them

    async def routes(scope: Scope, receive: Receive, send: Send) -> None:
        await stack({**scope, "app": app}, receive, send)

    yield TestClient(routes, raise_server_exceptions=True)


@pytest.fixture(scope="module")
def organisations(site_db: tuple[str, Site]) -> list[tuple[str, str, str | None]]:
    engine = create_engine_for(site_db[0])
    with engine.connect() as conn:
        rows = conn.execute(sa.select(entities.c.usci, entities.c.name, entities.c.name_en))
        found = [(u, n, e) for u, n, e in rows]
    engine.dispose()
    return found


def _same(direct: Any, routed: Any) -> None:
    assert direct.status_code == routed.status_code == 200, (direct.status_code, routed.text)
    assert direct.content == routed.content
    assert direct.headers["etag"] == routed.headers["etag"]
    assert direct.headers["content-type"] == routed.headers["content-type"]
    assert direct.headers["content-length"] == routed.headers["content-length"]


def test_every_organisation_reads_the_same_before_routing_through_the_routes_and_the_kernel(
    direct: TestClient,
    routed: TestClient,
    organisations: list[tuple[str, str, str | None]],
    site: Site,
) -> None:
    assert {HEAD, BLACK, PERSON} <= {u for u, _, _ in organisations}
    for usci, _, _ in organisations:
        path = f"/api/v1/entities/{usci}"
        fast = direct.get(path)
        # An empty as_of is today: the same view, but the reader leaves it to the route.
        assert direct.get(path + "?as_of=").status_code == PASSED_ON
        _same(fast, routed.get(path + "?as_of="))
        assert fast.json()["as_of"] == site.today.isoformat()
        kernel = routed.get(path, params={"as_of": site.today.isoformat()})
        assert fast.json() == kernel.json(), usci


def test_a_spelling_of_the_identifier_is_read_as_the_route_reads_it(
    direct: TestClient, routed: TestClient
) -> None:
    path = "/api/v1/entities/91-1101 05ma01head9c"
    _same(direct.get(path), routed.get(path + "?as_of="))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/entities/91110105MA01HEAD9X",  # a mistyped check character
        "/api/v1/entities/91110000600037341L",  # valid, unknown
        "/api/v1/entities/123",
        f"/api/v1/entities/{HEAD}/history",
        f"/api/v1/entities/{HEAD}/records",
        f"/api/v1/entities/{HEAD}?known_at=2026-01-01",
        "/api/v1/search?q=" + "长" * 201,
        "/api/v1/search?q=北京&page=0",
        "/api/v1/search?q=北京&per_page=51",
        "/api/v1/searches",
        "/api/v1/catalogue",
    ],
)
def test_errors_and_other_resources_are_left_to_the_routes(direct: TestClient, path: str) -> None:
    assert direct.get(path).status_code == PASSED_ON


def _queries(
    organisations: list[tuple[str, str, str | None]], aliases: list[str]
) -> Iterator[dict[str, str]]:
    for usci, name, name_en in organisations:
        yield {"q": name}
        yield {"q": name[: max(2, len(name) // 2)]}
        yield {"q": name[2:6]}
        yield {"q": usci.lower()}
        if name_en:
            yield {"q": name_en}
            yield {"q": name_en.split()[0].upper()}
    for alias in aliases:
        yield {"q": alias}
    yield {}
    yield {"q": ""}
    yield {"q": "有限公司"}
    yield {"q": "没有这样的名字"}
    yield {"q": "北京示例", "per_page": "1"}
    yield {"q": "北京示例", "per_page": "1", "page": "2"}
    yield {"q": "北京示例", "page": "9"}
    yield {"q": "北京示例", "page": ""}


def test_searches_read_the_same_before_routing_and_through_the_route(
    direct: TestClient,
    routed: TestClient,
    organisations: list[tuple[str, str, str | None]],
    site_db: tuple[str, Site],
) -> None:
    engine = create_engine_for(site_db[0])
    with engine.connect() as conn:
        aliases = list(conn.execute(sa.select(entity_aliases.c.alias)).scalars())
    engine.dispose()
    seen_hits = 0
    for params in _queries(organisations, aliases):
        fast, slow = (
            direct.get("/api/v1/search", params=params),
            routed.get("/api/v1/search", params=params),
        )
        _same(fast, slow)
        seen_hits += len(fast.json()["hits"])
    assert seen_hits > len(organisations)  # the searches found something to compare
    # The last of a repeated parameter counts, as in the route.
    path = "/api/v1/search?q=nothing&q=北京示例&per_page=50&per_page=1"
    _same(direct.get(path), routed.get(path))
    assert len(direct.get(path).json()["hits"]) == 1


def _headers(response: Any) -> list[tuple[str, str]]:
    return sorted(response.headers.items())


def test_the_layer_in_front_answers_as_the_app_s_layers_and_routes_do_headers_included(
    client: TestClient, organisations: list[tuple[str, str, str | None]]
) -> None:
    """The whole app: its answer in front (no parameter) against the route's through
    every layer (an empty ``as_of`` is today, left to the route), 200 and 304 alike."""
    for usci, name, _ in organisations[:12]:
        for front, routed in (
            (f"/api/v1/entities/{usci}", f"/api/v1/entities/{usci}?as_of="),
            (f"/api/v1/search?q={name}", f"/api/v1/search?q={name}&page="),
        ):
            fast, slow = client.get(front), client.get(routed)
            assert (
                (fast.status_code, fast.content)
                == (slow.status_code, slow.content)
                == (
                    200,
                    fast.content,
                )
            )
            assert _headers(fast) == _headers(slow)
            tag = {"If-None-Match": fast.headers["etag"]}
            fast, slow = client.get(front, headers=tag), client.get(routed, headers=tag)
            assert fast.status_code == slow.status_code == 304
            assert fast.content == slow.content == b""
            assert _headers(fast) == _headers(slow)


def test_a_request_the_layer_in_front_passes_on_is_counted_once(site_db: tuple[str, Site]) -> None:
    with TestClient(make_app(site_db[0], per_minute=3), raise_server_exceptions=False) as c:
        unknown = "/api/v1/entities/91110000600037341L"  # answered by the route: 404
        assert [c.get(unknown).status_code for _ in range(2)] == [404, 404]
        assert c.get(f"/api/v1/entities/{HEAD}").status_code == 200  # answered in front
        refused = c.get(f"/api/v1/entities/{HEAD}")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1

"""Nothing but DOMAIN.md §7's public data reaches an anonymous client, on any route.

The walk requests every API endpoint and every page (both languages) for every
entity of a registry holding minor (counted and not counted), repaired, withdrawn
and expired records, a natural person with a record, English name, alias and
address, addresses and fine amounts; then no response may contain any of their
markers. Past views are walked where they must stay private whatever the date
(minor records, withdrawn records, natural persons). A route added to the app
without being walked here fails the coverage test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from starlette.routing import Route

from corpcredit.store import create_engine_for
from corpcredit.store.schema import entities, entity_aliases, records
from corpcredit.web import api, pages
from tests.web.conftest import TestClient
from tests.web.site_registry import (
    ABNORMAL,
    BLACK,
    EXPIRED,
    GATE,
    HEAD,
    PERSON,
    PUBLIC,
    RED,
    REPAIRED,
    SECRETS,
    SHANGHAI,
    SHENZHEN,
    Site,
)

EVERYONE = (HEAD, SHANGHAI, SHENZHEN, GATE, ABNORMAL, RED, BLACK, EXPIRED, REPAIRED, PERSON)
SEARCHES = (
    "北京示例",
    "杭州门控",
    "某某个体商店",
    "个体",
    "有限公司",
    PERSON,
    "Co., Ltd.",
    "沈阳修复",
)


def _urls(site: Site) -> Iterator[str]:
    for u in EVERYONE:
        yield f"/api/v1/entities/{u}"
        yield f"/api/v1/entities/{u}/history"
        yield f"/api/v1/entities/{u}/records"
        yield f"/api/v1/entities/{u}/records?page=2&per_page=1"
        yield f"/entities/{u}"
    # Past days on which a minor, a withdrawn record or the natural person's record
    # would have been in force: they stay private whatever the date.
    for days in (10, 45, 100, 210):
        day = (site.today - timedelta(days=days)).isoformat()
        for u in (GATE, PERSON):
            yield f"/api/v1/entities/{u}?as_of={day}"
            yield f"/api/v1/entities/{u}/records?as_of={day}"
            yield f"/entities/{u}?as_of={day}"
        known = (site.today - timedelta(days=10)).isoformat()
        yield f"/api/v1/entities/{GATE}?as_of={day}&known_at={known}T23:00:00%2B08:00"
    for q in SEARCHES:
        yield f"/api/v1/search?q={q}"
        yield f"/search?q={q}"
    for which in ("black", "red", "abnormal"):
        yield f"/api/v1/lists/{which}"
        yield f"/api/v1/lists/{which}?format=csv"
        yield f"/api/v1/lists/{which}?as_of={(site.today - timedelta(days=100)).isoformat()}"
        yield f"/lists/{which}"
        yield f"/lists/{which}?region=42"
    yield "/lists"
    yield "/"
    yield "/how-scores-work"
    yield "/api"
    yield "/api/v1/catalogue"
    yield "/api/v1/openapi.json"
    yield "/api/docs"


@pytest.fixture(scope="module")
def walked(app: FastAPI, site: Site) -> dict[str, str]:
    """Every URL of the walk in Chinese and in English, with its response body."""
    bodies: dict[str, str] = {}
    for lang in ("zh", "en"):
        with TestClient(app, raise_server_exceptions=False) as client:
            client.cookies.set("lang", lang)
            for url in _urls(site):
                r = client.get(url)
                assert r.status_code == 200, (url, r.status_code, r.text[:300])
                bodies[f"{lang} {url}"] = r.text
    return bodies


@pytest.mark.parametrize("secret", SECRETS)
def test_no_private_detail_appears_in_any_response(walked: dict[str, str], secret: str) -> None:
    leaks = [url for url, body in walked.items() if secret in body]
    assert leaks == []


@pytest.mark.parametrize("shown", PUBLIC)
def test_public_details_do_appear_so_the_walk_sees_real_content(
    walked: dict[str, str], shown: str
) -> None:
    assert any(shown in body for body in walked.values())


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/?]+", re.escape(path)) + r"(\?|$)")


def _get_paths(app: FastAPI) -> set[str]:
    """Every public GET route: the app's own and those of each public router module
    (the signed-in routes answer anonymous clients 401: tests/web/test_route_matrix.py)."""
    routes = [("", r) for r in app.routes]
    for prefix, modules in ((api.API_PREFIX, api.PUBLIC_MODULES), ("", pages.PUBLIC_MODULES)):
        routes += [(prefix, r) for m in modules for r in m.router.routes]
    return {
        prefix + r.path
        for prefix, r in routes
        if isinstance(r, Route) and "GET" in (r.methods or ())
    }


def test_the_walk_covers_every_route_of_the_app(app: FastAPI, walked: dict[str, str]) -> None:
    paths = _get_paths(app)
    urls = [key.split(" ", 1)[1] for key in walked]
    missing = {p for p in paths if not any(_pattern(p).match(u) for u in urls)}
    assert missing == set()
    assert len(paths) >= 14


def test_the_registry_really_holds_every_private_detail(site_db: tuple[str, Site]) -> None:
    """Each marker is in the database, reachable by a non-public view, so its absence
    from the responses is the filter's doing."""
    engine = create_engine_for(site_db[0])
    try:
        with engine.connect() as conn:
            dump = " ".join(
                str(value)
                for table in (entities, entity_aliases, records)
                for row in conn.execute(sa.select(table))
                for value in row
            )
    finally:
        engine.dispose()
    assert [s for s in SECRETS if s not in dump] == []

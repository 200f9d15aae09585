"""The same site over PostgreSQL answers exactly what it answers over SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from corpcredit.store import create_engine_for
from tests.pg import fresh_database
from tests.web.conftest import TestClient, make_app
from tests.web.site_registry import BLACK, GATE, HEAD, PERSON, Site, build_site

pytestmark = pytest.mark.postgres

URLS = [
    f"/api/v1/entities/{HEAD}",
    f"/api/v1/entities/{GATE}",
    f"/api/v1/entities/{PERSON}",
    f"/api/v1/entities/{BLACK}/history",
    "/api/v1/search?q=北京示例控股",
    "/api/v1/search?q=Co., Ltd.",
    "/api/v1/lists/black",
    "/api/v1/lists/black?format=csv",
    f"/entities/{HEAD}",
    "/lists/black?region=42",
]


@pytest.fixture
def pg_site_url(pg_url: str, pg_template: str) -> Iterator[str]:
    with fresh_database(pg_url, template=pg_template) as url:
        engine = create_engine_for(url)
        try:
            build_site(engine)
        finally:
            engine.dispose()
        yield url


def test_postgresql_answers_like_sqlite(pg_site_url: str, site_db: tuple[str, Site]) -> None:
    with (
        TestClient(make_app(pg_site_url)) as pg,
        TestClient(make_app(site_db[0])) as lite,
    ):
        for url in URLS:
            a, b = pg.get(url), lite.get(url)
            assert (a.status_code, a.text) == (b.status_code, b.text), url

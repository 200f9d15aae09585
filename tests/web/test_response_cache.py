"""Public answers kept in memory: the same bytes as afresh, and never after a change."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from corpcredit.settings import Settings
from corpcredit.store import create_engine_for
from corpcredit.store.schema import results
from corpcredit.web import create_app
from corpcredit.web.api import entities as entities_api
from corpcredit.web.cache import ResponseCache
from corpcredit.web.etag import body_etag
from tests.web.conftest import GENEROUS, TestClient
from tests.web.site_registry import HEAD, Site


@pytest.fixture
def own_db(site_db: tuple[str, Site], tmp_path: Path) -> str:
    """A copy of the session's registry that this test may write to."""
    src = sqlite3.connect(site_db[0].removeprefix("sqlite:///"))
    dst = sqlite3.connect(tmp_path / "copy.db")
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return f"sqlite:///{tmp_path / 'copy.db'}"


def _client(url: str, entries: int) -> TestClient:
    settings = Settings(
        database_url=url, rate_limit_per_minute=GENEROUS, response_cache_entries=entries
    )
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture
def clients(own_db: str) -> Iterator[tuple[TestClient, TestClient]]:
    """A client of an app keeping answers, and one of an app reading every one afresh."""
    with _client(own_db, 100) as kept, _client(own_db, 0) as fresh:
        yield kept, fresh


def _rescore(url: str, usci: str, delta: int) -> None:
    """What a rescore does to an organisation's materialised result, committed elsewhere."""
    engine = create_engine_for(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                results.update().where(results.c.usci == usci).values(score=results.c.score + delta)
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("path", [f"/api/v1/entities/{HEAD}", "/api/v1/search?q=北京示例"])
def test_a_kept_answer_is_the_fresh_one_until_the_registry_changes(
    clients: tuple[TestClient, TestClient], own_db: str, path: str
) -> None:
    kept, fresh = clients
    first, again, afresh = kept.get(path), kept.get(path), fresh.get(path)
    assert first.status_code == again.status_code == afresh.status_code == 200
    assert first.content == again.content == afresh.content
    assert first.headers["etag"] == again.headers["etag"] == afresh.headers["etag"]
    assert first.headers["content-type"] == afresh.headers["content-type"]
    assert first.headers["cache-control"] == afresh.headers["cache-control"]
    assert kept.get(path, headers={"If-None-Match": first.headers["etag"]}).status_code == 304

    _rescore(own_db, HEAD, -7)
    changed, afresh = kept.get(path), fresh.get(path)
    assert changed.status_code == 200
    assert changed.content == afresh.content != first.content
    assert changed.headers["etag"] == afresh.headers["etag"] != first.headers["etag"]
    assert _score_of_head(changed.json()) == _score_of_head(first.json()) - 7


def _score_of_head(answer: dict[str, Any]) -> int:
    if "hits" not in answer:
        return int(answer["score"])
    return int(next(h["score"] for h in answer["hits"] if h["usci"] == HEAD))


def test_errors_and_other_days_are_not_kept(clients: tuple[TestClient, TestClient]) -> None:
    kept, fresh = clients
    for path in (
        "/api/v1/entities/91330106MA00000M7X",  # a mistyped check character
        "/api/v1/entities/91330106MA00000M7E",  # valid, unknown
        f"/api/v1/entities/{HEAD}?as_of=2025-01-01",
    ):
        a, b, c = kept.get(path), kept.get(path), fresh.get(path)
        assert a.status_code == b.status_code == c.status_code
        assert a.content == b.content == c.content


def _file_cache(tmp_path: Path, entries: int = 2) -> ResponseCache:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'r.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    return ResponseCache(engine, entries)


def test_any_commit_elsewhere_empties_the_cache(tmp_path: Path) -> None:
    cache = _file_cache(tmp_path)
    assert cache.enabled
    found, version = cache.get("a")
    assert found is None
    kept = cache.put("a", b'{"x":1}', version)
    assert kept.etag == body_etag(b'{"x":1}')
    assert cache.get("a") == (kept, version)
    writer = sqlite3.connect(tmp_path / "r.db")
    writer.execute("INSERT INTO t VALUES (1)")
    writer.commit()
    found, newer = cache.get("a")
    assert found is None and newer != version
    writer.close()
    cache.close()


def test_an_answer_read_before_a_change_is_not_kept(tmp_path: Path) -> None:
    cache = _file_cache(tmp_path)
    _, before = cache.get("a")
    writer = sqlite3.connect(tmp_path / "r.db")
    writer.execute("INSERT INTO t VALUES (1)")
    writer.commit()
    writer.close()
    cache.get("b")  # another request sees the change first
    cache.put("a", b"old", before)
    assert cache.get("a")[0] is None
    cache.close()


def test_the_least_recently_used_answer_goes_first(tmp_path: Path) -> None:
    cache = _file_cache(tmp_path, entries=2)
    _, v = cache.get("a")
    cache.put("a", b"1", v)
    cache.put("b", b"2", v)
    cache.get("a")
    cache.put("c", b"3", v)
    assert cache.get("b")[0] is None
    assert cache.get("a")[0] is not None and cache.get("c")[0] is not None
    cache.close()


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@localhost/none"]
)
def test_off_without_a_sqlite_file(url: str) -> None:
    engine = sa.create_engine(url)
    cache = ResponseCache(engine, 100)
    assert not cache.enabled
    assert cache.get("a") == (None, None)
    cache.put("a", b"1", None)
    assert cache.get("a") == (None, None)


def test_off_when_no_entries_are_allowed(tmp_path: Path) -> None:
    cache = _file_cache(tmp_path, entries=0)
    assert not cache.enabled


def test_a_kept_answer_is_sent_before_routing_but_never_to_a_client_with_credentials(
    clients: tuple[TestClient, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, _ = clients
    path = f"/api/v1/entities/{HEAD}"
    calls: list[str] = []
    real = entities_api.current_view

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(entities_api, "current_view", counting)
    first = kept.get(path)
    assert kept.get(path).content == first.content
    assert kept.get(path + "?as_of=" + first.json()["as_of"]).status_code == 200
    assert calls == [HEAD]  # the second came from memory; as_of never goes this way
    # Credentials are checked by the routes, kept answer or not.
    refused = kept.get(path, headers={"Authorization": "Bearer cc_not-a-token"})
    assert refused.status_code == 401

"""What every read shares: ETag/304, Cache-Control, the error shape, the rate limit."""

from __future__ import annotations

import pytest

from corpcredit.web.etag import etag_matches
from corpcredit.web.ratelimit import TokenBuckets
from tests.web.conftest import TestClient, make_app
from tests.web.site_registry import BLACK, HEAD, Site


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/entities/{HEAD}",
        f"/api/v1/entities/{HEAD}/history",
        f"/api/v1/entities/{HEAD}/records",
        "/api/v1/search?q=北京",
        "/api/v1/lists/black",
        "/api/v1/lists/black?format=csv",
        "/api/v1/catalogue",
        f"/entities/{BLACK}",
        "/",
    ],
)
def test_public_reads_carry_an_etag_and_answer_304_when_it_matches(
    client: TestClient, path: str
) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["cache-control"].startswith("public, max-age=")
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_different_content_has_a_different_etag(client: TestClient) -> None:
    a = client.get(f"/api/v1/entities/{HEAD}").headers["etag"]
    b = client.get(f"/api/v1/entities/{BLACK}").headers["etag"]
    assert a != b


def test_etag_comparison_is_weak_and_accepts_lists_and_star() -> None:
    assert etag_matches('W/"abc"', '"abc"')
    assert etag_matches('"x", "abc"', '"abc"')
    assert etag_matches("*", '"abc"')
    assert not etag_matches('"abcd"', '"abc"') and not etag_matches(None, '"abc"')


def test_errors_are_not_cached_and_carry_no_etag(client: TestClient) -> None:
    r = client.get("/api/v1/entities/91110000600037341L")
    assert r.status_code == 404
    assert r.headers["cache-control"] == "no-store" and "etag" not in r.headers


def test_unknown_endpoint_and_method_answer_in_the_error_shape(client: TestClient) -> None:
    r = client.get("/api/v1/nothing")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    post = client.post("/api/v1/catalogue")
    assert (post.status_code, post.json()["error"]["code"]) == (405, "method_not_allowed")


def test_anonymous_clients_are_rate_limited_with_retry_after(site_db: tuple[str, Site]) -> None:
    with TestClient(make_app(site_db[0], per_minute=3), raise_server_exceptions=False) as c:
        assert [c.get("/api/v1/catalogue").status_code for _ in range(3)] == [200] * 3
        refused = c.get("/api/v1/catalogue")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 20
        page = c.get("/")
        assert page.status_code == 429 and "text/html" in page.headers["content-type"]
        assert c.get("/static/site.css").status_code == 200  # static files are not counted


def test_token_bucket_refills_at_the_configured_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(60, clock=lambda: now[0])  # one token a second
    assert [buckets.take("a") for _ in range(60)] == [0.0] * 60
    assert buckets.take("a") == pytest.approx(1.0)
    assert buckets.take("b") == 0.0  # every address has its own bucket
    now[0] = 2.5
    assert buckets.take("a") == 0.0 and buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(0.5)


def test_token_bucket_forgets_idle_addresses_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("corpcredit.web.ratelimit._MAX_CLIENTS", 2)
    now = [0.0]
    buckets = TokenBuckets(60, clock=lambda: now[0])
    buckets.take("a")
    buckets.take("b")
    now[0] = 120.0
    buckets.take("c")
    assert set(buckets._buckets) == {"c"}

"""``/api/v1/catalogue`` and the OpenAPI document."""

from __future__ import annotations

from corpcredit.catalogue import default_catalogue
from tests.web.conftest import TestClient


def test_catalogue_in_force_with_points_as_decimals(client: TestClient) -> None:
    body = client.get("/api/v1/catalogue").json()
    cat = default_catalogue()
    assert body["version"] == cat.version
    assert body["score"] == {"base": 1000, "floor": 600, "ceiling": 1300}
    assert set(body["kinds"]) == set(cat.kinds)
    assert body["kinds"]["admin_penalty"]["tiers"]["general"]["points"] == "-30.00"
    assert body["kinds"]["tax_grade"]["grades"]["A"]["points"] == "+30.00"
    assert body["kinds"]["tax_grade"]["grades"]["B"]["points"] == "0.00"
    assert body["branches"]["to_head_percent"] == 50


def test_openapi_documents_every_endpoint_and_no_page(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert set(spec["paths"]) == {
        "/api/v1/entities/{usci}",
        "/api/v1/entities/{usci}/history",
        "/api/v1/entities/{usci}/records",
        "/api/v1/search",
        "/api/v1/lists/{which}",
        "/api/v1/catalogue",
        "/api/v1/screen",
        "/api/v1/screen/file",
        "/api/v1/screen/decisions",
        "/api/v1/watchlist",
        "/api/v1/watchlist/{usci}",
        "/api/v1/events",
        "/api/v1/events.atom",
        "/api/v1/webhooks",
        "/api/v1/webhooks/parked",
    }
    entity = spec["paths"]["/api/v1/entities/{usci}"]["get"]
    assert {"200", "404", "422", "429"} <= set(entity["responses"])
    assert "EntityOut" in spec["components"]["schemas"]


def test_docs_page_is_served(client: TestClient) -> None:
    r = client.get("/api/docs")
    assert r.status_code == 200 and "/api/v1/openapi.json" in r.text

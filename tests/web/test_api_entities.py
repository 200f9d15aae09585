"""``/api/v1/entities/{usci}`` and its history and records, including bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from corpcredit.web.api.schemas import EntityOut, HistoryOut, RecordPageOut
from tests.web.conftest import TestClient
from tests.web.site_registry import (
    BLACK,
    BLACK_BASIS,
    GATE,
    HEAD,
    PERSON,
    SHANGHAI,
    SHENZHEN,
    Site,
)


def test_entity_has_identity_score_grade_reasons_and_records(client: TestClient) -> None:
    r = client.get(f"/api/v1/entities/{HEAD}")
    assert r.status_code == 200
    body = r.json()
    EntityOut.model_validate(body)
    assert body["identity"]["name"] == "北京示例控股集团有限公司"
    assert body["identity"]["formatted"] == "91 110105 MA01HEAD9 C"
    assert body["identity"]["entity_type"] == {"code": "1", "zh": "企业", "en": "enterprise"}
    assert body["identity"]["region"] == "北京市朝阳区"
    assert (body["score"], body["grade"]["code"]) == (923, "B")
    assert [b["usci"] for b in body["branches"]] == [SHANGHAI, SHENZHEN]
    assert [x["points"] for x in body["top_reasons"]] == ["-40.00", "-30.00", "-7.50"]
    assert [r["record_id"] for r in body["records"]] == ["H1"]


def test_a_travelling_amount_names_the_branch_it_came_from(client: TestClient) -> None:
    top = client.get(f"/api/v1/entities/{HEAD}").json()["top_reasons"][0]
    assert (top["role"], top["record_id"]) == ("from_branch", "S1")
    assert top["source_entity"]["name"] == "北京示例控股集团有限公司上海分公司"
    assert top["decision_no"] == "沪市监罚〔2026〕21号"


def test_black_listed_entity_shows_legal_basis_entry_and_scheduled_exit(
    client: TestClient, site: Site
) -> None:
    body = client.get(f"/api/v1/entities/{BLACK}").json()
    assert (body["black"], body["grade"]["code"]) == (True, "D")
    (black,) = body["lists"]
    assert black["list"] == "black"
    assert black["scheduled_exit"] == site.black_exit.isoformat()
    assert black["legal_basis"] == [BLACK_BASIS]
    assert [r["record_id"] for r in black["records"]] == ["B1"]


def test_natural_person_has_name_and_usci_but_no_score(client: TestClient) -> None:
    body = client.get(f"/api/v1/entities/{PERSON}").json()
    EntityOut.model_validate(body)
    assert body["identity"]["natural_person"] is True
    assert body["identity"]["name"] == "某某个体商店"
    assert (body["score"], body["grade"], body["lines"], body["records"]) == (None, None, [], [])
    assert body["identity"]["name_en"] is None and body["identity"]["aliases"] == []


def test_identifier_is_normalised_before_lookup(client: TestClient) -> None:
    r = client.get("/api/v1/entities/91-1101 05ma01head9c")
    assert r.status_code == 200 and r.json()["identity"]["usci"] == HEAD


def test_invalid_usci_answers_422_with_the_identifier_modules_reason(client: TestClient) -> None:
    r = client.get("/api/v1/entities/91110105MA01HEAD9X")
    assert r.status_code == 422
    err = r.json()["error"]
    assert (err["code"], err["position"], err["expected"], err["found"]) == (
        "usci.check",
        18,
        "C",
        "X",
    )
    assert client.get("/api/v1/entities/123").json()["error"]["code"] == "usci.length"


def test_unknown_usci_answers_404(client: TestClient) -> None:
    r = client.get("/api/v1/entities/91110000600037341L")
    assert r.status_code == 404
    assert r.json() == {
        "error": {
            "code": "entity.not_found",
            "message": "91110000600037341L is not in the registry",
            "usci": "91110000600037341L",
        }
    }


@pytest.mark.parametrize(
    "value", ["2026-13-01", "yesterday", "20260101", "2026-02-30", "0001-01-01"]
)
def test_bad_as_of_answers_422_naming_the_parameter(client: TestClient, value: str) -> None:
    r = client.get(f"/api/v1/entities/{HEAD}", params={"as_of": value})
    assert r.status_code == 422
    err = r.json()["error"]
    assert (err["code"], err["parameter"], err["value"]) == ("request.invalid_date", "as_of", value)


def test_bad_known_at_answers_422(client: TestClient) -> None:
    r = client.get(f"/api/v1/entities/{HEAD}", params={"known_at": "soon"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "request.invalid_timestamp"


def test_as_of_before_the_decision_shows_the_entity_not_yet_listed(
    client: TestClient, site: Site
) -> None:
    before = (site.today - timedelta(days=301)).isoformat()
    body = client.get(f"/api/v1/entities/{BLACK}", params={"as_of": before}).json()
    assert (body["as_of"], body["score"], body["black"], body["lists"]) == (before, 1000, False, [])


def test_known_at_before_a_record_was_recorded_does_not_see_it(
    client: TestClient, site: Site
) -> None:
    known = (site.today - timedelta(days=301)).isoformat() + "T12:00:00+08:00"
    body = client.get(
        f"/api/v1/entities/{BLACK}", params={"known_at": known, "as_of": site.today.isoformat()}
    ).json()
    assert body["known_at"] is not None and body["score"] == 1000 and body["records"] == []


def test_history_is_a_timeline_ending_on_to(client: TestClient, site: Site) -> None:
    r = client.get(f"/api/v1/entities/{BLACK}/history")
    assert r.status_code == 200
    body = r.json()
    HistoryOut.model_validate(body)
    assert body["to"] == site.today.isoformat()
    points = body["points"]
    assert points[0]["score"] == 1000 and points[0]["black"] is False
    assert points[-1]["on"] == site.today.isoformat()
    assert (points[-1]["score"], points[-1]["grade"], points[-1]["black"]) == (880, "D", True)


def test_history_with_explicit_range(client: TestClient, site: Site) -> None:
    start = (site.today - timedelta(days=10)).isoformat()
    body = client.get(
        f"/api/v1/entities/{BLACK}/history", params={"from": start, "to": site.today.isoformat()}
    ).json()
    assert body["from"] == start
    assert [p["score"] for p in body["points"]] == [880, 880]


def test_history_rejects_reversed_and_malformed_ranges(client: TestClient) -> None:
    reversed_ = client.get(
        f"/api/v1/entities/{BLACK}/history", params={"from": "2026-06-01", "to": "2026-01-01"}
    )
    assert reversed_.status_code == 422
    assert reversed_.json()["error"]["code"] == "history.invalid_range"
    bad = client.get(f"/api/v1/entities/{BLACK}/history", params={"to": "June"})
    assert (bad.status_code, bad.json()["error"]["parameter"]) == (422, "to")


def test_history_of_a_natural_person_is_empty(client: TestClient) -> None:
    assert client.get(f"/api/v1/entities/{PERSON}/history").json()["points"] == []


def test_records_are_paged_with_totals(client: TestClient) -> None:
    first = client.get(f"/api/v1/entities/{GATE}/records", params={"per_page": 1}).json()
    RecordPageOut.model_validate(first)
    assert first["paging"] == {"page": 1, "per_page": 1, "total": 1, "pages": 1}
    assert [r["record_id"] for r in first["records"]] == ["G1"]


def test_records_page_beyond_the_end_is_empty_with_the_same_totals(client: TestClient) -> None:
    r = client.get(f"/api/v1/entities/{GATE}/records", params={"page": 5})
    assert r.status_code == 200
    assert r.json()["records"] == []
    assert r.json()["paging"] == {"page": 5, "per_page": 20, "total": 1, "pages": 1}


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"per_page": "51"}])
def test_records_bad_paging_answers_422(client: TestClient, params: dict[str, str]) -> None:
    r = client.get(f"/api/v1/entities/{GATE}/records", params=params)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "request.invalid_page"

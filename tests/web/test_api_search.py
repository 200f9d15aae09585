"""``/api/v1/search``: by name without legal form, English name, USCI; paging; bad input."""

from __future__ import annotations

import pytest

from corpcredit.web.api.schemas import SearchPageOut
from tests.web.conftest import TestClient
from tests.web.site_registry import BLACK, HEAD, PERSON


def hits(client: TestClient, **params: str) -> list[dict[str, object]]:
    r = client.get("/api/v1/search", params=params)
    assert r.status_code == 200, r.text
    SearchPageOut.model_validate(r.json())
    return r.json()["hits"]  # type: ignore[no-any-return]


def test_chinese_name_without_legal_form_finds_the_head_office_first(client: TestClient) -> None:
    found = hits(client, q="北京示例控股集团")
    assert found[0]["usci"] == HEAD
    assert (found[0]["score"], found[0]["grade"], found[0]["black"]) == (923, "B", False)
    assert len(found) == 3


def test_a_full_name_with_another_legal_form_still_matches(client: TestClient) -> None:
    assert hits(client, q="北京示例控股集团有限责任公司")[0]["usci"] == HEAD


def test_english_name_and_alias_are_searched(client: TestClient) -> None:
    assert hits(client, q="Wuhan Defaulting Engineering Co., Ltd.")[0]["usci"] == BLACK
    alias = hits(client, q="北京示例集团")
    assert (alias[0]["usci"], alias[0]["matched"], alias[0]["alias"]) == (
        HEAD,
        "alias",
        "北京示例集团",
    )


def test_usci_in_any_spelling_finds_one_entity_with_its_list_flags(client: TestClient) -> None:
    found = hits(client, q=BLACK.lower())
    assert [(h["usci"], h["matched"], h["grade"], h["black"]) for h in found] == [
        (BLACK, "usci", "D", True)
    ]


def test_natural_person_is_found_by_name_without_score_or_other_names(client: TestClient) -> None:
    (person,) = hits(client, q="某某个体商店")
    assert person["usci"] == PERSON and person["natural_person"] is True
    assert (person["score"], person["grade"], person["name_en"], person["region"]) == (
        None,
        None,
        None,
        None,
    )
    assert hits(client, q="秘密个体别名") == []


def test_empty_query_finds_nothing(client: TestClient) -> None:
    r = client.get("/api/v1/search")
    assert r.status_code == 200
    assert r.json()["hits"] == [] and r.json()["paging"]["total"] == 0


def test_paging_is_at_most_fifty_and_beyond_the_end_is_empty(client: TestClient) -> None:
    r = client.get("/api/v1/search", params={"q": "北京示例", "per_page": 2, "page": 2})
    assert r.json()["paging"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}
    assert len(r.json()["hits"]) == 1
    beyond = client.get("/api/v1/search", params={"q": "北京示例", "page": 9}).json()
    assert beyond["hits"] == [] and beyond["paging"]["total"] == 3
    too_many = client.get("/api/v1/search", params={"q": "北京", "per_page": 51})
    assert too_many.status_code == 422 and too_many.json()["error"]["parameter"] == "per_page"


@pytest.mark.parametrize("length", [201, 5_000])
def test_a_huge_query_answers_422(client: TestClient, length: int) -> None:
    r = client.get("/api/v1/search", params={"q": "公" * length})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "request.query_too_long" and len(err["value"]) <= 80


def test_a_query_of_exactly_200_characters_is_searched(client: TestClient) -> None:
    assert client.get("/api/v1/search", params={"q": "公" * 200}).status_code == 200


def test_like_wildcards_are_literal(client: TestClient) -> None:
    assert hits(client, q="%") == [] and hits(client, q="_") == []

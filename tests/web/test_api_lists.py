"""``/api/v1/lists/{which}``: JSON pages with filters, CSV by parameter or Accept header."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from corpcredit.web.api.lists import CSV_COLUMNS
from corpcredit.web.api.schemas import ListPageOut
from tests.web.conftest import TestClient
from tests.web.site_registry import ABNORMAL, BLACK, RED, Site


def members(client: TestClient, which: str, **params: str) -> list[dict[str, object]]:
    r = client.get(f"/api/v1/lists/{which}", params=params)
    assert r.status_code == 200, r.text
    ListPageOut.model_validate(r.json())
    return r.json()["members"]  # type: ignore[no-any-return]


def test_black_list_has_entry_and_scheduled_exit(client: TestClient, site: Site) -> None:
    (m,) = members(client, "black")
    assert m["usci"] == BLACK and m["name"] == "武汉失信工程有限公司"
    assert m["entered_on"] == (site.today - timedelta(days=300)).isoformat()
    assert m["scheduled_exit"] == site.black_exit.isoformat()
    assert m["region"] == "湖北省武汉市武昌区"


def test_red_and_abnormal_lists(client: TestClient) -> None:
    assert [m["usci"] for m in members(client, "red")] == [RED]
    assert [m["usci"] for m in members(client, "abnormal")] == [ABNORMAL]


def test_region_filter_is_a_division_prefix(client: TestClient) -> None:
    assert [m["usci"] for m in members(client, "black", region="4201")] == [BLACK]
    assert members(client, "black", region="11") == []


def test_as_of_before_the_entry_shows_an_empty_list(client: TestClient, site: Site) -> None:
    before = (site.today - timedelta(days=400)).isoformat()
    assert members(client, "black", as_of=before) == []


def test_page_beyond_the_end_is_empty_with_totals(client: TestClient) -> None:
    body = client.get("/api/v1/lists/black", params={"page": 3}).json()
    assert body["members"] == []
    assert body["paging"] == {"page": 3, "per_page": 20, "total": 1, "pages": 1}


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/api/v1/lists/grey", {}, "lists.invalid_query"),
        ("/api/v1/lists/black", {"region": "4x"}, "lists.invalid_query"),
        ("/api/v1/lists/black", {"as_of": "2026/01/01"}, "request.invalid_date"),
        ("/api/v1/lists/black", {"page": "-1"}, "request.invalid_page"),
        ("/api/v1/lists/black", {"format": "xml"}, "request.invalid_parameter"),
    ],
)
def test_bad_list_queries_answer_422(
    client: TestClient, path: str, params: dict[str, str], code: str
) -> None:
    r = client.get(path, params=params)
    assert r.status_code == 422 and r.json()["error"]["code"] == code


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_by_format_parameter(client: TestClient, site: Site) -> None:
    r = client.get("/api/v1/lists/black", params={"format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in r.headers["content-disposition"]
    (row,) = _rows(r.text)
    assert tuple(row) == CSV_COLUMNS
    assert (row["usci"], row["name"], row["scheduled_exit"]) == (
        BLACK,
        "武汉失信工程有限公司",
        site.black_exit.isoformat(),
    )


def test_csv_by_accept_header_and_json_otherwise(client: TestClient) -> None:
    as_csv = client.get("/api/v1/lists/abnormal", headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert [r["usci"] for r in _rows(as_csv.text)] == [ABNORMAL]
    as_json = client.get("/api/v1/lists/abnormal", headers={"Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.headers["vary"] == "Accept"


def test_csv_with_filters_matching_nothing_has_only_the_header(client: TestClient) -> None:
    r = client.get("/api/v1/lists/black", params={"format": "csv", "region": "11"})
    assert r.text == "\ufeff" + ",".join(CSV_COLUMNS) + "\r\n"

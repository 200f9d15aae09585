"""``/api/v1/screen`` and the ``/screen`` page: screening a supplier list over HTTP."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import audit
from corpcredit.screening import MATCHER_VERSION
from corpcredit.screening.schema import screening_decisions
from corpcredit.web.api.screen import MAX_ROWS, DecisionOut, ScreeningOut
from tests.screening.registry import ABNORMAL, DEFAULTER, GATE, HUAXIN
from tests.web.due_process import page_csrf
from tests.web.screening_site import Served, serve

ROWS = [
    {"name": "武汉失信工程", "ref": "S-1"},
    {"name": "不存在的公司", "ref": "S-2"},
    {"name": "南京异常贸易", "usci": GATE, "ref": "S-3"},
    {"name": "Huaxin Technology", "ref": "S-4", "amount": 12.5},
]


@pytest.fixture
def site(engine: Engine, tmp_path: Path) -> Iterator[Served]:
    yield serve(engine, tmp_path)


def _csv(rows: list[dict[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_each_row_is_answered_with_its_match_standing_and_the_stamp(site: Served) -> None:
    r = site.api("buyer").post("/api/v1/screen", json={"rows": ROWS})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "private, no-store"
    body = r.json()
    ScreeningOut.model_validate(body)
    rows = {row["input"]["ref"]: row for row in body["rows"]}
    s1 = rows["S-1"]
    assert s1["status"] == "name" and s1["match"]["usci"] == DEFAULTER
    assert 0.8 <= s1["match"]["score"] <= 1 and s1["match"]["reason"]
    standing = s1["match"]["standing"]
    assert standing["grade"] == "D" and standing["lists"] == ["black"]
    assert standing["top_reason"].startswith("court_defaulter (serious): -120.00 points")
    assert rows["S-2"]["status"] == "none" and rows["S-2"]["match"] is None
    s3 = rows["S-3"]
    assert s3["status"] == "usci" and s3["match"]["usci"] == GATE
    assert s3["flags"] == ["name_contradicts_usci"]
    assert [a["usci"] for a in s3["alternatives"]] == [ABNORMAL]
    assert s3["alternatives"][0]["standing"]["lists"] == ["black", "abnormal"]
    assert rows["S-4"]["match"]["usci"] == HUAXIN and rows["S-4"]["input"]["amount"] == 12.5
    assert body["summary"]["rows"] == 4 and body["summary"]["matched"] == 3
    with site.engine.connect() as conn:
        head = audit.head(conn)
    stamp = body["stamp"]
    assert (stamp["audit_seq"], stamp["audit_hash"]) == (head.seq, head.hash)
    assert stamp["matcher_version"] == MATCHER_VERSION and stamp["catalogue_versions"]


def test_a_bare_list_of_rows_is_accepted_too(site: Served) -> None:
    r = site.api("rep").post("/api/v1/screen", json=[{"usci": DEFAULTER}])
    assert r.status_code == 200
    assert r.json()["rows"][0]["match"]["usci"] == DEFAULTER


def test_screening_needs_a_token(site: Served) -> None:
    r = site.client().post("/api/v1/screen", json={"rows": ROWS})
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.required"
    c = site.client()
    c.headers["Authorization"] = "Bearer cc_not-a-token"
    assert c.post("/api/v1/screen", json={"rows": ROWS}).status_code == 401
    # A session cookie never drives the API.
    signed_in = site.signed_in("buyer")
    assert signed_in.post("/api/v1/screen", json={"rows": ROWS}).status_code == 401


def test_a_thousand_rows_are_screened_and_one_more_is_refused(site: Served) -> None:
    c = site.api("ops")
    rows = [{"name": f"武汉失信工程{i % 7}"} for i in range(MAX_ROWS)]
    r = c.post("/api/v1/screen", json={"rows": rows})
    assert r.status_code == 200 and len(r.json()["rows"]) == MAX_ROWS
    r = c.post("/api/v1/screen", json={"rows": [*rows, {"name": "x"}]})
    assert r.status_code == 413
    error = r.json()["error"]
    assert error["code"] == "screening.too_many_rows"
    assert (error["rows"], error["max_rows"]) == (MAX_ROWS + 1, MAX_ROWS)


def test_rows_without_a_name_or_usci_and_malformed_bodies_are_refused(site: Served) -> None:
    c = site.api("buyer")
    r = c.post("/api/v1/screen", json={"rows": [{"title": "武汉失信工程"}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "screening.invalid_input"
    r = c.post("/api/v1/screen", json={"rows": [{"name": {"nested": "no"}}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"
    r = c.post("/api/v1/screen", json={"suppliers": ROWS})
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"


def test_a_csv_upload_is_answered_with_the_report_file(site: Served) -> None:
    files = {"file": ("suppliers.csv", _csv(ROWS[:3]), "text/csv")}
    r = site.api("buyer").post("/api/v1/screen/file?format=csv", files=files)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    report = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["ref"] for row in report] == ["S-1", "S-2", "S-3"]
    assert report[0]["match_usci"] == DEFAULTER and report[0]["credit_lists"] == "black"


def test_an_xlsx_upload_gives_an_xlsx_report_with_its_summary(site: Served) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "ref"])
    sheet.append(["武汉失信工程", "S-1"])
    upload = io.BytesIO()
    book.save(upload)
    files = {"file": ("suppliers.xlsx", upload.getvalue(), "application/octet-stream")}
    r = site.api("buyer").post("/api/v1/screen/file", files=files)
    assert r.status_code == 200, r.text
    report = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    assert report.sheetnames == ["Screening", "Summary"]
    rows = list(report["Screening"].iter_rows(values_only=True))
    header = list(rows[0])
    assert rows[1][header.index("match_usci")] == DEFAULTER


def test_an_upload_of_the_wrong_type_or_format_is_refused(site: Served) -> None:
    c = site.api("buyer")
    r = c.post("/api/v1/screen/file", files={"file": ("list.pdf", b"%PDF-1.4", "application/pdf")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "screening.invalid_input"
    r = c.post("/api/v1/screen/file", files={"file": ("list.xlsx", b"not a zip", "text/plain")})
    error = r.json()["error"]
    assert r.status_code == 422 and error["code"] == "input.unreadable"
    assert error["message"].startswith("list.xlsx: ")  # the name as uploaded, no server path
    files = {"file": ("suppliers.csv", _csv(ROWS[:1]), "text/csv")}
    r = c.post("/api/v1/screen/file?format=pdf", files=files)
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"
    big = _csv([{"name": f"公司{i}"} for i in range(MAX_ROWS + 1)])
    r = c.post("/api/v1/screen/file", files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413 and r.json()["error"]["code"] == "screening.too_many_rows"


def test_a_reviewers_not_this_one_is_honoured_by_later_screenings(site: Served) -> None:
    c = site.api("buyer")
    before = c.post("/api/v1/screen", json=[{"name": "武汉失信工程"}]).json()["rows"][0]
    assert before["match"]["usci"] == DEFAULTER
    r = c.post(
        "/api/v1/screen/decisions",
        json={"query": "武汉失信工程", "usci": DEFAULTER, "note": "a different firm"},
    )
    assert r.status_code == 201, r.text
    decision = r.json()
    DecisionOut.model_validate(decision)
    assert decision["usci"] == DEFAULTER and decision["decided_by"].startswith("token:")
    # Any spelling that normalises to the same name: here with its legal form.
    after = c.post("/api/v1/screen", json=[{"name": "武汉失信工程有限公司"}]).json()["rows"][0]
    assert after["match"] is None or after["match"]["usci"] != DEFAULTER
    assert "reviewer_rejected" in after["flags"]
    with site.engine.connect() as conn:
        stored = conn.execute(sa.select(screening_decisions.c.usci)).scalars().all()
    assert stored == [DEFAULTER]


def test_only_reviewers_decide_and_only_about_known_organisations(site: Served) -> None:
    body = {"query": "武汉失信工程", "usci": DEFAULTER}
    assert site.client().post("/api/v1/screen/decisions", json=body).status_code == 401
    for username in ("rep", "ops"):
        r = site.api(username).post("/api/v1/screen/decisions", json=body)
        assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
    c = site.api("buyer")
    r = c.post("/api/v1/screen/decisions", json={**body, "usci": "91110000600037341L"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "screening.unknown_entity"
    r = c.post("/api/v1/screen/decisions", json={**body, "usci": "91110000600037341X"})
    assert r.status_code == 422 and r.json()["error"]["code"].startswith("usci.")
    with site.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(screening_decisions)).scalar() == 0
        )


def test_the_screen_page_uploads_a_list_and_downloads_the_report(site: Served) -> None:
    c = site.signed_in("rep")
    csrf = page_csrf(c, "/screen")
    files = {"file": ("suppliers.csv", _csv(ROWS[:2]), "text/csv")}
    r = c.post("/screen", data={"csrf_token": csrf, "format": "csv"}, files=files)
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    report = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["match_usci"] for row in report] == [DEFAULTER, ""]


def test_the_screen_page_refuses_forged_forms_and_explains_bad_files(site: Served) -> None:
    assert site.client().get("/screen").status_code == 401
    c = site.signed_in("buyer")
    files = {"file": ("suppliers.csv", _csv(ROWS[:1]), "text/csv")}
    assert c.post("/screen", data={"csrf_token": "forged"}, files=files).status_code == 403
    csrf = page_csrf(c, "/screen")
    bad = {"file": ("suppliers.csv", _csv([{"title": "x"}]), "text/csv")}
    r = c.post("/screen", data={"csrf_token": csrf}, files=bad)
    assert r.status_code == 422 and "screening.invalid_input" in r.text
    assert 'name="csrf_token"' in r.text  # the form again, to retry

"""The due-process pages end to end in process: planner, repair, objection, desk, uploads.

The clock is Friday 26 September 2025: the intake deadline of an application made
that day is Tuesday 30 September (Sunday 28 September is a working day moved for
National Day), as the calendar tests establish.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from corpcredit import audit
from corpcredit.repair.evidence import MAX_EVIDENCE_BYTES
from tests.cases.registry import BLACK, FINE, FRIDAY, ORG, PDF, count
from tests.web.due_process import DueProcess, build, build_app, csrf_of, page_csrf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def dp(engine: Engine, tmp_path: Path) -> DueProcess:
    return build(engine, tmp_path)


def _record_query(ref) -> str:  # type: ignore[no-untyped-def]
    return f"source={ref.source}&record_id={ref.record_id}"


def _apply(dp: DueProcess, files: list[tuple[str, bytes, str]]):  # type: ignore[no-untyped-def]
    c = dp.signed_in("rep21")
    form = c.get(f"/cases/repair/new?{_record_query(BLACK)}&lang=en")
    assert form.status_code == 200
    sha = re.search(r'name="commitment_sha256" value="([0-9a-f]{64})"', form.text)
    assert sha is not None
    data = {
        "csrf_token": csrf_of(form.text), "source": BLACK.source, "record_id": BLACK.record_id,
        "commitment_sha256": sha.group(1), "confirm": "yes",
    }  # fmt: skip
    return c, c.post("/cases/repair/new", data=data, files=[("evidence", f) for f in files] or None)


def test_the_planner_shows_earliest_dates_and_computed_outcomes(dp: DueProcess) -> None:
    c = dp.signed_in("rep21")
    page = c.get("/account/planner?lang=en")
    assert page.status_code == 200
    text = page.text
    # The black-list record may be repaired (a year after 2024-05-10); the recent fine not yet.
    assert "May be repaired since" in text and "May be repaired from" in text
    assert f"/cases/repair/new?source={BLACK.source}&amp;record_id={BLACK.record_id}" in text
    assert f"record_id={FINE.record_id}" not in text.split("May be repaired from")[1][:400]
    assert "Black list" in text  # the current outcome shows the listing


def test_repair_from_application_to_approval_on_the_pages(dp: DueProcess) -> None:
    rep, r = _apply(dp, [("licence.pdf", PDF, "application/pdf")])
    assert r.status_code == 303
    case_url = r.headers["location"]
    case_page = rep.get(case_url + "?lang=en").text
    assert "submitted, awaiting intake" in case_page and "2025-09-30" in case_page
    assert "licence.pdf" in case_page and "Credit commitment letter" in case_page

    staff = dp.signed_in("staff1")
    desk = staff.get("/desk?lang=en").text
    assert case_url in desk and "2025-09-30" in desk
    for action in ("accept", "approve"):
        csrf = page_csrf(staff, case_url)
        form = {"csrf_token": csrf, "action": action, "reason": f"{action}: evidence checked"}
        done = staff.post(f"{case_url}/act", data=form)
        assert done.status_code == 303, done.text[-500:]
    assert "approved" in staff.get(case_url + "?lang=en").text
    assert case_url not in staff.get("/desk").text  # no longer open

    public = dp.client().get(f"/api/v1/entities/{ORG}?as_of={FRIDAY}").json()
    assert public["black"] is False
    assert all(r["record_id"] != BLACK.record_id for r in public["records"])
    with dp.engine.connect() as conn:
        assert audit.verify(conn).ok


def test_evidence_is_served_only_to_the_case_and_never_cached(dp: DueProcess) -> None:
    rep, r = _apply(dp, [("licence.pdf", PDF, "application/pdf")])
    case_page = rep.get(r.headers["location"]).text
    link = re.search(r'href="(/evidence/\d+)"', case_page)
    assert link is not None
    got = rep.get(link.group(1))
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["cache-control"] == "private, no-store"
    assert got.headers["content-disposition"].startswith("attachment")
    assert dp.signed_in("staff1").get(link.group(1)).content == PDF
    assert dp.signed_in("rep22").get(link.group(1)).status_code == 403
    assert dp.client().get(link.group(1)).status_code == 401
    # Stored outside anything served, under its hash.
    stored = list(dp.evidence_dir.rglob("*.pdf"))
    assert len(stored) == 1 and stored[0].read_bytes() == PDF


@pytest.mark.parametrize(
    ("upload", "status", "code"),
    [
        (("big.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES, "application/pdf"), 413, "evidence."),
        (("photo.pdf", PNG, "application/pdf"), 415, "evidence."),
        (("notes.pdf", b"just some text, not a PDF", "application/pdf"), 415, "evidence."),
        (("../../etc/passwd.pdf", PDF, "application/pdf"), 422, "evidence.bad_name"),
        (("..\\..\\boot.pdf", PDF, "application/pdf"), 422, "evidence.bad_name"),
    ],
)
def test_bad_uploads_are_refused_clearly_and_nothing_is_kept(
    dp: DueProcess, upload: tuple[str, bytes, str], status: int, code: str
) -> None:
    _, r = _apply(dp, [upload])
    assert r.status_code == status, r.text[-400:]
    assert code in r.text
    assert count(dp.engine, "repair_cases") == 0 and count(dp.engine, "case_evidence") == 0
    assert not dp.evidence_dir.exists() or not any(dp.evidence_dir.rglob("*.*"))


def test_an_application_needs_the_letter_confirmed_and_a_valid_csrf_token(
    dp: DueProcess,
) -> None:
    c = dp.signed_in("rep21")
    form = c.get(f"/cases/repair/new?{_record_query(BLACK)}")
    sha = re.search(r'name="commitment_sha256" value="([0-9a-f]{64})"', form.text)
    assert sha is not None
    data = {"source": BLACK.source, "record_id": BLACK.record_id,
            "commitment_sha256": sha.group(1)}  # fmt: skip
    unconfirmed = c.post("/cases/repair/new", data={**data, "csrf_token": csrf_of(form.text)})
    assert unconfirmed.status_code == 422 and "repair.commitment_unconfirmed" in unconfirmed.text
    forged = c.post("/cases/repair/new", data={**data, "confirm": "yes", "csrf_token": "x"})
    assert forged.status_code == 403 and "auth.csrf" in forged.text
    assert count(dp.engine, "repair_cases") == 0


def test_a_record_not_yet_repairable_says_when_it_will_be(dp: DueProcess) -> None:
    c = dp.signed_in("rep21")
    page = c.get(f"/cases/repair/new?{_record_query(FINE)}&lang=en").text
    assert "May be repaired from" in page
    assert 'name="commitment_sha256"' not in page  # no form until it is eligible


def test_an_objection_shows_the_record_as_disputed_until_decided(dp: DueProcess) -> None:
    rep = dp.signed_in("rep21")
    form = rep.get(f"/cases/objection/new?{_record_query(FINE)}")
    r = rep.post(
        "/cases/objection/new",
        data={"csrf_token": csrf_of(form.text), "source": FINE.source,
              "record_id": FINE.record_id, "statement": "The decision was annulled on appeal."},
    )  # fmt: skip
    assert r.status_code == 303
    case_url = r.headers["location"]
    public = dp.client()
    assert "badge-disputed" in public.get(f"/entities/{ORG}?as_of={FRIDAY}").text
    api = public.get(f"/api/v1/entities/{ORG}?as_of={FRIDAY}").json()
    assert [x["disputed"] for x in api["records"] if x["record_id"] == FINE.record_id] == [True]

    staff = dp.signed_in("staff1")
    assert case_url in staff.get("/desk").text
    csrf = page_csrf(staff, case_url)
    form = {"csrf_token": csrf, "action": "dismiss", "reason": "The appeal was not upheld."}
    decided = staff.post(f"{case_url}/decide", data=form)
    assert decided.status_code == 303
    seen = rep.get(case_url + "?lang=en").text
    assert "dismissed" in seen and "The appeal was not upheld." in seen
    assert "badge-disputed" not in public.get(f"/entities/{ORG}?as_of={FRIDAY}").text
    # A representative may not decide; a reviewer may not file.
    assert rep.post(f"{case_url}/decide", data={"csrf_token": csrf, "action": "withdraw"}
                    ).status_code == 403  # fmt: skip


def test_the_representative_sees_its_own_unpublished_records(dp: DueProcess) -> None:
    page = dp.signed_in("rep21").get("/account?lang=en").text
    assert "All records of your organisation in force" in page
    assert f"record_id={BLACK.record_id}" in page and f"record_id={FINE.record_id}" in page


def test_deadlines_past_the_packaged_calendar_use_the_configured_notices(
    engine: Engine, tmp_path: Path
) -> None:
    """Applied on Wed 30 Dec 2026: the intake deadline falls in 2027, which the
    chinesecalendar package does not know; a notices file makes it computable."""
    late = date(2026, 12, 30)
    without = build(engine, tmp_path / "a", on=late)
    _, refused = _apply(without, [])
    assert refused.status_code == 503 and "calendar.out_of_range" in refused.text
    notices = tmp_path / "notices.toml"
    notices.write_text(
        "[[year]]\nyear = 2027\nholidays = [2027-01-01, 2027-01-04]\nworkdays = []\n",
        encoding="utf-8",
    )
    with_notices = DueProcess(engine, build_app(without, late, notices), without.evidence_dir)
    with_notices.tokens = without.tokens
    rep, r = _apply(with_notices, [])
    assert r.status_code == 303, r.text[-300:]
    # Thu 31 Dec, then Tue 5 and Wed 6 Jan (1 and 4 Jan off by the notice).
    assert "2027-01-06" in rep.get(r.headers["location"]).text

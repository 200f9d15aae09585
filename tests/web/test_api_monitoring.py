"""Watchlists, events, Atom and webhooks over HTTP: the API and the ``/watchlist`` page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import monitoring
from corpcredit.store import begin_write
from corpcredit.store.schema import results
from corpcredit.web.api.events import EventPageOut
from corpcredit.web.api.watchlist import WatchedOut, WatchlistOut
from corpcredit.web.api.webhooks import ParkedListOut, WebhookOut
from tests.monitoring.test_monitoring_flow import _free_port, _Receiver
from tests.screening.registry import DEFAULTER, GATE, HEAD
from tests.web.due_process import page_csrf
from tests.web.screening_site import Served, serve

ATOM = {"a": "http://www.w3.org/2005/Atom"}
UNKNOWN = "91110000600037341L"  # valid, not in the registry


@pytest.fixture
def site(engine: Engine, tmp_path: Path) -> Iterator[Served]:
    yield serve(engine, tmp_path)


def _degrade_gate(site: Served) -> list[int]:
    """GATE falls to grade C and enters the black list; the scan a rescore makes."""
    with site.engine.begin() as conn:
        conn.execute(
            sa.update(results)
            .where(results.c.usci == GATE)
            .values(score=840, grade="C", black=True)
        )
    with begin_write(site.engine) as conn:
        return monitoring.scan(conn)


def test_an_account_adds_lists_and_removes_watched_organisations(site: Served) -> None:
    c = site.api("buyer")
    r = c.put(f"/api/v1/watchlist/{GATE}", json={"label": "supplier 7"})
    assert r.status_code == 201 and r.headers["cache-control"] == "private, no-store"
    WatchedOut.model_validate(r.json())
    assert r.json()["label"] == "supplier 7" and r.json()["name"] == "杭州门控科技有限公司"
    again = c.put(f"/api/v1/watchlist/{GATE.lower()}", json={"label": "another"})
    assert again.status_code == 200 and again.json()["label"] == "supplier 7"
    assert c.put(f"/api/v1/watchlist/{HEAD}").status_code == 201  # no body: no label
    listed = c.get("/api/v1/watchlist")
    WatchlistOut.model_validate(listed.json())
    assert [e["usci"] for e in listed.json()["entries"]] == [GATE, HEAD]
    assert listed.headers["cache-control"] == "private, no-store"
    # Another account's watchlist is its own.
    assert site.api("ops").get("/api/v1/watchlist").json() == {"entries": []}
    assert c.delete(f"/api/v1/watchlist/{GATE}").status_code == 204
    r = c.delete(f"/api/v1/watchlist/{GATE}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "watchlist.not_watched"
    assert [e["usci"] for e in c.get("/api/v1/watchlist").json()["entries"]] == [HEAD]


def test_watching_refuses_unknown_and_invalid_identifiers(site: Served) -> None:
    c = site.api("rep")
    r = c.put(f"/api/v1/watchlist/{UNKNOWN}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "entity.not_found"
    r = c.put("/api/v1/watchlist/91110000600037341X")
    assert r.status_code == 422 and r.json()["error"]["code"].startswith("usci.")
    r = c.put(f"/api/v1/watchlist/{GATE}", json={"label": "x", "colour": "red"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"
    assert c.get("/api/v1/watchlist").json() == {"entries": []}


def test_monitoring_needs_a_token_of_an_account(site: Served) -> None:
    anonymous = site.client()
    for method, url in (
        ("GET", "/api/v1/watchlist"), ("PUT", f"/api/v1/watchlist/{GATE}"),
        ("DELETE", f"/api/v1/watchlist/{GATE}"), ("GET", "/api/v1/events"),
        ("GET", "/api/v1/events.atom"), ("POST", "/api/v1/webhooks"),
        ("GET", "/api/v1/webhooks/parked"),
    ):  # fmt: skip
        r = anonymous.request(method, url, json={"url": "https://example.org/hook"})
        assert r.status_code == 401, (method, url)
    robot = site.api("robot")  # a token bound to no account has no watchlist
    for url in ("/api/v1/watchlist", "/api/v1/events", "/api/v1/events.atom"):
        r = robot.get(url)
        assert r.status_code == 403 and r.json()["error"]["code"] == "monitoring.account_required"


def test_events_page_forward_by_cursor(site: Served) -> None:
    c = site.api("buyer")
    c.put(f"/api/v1/watchlist/{GATE}")
    assert c.get("/api/v1/events").json() == {"events": [], "next": 0}
    assert len(_degrade_gate(site)) == 2
    first = c.get("/api/v1/events?limit=1")
    assert first.status_code == 200 and first.headers["cache-control"] == "private, no-store"
    page = first.json()
    EventPageOut.model_validate(page)
    assert [e["kind"] for e in page["events"]] == ["grade_changed"]
    assert page["events"][0]["summary"] == "grade B → C (score 915 → 840)"
    rest = c.get(f"/api/v1/events?since={page['next']}").json()
    assert [(e["usci"], e["kind"]) for e in rest["events"]] == [(GATE, "list_entered")]
    assert c.get(f"/api/v1/events?since={rest['next']}").json() == {
        "events": [],
        "next": rest["next"],
    }
    # Another account that does not watch GATE sees nothing of it.
    assert site.api("ops").get("/api/v1/events").json()["events"] == []
    r = c.get("/api/v1/events?since=-1")
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"


def _entries(xml: bytes) -> list[ET.Element]:
    feed = ET.fromstring(xml)
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    return feed.findall("a:entry", ATOM)


def test_the_atom_feed_parses_and_holds_the_events(site: Served) -> None:
    c = site.api("buyer")
    c.put(f"/api/v1/watchlist/{GATE}")
    _degrade_gate(site)
    r = c.get("/api/v1/events.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    entries = _entries(r.content)
    events = c.get("/api/v1/events").json()["events"]
    ids = [e.findtext("a:id", namespaces=ATOM) for e in entries]
    assert ids == [f"urn:corpcredit:event:{e['id']}" for e in reversed(events)]
    titles = [e.findtext("a:title", namespaces=ATOM) or "" for e in entries]
    assert all(GATE in t for t in titles) and any("grade B → C" in t for t in titles)
    link = entries[0].find("a:link", ATOM)
    assert link is not None and link.get("href") == f"http://testserver/entities/{GATE}"


def test_a_webhook_registered_through_the_api_loses_nothing_while_its_receiver_is_down(
    site: Served,
) -> None:
    c = site.api("buyer")
    c.put(f"/api/v1/watchlist/{GATE}")
    port = _free_port()  # nothing listens there yet
    r = c.post("/api/v1/webhooks", json={"url": f"http://127.0.0.1:{port}/hook"})
    assert r.status_code == 201, r.text
    hook = r.json()
    WebhookOut.model_validate(hook)
    assert len(hook["secret"]) == 64 and hook["max_attempts"] == monitoring.MAX_ATTEMPTS
    _degrade_gate(site)
    at = datetime.now(UTC)
    with begin_write(site.engine) as conn:
        down = monitoring.deliver_due(conn, allow_private=True, at=at)
    assert (down.delivered, down.retried) == (0, 2)
    with _Receiver(port=port) as up, begin_write(site.engine) as conn:
        run = monitoring.deliver_due(conn, allow_private=True, at=at + monitoring.backoff(1))
    assert run.delivered == 2 and len(up.got) == 2
    kinds = set()
    for headers, body in up.got:
        stamp = int(headers["X-CorpCredit-Timestamp"])
        assert monitoring.verify(hook["secret"], stamp, body, headers["X-CorpCredit-Signature"])
        kinds.add(json.loads(body)["kind"])
    assert kinds == {"grade_changed", "list_entered"}


def test_a_webhook_may_bring_its_own_secret_but_not_a_bad_url(site: Served) -> None:
    c = site.api("rep")
    secret = "s" * 32
    r = c.post("/api/v1/webhooks", json={"url": "https://example.org/hook", "secret": secret})
    assert r.status_code == 201 and r.json()["secret"] is None  # never echoed back
    for body in (
        {"url": "ftp://example.org/hook"},
        {"url": "https://example.org/hook", "secret": "short"},
    ):
        r = c.post("/api/v1/webhooks", json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "monitoring.invalid_webhook"
    assert site.api("robot").post("/api/v1/webhooks", json=body).status_code == 403


def test_only_operators_inspect_parked_deliveries(site: Served) -> None:
    c = site.api("buyer")
    c.put(f"/api/v1/watchlist/{GATE}")
    c.post("/api/v1/webhooks", json={"url": "https://receiver.invalid/hook"})
    _degrade_gate(site)
    at = datetime.now(UTC)
    for attempt in range(1, monitoring.MAX_ATTEMPTS + 1):
        with begin_write(site.engine) as conn:
            monitoring.deliver_due(conn, send=lambda *_: 503, at=at)
        at += monitoring.backoff(attempt)
    for username in ("buyer", "rep"):
        r = site.api(username).get("/api/v1/webhooks/parked")
        assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
    r = site.api("ops").get("/api/v1/webhooks/parked")
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store"
    parked = r.json()
    ParkedListOut.model_validate(parked)
    assert len(parked["parked"]) == 2
    assert {p["last_error"] for p in parked["parked"]} == {"HTTP 503"}
    assert {p["attempts"] for p in parked["parked"]} == {monitoring.MAX_ATTEMPTS}


def test_the_watchlist_page_adds_shows_and_removes(site: Served) -> None:
    assert site.client().get("/watchlist").status_code == 401
    c = site.signed_in("buyer")
    csrf = page_csrf(c, "/watchlist")
    r = c.post("/watchlist/add", data={"csrf_token": csrf, "usci": GATE, "label": "supplier 7"})
    assert r.status_code == 303 and r.headers["location"] == "/watchlist"
    _degrade_gate(site)
    page = c.get("/watchlist")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert GATE in page.text and "supplier 7" in page.text
    assert "grade B → C" in page.text and 'href="/watchlist/events.atom"' in page.text
    feed = c.get("/watchlist/events.atom")
    assert feed.status_code == 200 and len(_entries(feed.content)) == 2
    r = c.post("/watchlist/remove", data={"csrf_token": csrf, "usci": GATE})
    assert r.status_code == 303
    assert monitoring_entries(site, "buyer") == []


def monitoring_entries(site: Served, username: str) -> list[str]:
    with site.engine.connect() as conn:
        return [w.usci for w in monitoring.watched(conn, username)]


def test_the_watchlist_page_refuses_forged_forms_and_explains_bad_identifiers(
    site: Served,
) -> None:
    c = site.signed_in("rep")
    r = c.post("/watchlist/add", data={"csrf_token": "forged", "usci": GATE})
    assert r.status_code == 403
    csrf = page_csrf(c, "/watchlist")
    r = c.post("/watchlist/add", data={"csrf_token": csrf, "usci": UNKNOWN})
    assert r.status_code == 404 and "entity.not_found" in r.text and 'name="usci"' in r.text
    r = c.post("/watchlist/add", data={"csrf_token": csrf, "usci": "not-a-usci"})
    assert r.status_code == 422 and "usci." in r.text
    assert c.post("/watchlist/remove", data={"csrf_token": "x", "usci": GATE}).status_code == 403
    assert monitoring_entries(site, "rep") == []
    assert DEFAULTER not in c.get("/watchlist").text

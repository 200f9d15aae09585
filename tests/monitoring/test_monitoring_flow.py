"""Watch, rescore, scan, list, Atom, deliver: monitoring against a stored registry."""

from __future__ import annotations

import json
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import monitoring
from corpcredit.cases.accounts import create_account
from corpcredit.errors import NotFound
from corpcredit.monitoring.schema import webhook_deliveries
from corpcredit.store import begin_write
from corpcredit.store.schema import results
from tests.screening.registry import DEFAULTER, GATE, HEAD, screening_registry
from tests.services.test_lookup_registry import Registry

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def registry(engine: Engine) -> Registry:
    reg = screening_registry(engine)
    create_account(engine, "buyer", "correct horse battery", "reviewer", actor="test")
    with begin_write(engine) as conn:
        monitoring.watch(conn, "buyer", GATE, label="supplier 1", at=T0)
        monitoring.watch(conn, "buyer", HEAD, at=T0)
        monitoring.scan(conn, at=T0)  # the baseline
    return reg


def _degrade_gate(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(results)
            .where(results.c.usci == GATE)
            .values(score=840, grade="C", black=True)
        )


def _scan(engine: Engine, at: datetime) -> list[int]:
    with begin_write(engine) as conn:
        return monitoring.scan(conn, at=at)


def test_the_first_scan_records_a_baseline_and_a_change_makes_events(
    registry: Registry, engine: Engine
) -> None:
    assert _scan(engine, T0 + timedelta(hours=1)) == []
    _degrade_gate(engine)
    registry.record(GATE, "admin_penalty", "general", "2025-06-01", "NEW1")
    found = _scan(engine, T0 + timedelta(hours=2))
    assert len(found) == 3
    with engine.connect() as conn:
        events = monitoring.list_events(conn, "buyer")
    assert [(e.usci, e.kind) for e in events] == [
        (GATE, "grade_changed"),
        (GATE, "list_entered"),
        (GATE, "record_published"),
    ]
    assert events[0].summary == "grade B → C (score 915 → 840)"
    assert _scan(engine, T0 + timedelta(hours=3)) == []  # remembered: nothing new


def test_events_page_by_cursor_and_only_for_what_the_account_watched(
    registry: Registry, engine: Engine
) -> None:
    _degrade_gate(engine)
    _scan(engine, T0 + timedelta(hours=1))
    with engine.connect() as conn:
        first = monitoring.list_events(conn, "buyer", limit=1)
        rest = monitoring.list_events(conn, "buyer", since=first[-1].id)
    assert len(first) == 1 and len(rest) == 1 and rest[0].id > first[0].id
    create_account(engine, "other", "correct horse battery", "reviewer", actor="test")
    with engine.connect() as conn:
        assert monitoring.list_events(conn, "other") == []
        with pytest.raises(NotFound):
            monitoring.list_events(conn, "nobody")


def test_the_atom_feed_lists_the_events_newest_first(registry: Registry, engine: Engine) -> None:
    _degrade_gate(engine)
    _scan(engine, T0 + timedelta(hours=1))
    with engine.connect() as conn:
        events = monitoring.list_events(conn, "buyer")
    xml = monitoring.atom_feed(
        events, feed_id="urn:corpcredit:watchlist:buyer", title="buyer",
        self_url="https://example.org/feed", entity_url="https://example.org/e/{usci}",
        updated=T0,
    )  # fmt: skip
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(xml)
    ids = [e.findtext("a:id", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert ids == [f"urn:corpcredit:event:{e.id}" for e in reversed(events)]
    title = feed.find("a:entry", ns).findtext("a:title", namespaces=ns)  # type: ignore[union-attr]
    assert title is not None and GATE in title


def test_watching_needs_a_known_account_and_organisation(
    registry: Registry, engine: Engine
) -> None:
    with begin_write(engine) as conn:
        assert not monitoring.watch(conn, "buyer", GATE)  # already there
        with pytest.raises(NotFound):
            monitoring.watch(conn, "buyer", "91110000600037341L")
        with pytest.raises(monitoring.UnknownAccount):
            monitoring.watch(conn, "nobody", GATE)
        assert monitoring.unwatch(conn, "buyer", HEAD)
        assert [w.usci for w in monitoring.watched(conn, "buyer")] == [GATE]
        assert DEFAULTER not in {w.usci for w in monitoring.watched(conn, "buyer")}


class _Receiver:
    """A real HTTP receiver on 127.0.0.1 that records what it got."""

    def __init__(self, status: int = 204, port: int = 0) -> None:
        self.got: list[tuple[Message, bytes]] = []  # headers match case-insensitively
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.got.append((self.headers, body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    with _Receiver() as r:
        yield r


def test_a_webhook_gets_each_event_signed(
    registry: Registry, engine: Engine, receiver: _Receiver
) -> None:
    with begin_write(engine) as conn:
        _, secret = monitoring.add_webhook(conn, "buyer", receiver.url, allow_private=True)
    _degrade_gate(engine)
    _scan(engine, T0 + timedelta(hours=1))
    with begin_write(engine) as conn:
        run = monitoring.deliver_due(conn, allow_private=True, at=T0 + timedelta(hours=1))
    assert (run.delivered, run.retried, run.parked) == (2, 0, 0)
    headers, body = receiver.got[0]
    stamp = int(headers["X-CorpCredit-Timestamp"])
    assert monitoring.verify(secret, stamp, body, headers["X-CorpCredit-Signature"])
    event = json.loads(body)
    assert event["usci"] == GATE and event["kind"] == "grade_changed"
    with begin_write(engine) as conn:  # delivered ones are not sent again
        assert (
            monitoring.deliver_due(conn, allow_private=True, at=T0 + timedelta(days=1)).delivered
            == 0
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_receiver_that_is_down_loses_nothing(registry: Registry, engine: Engine) -> None:
    port = _free_port()  # nothing listens there yet
    with begin_write(engine) as conn:
        monitoring.add_webhook(conn, "buyer", f"http://127.0.0.1:{port}/hook", allow_private=True)
    _degrade_gate(engine)
    at = T0 + timedelta(hours=1)
    _scan(engine, at)
    with begin_write(engine) as conn:
        run = monitoring.deliver_due(conn, allow_private=True, at=at)
    assert (run.delivered, run.retried) == (0, 2)
    with begin_write(engine) as conn:  # not due yet: it waits for its backoff
        assert (
            monitoring.deliver_due(conn, allow_private=True, at=at + timedelta(seconds=10)).retried
            == 0
        )
    with _Receiver(port=port) as up, begin_write(engine) as conn:
        run = monitoring.deliver_due(conn, allow_private=True, at=at + monitoring.backoff(1))
    assert run.delivered == 2 and len(up.got) == 2


def test_after_the_last_attempt_a_delivery_is_parked_and_can_be_retried(
    registry: Registry, engine: Engine
) -> None:
    with begin_write(engine) as conn:
        monitoring.add_webhook(conn, "buyer", "https://receiver.invalid/hook")
    _degrade_gate(engine)
    at = T0 + timedelta(hours=1)
    _scan(engine, at)
    calls: list[str] = []

    def failing(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        calls.append(url)
        return 503

    for attempt in range(1, monitoring.MAX_ATTEMPTS + 1):
        with begin_write(engine) as conn:
            run = monitoring.deliver_due(conn, send=failing, at=at)
        at += monitoring.backoff(attempt)
    assert run.parked == 2 and len(calls) == 2 * monitoring.MAX_ATTEMPTS
    with engine.connect() as conn:
        parked = monitoring.parked(conn)
        states = {s for (s,) in conn.execute(sa.select(webhook_deliveries.c.state))}
    assert states == {"parked"} and parked[0]["last_error"] == "HTTP 503"
    with begin_write(engine) as conn:
        assert monitoring.deliver_due(conn, send=failing, at=at + timedelta(days=1)).parked == 0
        assert monitoring.retry_parked(conn, at=at) == 2
        run = monitoring.deliver_due(conn, send=lambda *_: 200, at=at)
    assert run.delivered == 2

"""Webhooks: events POSTed to an account's receivers, signed, retried, never lost.

Each delivery is a JSON body (the event, :meth:`MonitorEvent.to_json`) with the
headers ``X-CorpCredit-Event``, ``X-CorpCredit-Timestamp`` (Unix seconds) and
``X-CorpCredit-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<timestamp>.<body>"`` under the receiver's secret (:func:`verify` is the
receiver's side). A 2xx answer delivers it; anything else — another status, a
refused connection, a timeout — schedules the next attempt after an exponential
backoff (:func:`backoff`: 30 s, 1, 2, 4 … min). After :data:`MAX_ATTEMPTS`
failures the delivery is *parked* for inspection, and :func:`retry_parked` puts
it back in the queue. A receiver that is down loses nothing: deliveries wait in
the store until it answers.

Receivers must be on the public internet unless the operator allows private
ones (``CORPCREDIT_WEBHOOK_ALLOW_PRIVATE``, for an internal deployment): a
registered URL naming a loopback, private, link-local or otherwise non-global
address is refused, every delivery resolves the host again and refuses such an
address (a name that later resolves inwards), and redirects are never followed.
Otherwise any account could make the registry POST into its own network.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.errors import CorpCreditError
from corpcredit.monitoring.events import MonitorEvent
from corpcredit.monitoring.schema import monitor_events as ev
from corpcredit.monitoring.schema import webhook_deliveries as d
from corpcredit.monitoring.schema import webhooks
from corpcredit.monitoring.watchlist import account_id
from corpcredit.store.schema import entities

__all__ = [
    "MAX_ATTEMPTS",
    "BlockedDestination",
    "DeliveryRun",
    "InvalidWebhook",
    "Sender",
    "add_webhook",
    "backoff",
    "check_receiver_url",
    "deliver_due",
    "parked",
    "post_json",
    "retry_parked",
    "sign",
    "verify",
]

MAX_ATTEMPTS = 8
MIN_SECRET, MAX_SECRET = 16, 200
MAX_URL = 2000
_BASE = timedelta(seconds=30)
_TIMEOUT_S = 10
_BATCH = 200

#: ``send(url, body, headers)`` → HTTP status; raises ``OSError`` when unreachable.
Sender = Callable[[str, bytes, Mapping[str, str]], int]


class InvalidWebhook(CorpCreditError):
    code = "monitoring.invalid_webhook"
    http_status = 422


class BlockedDestination(OSError):
    """A delivery refused because the receiver's address is not a public one."""


_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _host(url: str) -> str:
    host = urlsplit(url).hostname
    if not host:
        raise InvalidWebhook(f"{url[:80]!r} names no host")
    return host


def check_receiver_url(url: str, *, allow_private: bool = False) -> None:
    """Refuse a URL that is not http(s), too long, or (unless allowed) names a
    non-public address or a local name."""
    if not url.startswith(("https://", "http://")) or len(url) > MAX_URL:
        raise InvalidWebhook(f"{url[:80]!r} is not an http(s) URL of at most {MAX_URL} characters")
    host = _host(url).lower().rstrip(".")
    if allow_private:
        return
    try:
        literal = not _is_public(host)
    except ValueError:  # a name, not an address
        literal = host == "localhost" or host.endswith(_LOCAL_NAMES)
    if literal:
        raise InvalidWebhook(
            f"{host!r} is not a public address: webhook receivers must be reachable on the "
            "internet (an operator may allow private ones with CORPCREDIT_WEBHOOK_ALLOW_PRIVATE)",
            code="monitoring.private_webhook",
        )


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    """The receiver's check, in constant time."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure (1-based): 30 s, then doubling."""
    return timedelta(seconds=_BASE.total_seconds() * 2 ** max(attempts - 1, 0))


def add_webhook(
    conn: Connection, account: str | int, url: str, *, secret: str | None = None,
    allow_private: bool = False, at: datetime | None = None,
) -> tuple[int, str]:  # fmt: skip
    """Register a receiver for the account's events; return its id and secret.

    Without ``secret`` a random one is made (show it once: only the receiver and
    the registry may know it); a given one must be 16 to 200 characters.
    """
    check_receiver_url(url, allow_private=allow_private)
    if secret is not None and not MIN_SECRET <= len(secret) <= MAX_SECRET:
        raise InvalidWebhook(
            f"a webhook secret needs {MIN_SECRET} to {MAX_SECRET} characters; "
            "or leave it out to get a random one"
        )
    secret = secret or secrets.token_hex(32)
    hook_id = conn.execute(
        webhooks.insert()
        .values(
            account_id=account_id(conn, account), url=url, secret=secret,
            created_at=at or datetime.now(UTC),
        )
        .returning(webhooks.c.id)
    ).scalar_one()  # fmt: skip
    return int(hook_id), secret


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 3xx itself is the answer: not delivered, retried later


_OPENER = urllib.request.build_opener(_NoRedirects)


def _check_resolved(url: str) -> None:
    parts = urlsplit(url)
    host = _host(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if not _is_public(str(sockaddr[0])):
            raise BlockedDestination(f"{host} resolves to {sockaddr[0]}, not a public address")


def post_json(
    url: str, body: bytes, headers: Mapping[str, str], *, allow_private: bool = False
) -> int:
    """POST with the standard library, following no redirect; the status (HTTP errors
    are statuses too). Unless ``allow_private``, a host resolving to a non-public
    address raises :class:`BlockedDestination` (an ``OSError``: retried, then parked)."""
    if not allow_private:
        _check_resolved(url)
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with _OPENER.open(request, timeout=_TIMEOUT_S) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@dataclass
class DeliveryRun:
    """What one :func:`deliver_due` pass did."""

    delivered: int = 0
    retried: int = 0
    parked: int = 0


def _due(conn: Connection, at: datetime) -> list[sa.RowMapping]:
    q = (
        sa.select(
            d.c.id, d.c.attempts, webhooks.c.url, webhooks.c.secret, ev.c.id.label("event_id"),
            ev.c.usci, entities.c.name, ev.c.kind, ev.c.detail, ev.c.occurred_at,
        )
        .select_from(
            d.join(webhooks, webhooks.c.id == d.c.webhook_id)
            .join(ev, ev.c.id == d.c.event_id)
            .join(entities, entities.c.usci == ev.c.usci)
        )
        .where(d.c.state == "pending", d.c.next_attempt_at <= at, webhooks.c.disabled_at.is_(None))
        .order_by(d.c.next_attempt_at, d.c.id)
        .limit(_BATCH)
    )  # fmt: skip
    return list(conn.execute(q).mappings())


def deliver_due(
    conn: Connection, *, send: Sender | None = None, allow_private: bool = False,
    at: datetime | None = None,
) -> DeliveryRun:  # fmt: skip
    """Attempt every delivery that is due; record each outcome. ``send`` defaults to
    :func:`post_json` (public receivers only unless ``allow_private``)."""
    at = at or datetime.now(UTC)
    if send is None:

        def send(url: str, body: bytes, headers: Mapping[str, str]) -> int:
            return post_json(url, body, headers, allow_private=allow_private)

    run = DeliveryRun()
    for row in _due(conn, at):
        event = MonitorEvent(
            row["event_id"], row["usci"], row["name"], row["kind"], row["detail"],
            row["occurred_at"],
        )  # fmt: skip
        body = json.dumps(event.to_json(), ensure_ascii=False, sort_keys=True).encode()
        stamp = int(at.timestamp())
        headers = {
            "Content-Type": "application/json",
            "X-CorpCredit-Event": str(event.id),
            "X-CorpCredit-Timestamp": str(stamp),
            "X-CorpCredit-Signature": sign(row["secret"], stamp, body),
        }
        status: int | None = None
        error: str | None = None
        try:
            status = send(row["url"], body, headers)
        except OSError as exc:  # refused, unreachable, timed out
            error = f"{type(exc).__name__}: {exc}"
        attempts = row["attempts"] + 1
        values: dict[str, object] = {
            "attempts": attempts,
            "last_status": status,
            "last_error": error,
        }
        if status is not None and 200 <= status < 300:
            values.update(state="delivered", delivered_at=at, next_attempt_at=None)
            run.delivered += 1
        elif attempts >= MAX_ATTEMPTS:
            values.update(state="parked", next_attempt_at=None)
            run.parked += 1
        else:
            values.update(next_attempt_at=at + backoff(attempts))
            run.retried += 1
        if status is not None and error is None and not 200 <= status < 300:
            values["last_error"] = f"HTTP {status}"
        conn.execute(d.update().where(d.c.id == row["id"]).values(**values))
    return run


def parked(conn: Connection) -> list[dict[str, object]]:
    """Deliveries that gave up, for inspection."""
    q = (
        sa.select(
            d.c.id, d.c.event_id, webhooks.c.url, d.c.attempts, d.c.last_status, d.c.last_error
        )
        .select_from(d.join(webhooks, webhooks.c.id == d.c.webhook_id))
        .where(d.c.state == "parked")
        .order_by(d.c.id)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def retry_parked(conn: Connection, *, at: datetime | None = None) -> int:
    """Put every parked delivery back in the queue, due now; return how many."""
    return int(
        conn.execute(
            d.update()
            .where(d.c.state == "parked")
            .values(state="pending", attempts=0, next_attempt_at=at or datetime.now(UTC))
        ).rowcount
    )

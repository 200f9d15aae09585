"""Webhook receivers must be public unless the operator allows private ones."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from corpcredit.monitoring.webhooks import (
    BlockedDestination,
    InvalidWebhook,
    check_receiver_url,
    post_json,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://api.localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://printer.local/hook",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
def test_private_receivers_are_refused_at_registration(url: str) -> None:
    with pytest.raises(InvalidWebhook) as caught:
        check_receiver_url(url)
    assert caught.value.code == "monitoring.private_webhook"
    check_receiver_url(url, allow_private=True)  # an internal deployment may allow them


@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/corpcredit", "http://93.184.215.14:8443/x"]
)
def test_public_receivers_are_accepted(url: str) -> None:
    check_receiver_url(url)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "https:///nohost", "x" * 10])
def test_malformed_receivers_are_refused(url: str) -> None:
    with pytest.raises(InvalidWebhook):
        check_receiver_url(url, allow_private=True)


class _Redirect(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.hits.append(self.path)
        self.send_response(307 if self.path == "/hook" else 200)
        self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirecting() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Redirect.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_a_delivery_to_a_name_resolving_inwards_is_blocked(redirecting: str) -> None:
    local = redirecting.replace("127.0.0.1", "localhost")
    with pytest.raises(BlockedDestination):
        post_json(local, b"{}", {})
    assert _Redirect.hits == []  # nothing was sent


def test_redirects_are_never_followed(redirecting: str) -> None:
    assert post_json(redirecting, b"{}", {}, allow_private=True) == 307
    assert _Redirect.hits == ["/hook"]

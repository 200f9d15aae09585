"""`corpcredit serve` and :func:`corpcredit.web.serve`: one process or several workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
import uvicorn
from typer.testing import CliRunner
from uvicorn.config import STARTUP_FAILURE

from corpcredit.cli import app as cli
from corpcredit.settings import Settings
from corpcredit.web.serve import _tcp_listener, reuse_port_listeners, settings_environment
from tests.web.conftest import free_port
from tests.web.site_registry import HEAD, Site


def test_serve_command_documents_host_port_and_workers() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert all(opt in result.output for opt in ("--host", "--port", "--workers"))


def test_settings_travel_to_workers_through_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        rate_limit_per_minute=7,
        catalogue_path=None,
        evidence_dir=tmp_path,
    )
    env = settings_environment(settings)
    assert env["CORPCREDIT_CATALOGUE_PATH"] is None
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert Settings() == settings


def _wait_until_serving(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"server exited: {proc.stdout.read().decode() if proc.stdout else ''}"
            )
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


_SERVE = [sys.executable, "-m", "corpcredit.cli", "serve"]


@dataclass
class _Served:
    proc: subprocess.Popen[bytes]
    port: int
    output: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def _serving(database_url: str, workers: int) -> Iterator[_Served]:
    """``corpcredit serve`` in a process of its own until the block ends (Ctrl-C then);
    what it printed is in ``output`` afterwards."""
    port = free_port()
    served = _Served(
        subprocess.Popen(
            [*_SERVE, "--port", str(port), "--workers", str(workers), "--no-access-log"],
            env={**os.environ, "CORPCREDIT_DATABASE_URL": database_url},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ),
        port,
    )
    try:
        _wait_until_serving(f"{served.base}/api/v1/catalogue", served.proc)
        yield served
    finally:
        served.proc.send_signal(signal.SIGINT)
        try:
            served.output = served.proc.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            served.proc.kill()
            served.output = served.proc.communicate()[0].decode()


@pytest.mark.parametrize("workers", [1, 2])
def test_corpcredit_serve_serves_the_registry_of_the_database_url(
    site_db: tuple[str, Site], workers: int
) -> None:
    with _serving(site_db[0], workers) as served:
        entity = httpx.get(f"{served.base}/api/v1/entities/{HEAD}", timeout=10)
        assert entity.status_code == 200 and entity.json()["score"] == 923
        page = httpx.get(f"{served.base}/entities/{HEAD}", timeout=10)
        assert page.status_code == 200 and "北京示例控股集团有限公司" in page.text
    assert f"serving on http://127.0.0.1:{served.port}" in served.output


def test_the_several_worker_listener_is_tcp_so_accepted_sockets_get_nodelay() -> None:
    """uvicorn's own listener reports protocol 0, and asyncio then leaves Nagle on."""
    config = uvicorn.Config("corpcredit.web.serve:app_from_environment", port=free_port())
    sock = _tcp_listener(config)
    try:
        assert sock.proto == socket.IPPROTO_TCP and sock.get_inheritable()
        sock.listen()
        with socket.create_connection(sock.getsockname()):
            accepted, _ = sock.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def _listening(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.listen(64)
        sock.setblocking(False)


def _accept_all(sock: socket.socket) -> int:
    accepted = 0
    while True:
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return accepted
        conn.close()
        accepted += 1


def test_each_worker_gets_its_own_socket_on_one_port() -> None:
    sockets = reuse_port_listeners("127.0.0.1", 0, 3)
    try:
        ports = {sock.getsockname()[1] for sock in sockets}
        assert len(sockets) == 3 and len(ports) == 1 and ports != {0}
        assert all(s.proto == socket.IPPROTO_TCP and s.get_inheritable() for s in sockets)
    finally:
        for sock in sockets:
            sock.close()


def test_connections_opened_at_once_are_spread_over_the_workers() -> None:
    """One shared socket lets the first worker awake take them all; here the kernel spreads them."""
    sockets = reuse_port_listeners("127.0.0.1", 0, 2)
    clients: list[socket.socket] = []
    try:
        _listening(sockets)
        address = sockets[0].getsockname()
        clients = [socket.create_connection(address) for _ in range(32)]
        time.sleep(0.2)
        counts = [_accept_all(sock) for sock in sockets]
        # all 32 on one socket has a chance of 2 in 2**32
        assert sum(counts) == 32 and min(counts) > 0, counts
    finally:
        for sock in [*clients, *sockets]:
            sock.close()


@pytest.mark.parametrize("reuse_port", [False, True])
def test_a_port_already_served_is_refused_not_shared(reuse_port: bool) -> None:
    """A second server on a busy port stops, as uvicorn would, even beside SO_REUSEPORT."""
    first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse_port:
        first.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    first.bind(("127.0.0.1", 0))
    first.listen()
    try:
        with pytest.raises(SystemExit) as stopped:
            reuse_port_listeners("127.0.0.1", first.getsockname()[1], 2)
        assert stopped.value.code == STARTUP_FAILURE
    finally:
        first.close()


def test_a_second_group_on_the_port_is_refused_while_the_first_starts() -> None:
    """The first server's sockets listen from the start, before its workers run."""
    first = reuse_port_listeners("127.0.0.1", 0, 2)
    try:
        with pytest.raises(SystemExit):
            reuse_port_listeners("127.0.0.1", first[0].getsockname()[1], 2)
    finally:
        for sock in first:
            sock.close()


def _listening_on(pid: int, port: int) -> int:
    return sum(
        1
        for c in psutil.Process(pid).net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    )


def _workers(proc: subprocess.Popen[bytes], count: int, timeout: float = 90) -> list[int]:
    """The pids of the server's ``count`` live workers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = []
        for child in psutil.Process(proc.pid).children():
            try:
                if child.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(
                    child.cmdline()
                ):
                    kids.append(child.pid)
            except psutil.Error:  # gone meanwhile
                continue
        if len(kids) == count:
            return kids
        time.sleep(0.2)
    raise AssertionError(f"expected {count} workers")


def test_each_worker_keeps_its_own_socket_when_replaced_and_their_number_is_fixed(
    site_db: tuple[str, Site],
) -> None:
    with _serving(site_db[0], 2) as served:
        proc, port = served.proc, served.port
        first = _workers(proc, 2)
        os.kill(first[0], signal.SIGKILL)  # a worker dies: its successor takes its socket
        os.kill(proc.pid, signal.SIGTTOU)  # refused: one socket would be left to nobody
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and set(_workers(proc, 2)) == set(first):
            time.sleep(0.2)
        now = _workers(proc, 2)
        assert first[0] not in now and first[1] in now
        _wait_until_serving(f"{served.base}/api/v1/catalogue", proc)
        for pid in now:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _listening_on(pid, port) != 1:
                time.sleep(0.2)
            assert _listening_on(pid, port) == 1
        # Every connection is answered, whichever socket the kernel gives it to (the
        # successor may still be starting: its connections wait for it, not forever).
        with httpx.Client(timeout=90, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            url = f"{served.base}/api/v1/catalogue"
            assert all(client.get(url).status_code == 200 for _ in range(32))
    assert "number of workers is fixed" in served.output

"""Serving the site: uvicorn in this process, or several worker processes.

:func:`serve` is what ``corpcredit serve`` and ``corpcredit demo --serve`` call.
With one worker the app is built here from the settings object. With several,
uvicorn starts fresh processes that import :func:`app_from_environment`; the
settings travel to them as the ``CORPCREDIT_*`` variables they were read from,
so every worker serves the same registry with the same limits.

The several-worker path binds the listening sockets itself:

- **One socket per worker, bound with ``SO_REUSEPORT``**, so the kernel spreads
  incoming connections over the workers. With one shared socket every worker
  is woken for every connection and the first one awake accepts all that are
  waiting: a client that opens its keep-alive connections at once (a browser,
  a proxy's pool, the load benchmark) lands them all on one worker while the
  others idle, and throughput is one core's. Where ``SO_REUSEPORT`` is missing
  (not Linux or BSD) the workers share one socket as before.
- **Marked as TCP**: uvicorn's own socket reports protocol 0, so asyncio never
  sets ``TCP_NODELAY`` on the connections it accepts and every keep-alive
  response waits ~40 ms for the client's delayed ACK (uvicorn issue #3149, open
  for the version pinned here).

A worker that dies, hangs or is reloaded is replaced by one on the same socket
(:class:`_SpreadOverWorkers`).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from corpcredit.settings import Settings, get_settings
from corpcredit.web.app import create_app

__all__ = ["app_from_environment", "serve", "settings_environment"]

logger = logging.getLogger("uvicorn.error")

_PREFIX = "CORPCREDIT_"
GRACEFUL_SHUTDOWN_SECONDS = 10


def _env_value(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, list | dict | tuple):
        return json.dumps(value)  # how pydantic-settings reads complex values back
    return str(value)


def settings_environment(settings: Settings) -> dict[str, str | None]:
    """``CORPCREDIT_*`` variables reproducing ``settings`` (None: unset the variable)."""
    return {
        f"{_PREFIX}{name.upper()}": _env_value(getattr(settings, name))
        for name in type(settings).model_fields
    }


def app_from_environment() -> FastAPI:
    """The app factory each worker process calls."""
    return create_app(get_settings())


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    *,
    access_log: bool = True,
) -> None:
    """Serve the API and the pages until interrupted (Ctrl-C)."""
    options = {
        "host": host,
        "port": port,
        "access_log": access_log,
        "proxy_headers": True,
        # Ctrl-C waits this long for requests in flight, then stops anyway.
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }
    if workers <= 1:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        return
    for name, value in settings_environment(settings).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    config = uvicorn.Config(
        "corpcredit.web.serve:app_from_environment",
        factory=True,
        workers=workers,
        **options,  # type: ignore[arg-type]
    )
    if hasattr(socket, "SO_REUSEPORT"):
        listeners = reuse_port_listeners(host, port, workers, config.backlog)
        _SpreadOverWorkers(config, sockets=listeners).run()
    else:  # pragma: no cover - every platform the project runs on has it
        Multiprocess(config, sockets=[_tcp_listener(config)]).run()


def _tcp_listener(config: uvicorn.Config) -> socket.socket:
    """uvicorn's listening socket, re-wrapped so it (and what it accepts) says TCP."""
    bound = config.bind_socket()
    sock = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    sock.set_inheritable(True)
    return sock


def reuse_port_listeners(
    host: str, port: int, count: int, backlog: int = 2048
) -> list[socket.socket]:
    """``count`` TCP sockets listening on one address with ``SO_REUSEPORT``.

    The address is first bound once without ``SO_REUSEPORT``: that fails, as
    ``uvicorn.run`` would, when any program (a second ``corpcredit serve`` too)
    already listens there, instead of quietly sharing its connections. Port 0
    takes the free port that probe was given.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets: list[socket.socket] = []
    try:
        with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            port = probe.getsockname()[1]
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            # Listening at once keeps the port ours: a socket of a group that is only
            # bound would let a second server's probe bind beside it and join the group.
            sock.listen(backlog)
            sock.set_inheritable(True)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        logger.error("cannot listen on %s:%s: %s", host, port, exc)
        sys.exit(STARTUP_FAILURE)
    logger.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", host, port)
    return sockets


class _SpreadOverWorkers(Multiprocess):
    """uvicorn's supervisor (0.54's ``Multiprocess``) with worker ``k`` listening on
    socket ``k`` only, also when it is replaced: a worker that died or hung, or every
    worker on ``SIGHUP``, is succeeded by one on the same socket, so no socket is left
    without a worker accepting from it. The sockets are fixed when serving starts, so
    adding or removing workers by signal (``SIGTTIN``/``SIGTTOU``) is refused.
    """

    def _start(self, k: int) -> Process:
        process = Process(self.config, [self.sockets[k]])
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self._start(k) for k in range(len(self.sockets))]

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for k, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung: gone for good
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                # Broken app, TLS or socket: every restart would fail the same way.
                logger.error("Child process [%s] failed to start, stopping.", process.pid)
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            logger.info("Child process [%s] died", process.pid)
            self.processes[k] = self._start(k)

    def restart_all(self) -> None:
        """Replace each worker, its successor serving before it is retired."""
        for k, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._start(k)
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                if not self.should_exit.is_set():
                    logger.error(
                        "New child process [%s] was not ready in time; keeping worker [%s] "
                        "and aborting the restart.",
                        new.pid,
                        old.pid,
                    )
                return
            old.terminate()
            old.join()
            self.processes[k] = new

    def handle_ttin(self) -> None:
        logger.warning("The number of workers is fixed while serving: restart with --workers.")

    def handle_ttou(self) -> None:
        self.handle_ttin()

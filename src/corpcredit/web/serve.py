"""Serving the site: uvicorn in this process, or several worker processes.

:func:`serve` is what ``corpcredit serve`` and ``corpcredit demo --serve`` call.
With one worker the app is built here from the settings object. With several,
uvicorn starts fresh processes that import :func:`app_from_environment`; the
settings travel to them as the ``CORPCREDIT_*`` variables they were read from,
so every worker serves the same registry with the same limits.

The several-worker path binds the listening socket itself, as ``uvicorn.run``
would, but marks it as TCP: uvicorn's own socket reports protocol 0, so asyncio
never sets ``TCP_NODELAY`` on the connections it accepts and every keep-alive
response waits ~40 ms for the client's delayed ACK (uvicorn issue #3149, open
for the version pinned here).
"""

from __future__ import annotations

import json
import os
import socket

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from uvicorn.supervisors import Multiprocess

from corpcredit.settings import Settings, get_settings
from corpcredit.web.app import create_app

__all__ = ["app_from_environment", "serve", "settings_environment"]

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
    Multiprocess(config, sockets=[_tcp_listener(config)]).run()


def _tcp_listener(config: uvicorn.Config) -> socket.socket:
    """uvicorn's listening socket, re-wrapped so it (and what it accepts) says TCP."""
    bound = config.bind_socket()
    sock = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    sock.set_inheritable(True)
    return sock

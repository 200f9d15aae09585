"""`corpcredit serve`: the public site and the REST API over the registry database."""

from __future__ import annotations

from typing import Annotated

import typer

from corpcredit.settings import get_settings
from corpcredit.store import display_url

__all__ = ["register"]


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Serve the pages and the API of the registry at CORPCREDIT_DATABASE_URL."""
    from corpcredit.web import serve as run  # FastAPI only when serving

    settings = get_settings()
    typer.echo(f"database: {display_url(settings.database_url)}")
    typer.echo(f"serving on http://{host}:{port}  (Ctrl-C to stop)")
    run(settings, host, port, workers, access_log=access_log)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("serve")(serve)

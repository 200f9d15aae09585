"""`corpcredit screen`, `screen-index`, `screen-decide` and `watch …`: supplier screening
and monitoring, thin over :mod:`corpcredit.screening` and :mod:`corpcredit.monitoring`.

``screen INPUT --out REPORT`` matches every row of a CSV or XLSX supplier list
(columns ``name`` and/or ``usci``) against the registry and writes the report
(CSV or XLSX); the candidate index is loaded from ``--index`` (default
``var/screening``), brought up to date, or built on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.engine import Engine

from corpcredit import monitoring, screening
from corpcredit.cli._common import console, err_console
from corpcredit.settings import get_settings
from corpcredit.store import begin_write, connect

__all__ = ["register"]

_INDEX_HELP = "Directory of the candidate index (default: var/screening)."


@contextmanager
def _engine() -> Iterator[Engine]:
    engine = connect(get_settings())
    try:
        yield engine
    finally:
        engine.dispose()


def _index(engine: Engine, directory: Path | None, rebuild: bool) -> screening.CandidateIndex:
    with (
        engine.connect() as conn,
        err_console.status("Loading the candidate index …") as status,
    ):

        def built(n: int) -> None:
            status.update(f"Building the candidate index: {n:,} organisations …")

        return screening.open_index(conn, directory, rebuild=rebuild, progress=built)


def _summary_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Screening", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("rows", f"{summary['rows']:,}")
    for key in ("status", "flags", "lists"):
        for what, n in summary[key].items():
            table.add_row(f"{key}: {what}", f"{n:,}")
    return table


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(watch_app, name="watch")

    @app.command("screen")
    def screen(
        input_path: Path = typer.Argument(..., metavar="INPUT", help="Supplier list (.csv/.xlsx)."),
        out: Path = typer.Option(..., "--out", help="Report to write (.csv or .xlsx)."),
        index_dir: Path | None = typer.Option(None, "--index", help=_INDEX_HELP),
        rebuild: bool = typer.Option(False, "--rebuild-index", help="Build the index afresh."),
    ) -> None:
        """Match a supplier list against the registry and report each match's standing."""
        columns, rows = screening.read_rows(input_path)
        screening.find_columns(columns)  # fail before the index is loaded
        with _engine() as engine:
            matcher = screening.Matcher(_index(engine, index_dir, rebuild))
            columns_ = [TextColumn("Screening"), BarColumn(), MofNCompleteColumn()]
            with (
                Progress(*columns_, TimeRemainingColumn(), console=err_console) as bar,
                engine.connect() as conn,
            ):
                task = bar.add_task("screen", total=len(rows))
                report = screening.screen_rows(
                    conn, rows, matcher, columns=columns,
                    progress=lambda done, _: bar.update(task, completed=done),
                )  # fmt: skip
        screening.write_report(report, out)
        summary = report.summary()
        console.print(_summary_table(summary))
        stamp = report.stamp
        console.print(
            f"Wrote {escape(str(out))}; audit head {stamp.audit_seq} "
            f"({stamp.audit_hash[:12]}…), catalogue {', '.join(stamp.catalogue_versions) or '—'}, "
            f"{stamp.matcher_version}"
        )

    @app.command("screen-index")
    def screen_index(
        index_dir: Path | None = typer.Option(None, "--index", help=_INDEX_HELP),
        rebuild: bool = typer.Option(False, "--rebuild", help="Build the index afresh."),
    ) -> None:
        """Build the screening index, or bring it up to date with the registry."""
        with _engine() as engine:
            index = _index(engine, index_dir, rebuild)
        m = index.manifest
        console.print(
            f"Index of {m.entities:,} organisations ({len(index):,} names), built {m.built_at}, "
            f"current to {m.watermark or '—'}; {index.delta_size:,} names added since."
        )

    @app.command("screen-decide")
    def screen_decide(
        name: str = typer.Argument(..., help="The name as written in the supplier list."),
        usci: str = typer.Argument(..., help="The organisation that is not the one meant."),
        by: str = typer.Option(..., "--by", help="Who decides (recorded in the audit log)."),
        note: str | None = typer.Option(None, "--note", help="Why, for the next reviewer."),
        undo: bool = typer.Option(False, "--withdraw", help="Withdraw an earlier decision."),
    ) -> None:
        """Record that USCI is "not this one" for NAME; later screenings leave it out."""
        with _engine() as engine, begin_write(engine) as conn:
            if undo:
                done = screening.withdraw(conn, name, usci, by=by)
                console.print("Withdrawn." if done else "There was no such decision.")
                return
            decision = screening.not_this_one(conn, name, usci, by=by, note=note)
        console.print(
            f"Recorded: {decision.usci} is not {escape(name)!r} (key {decision.query_key})."
        )


watch_app = typer.Typer(help="Watch organisations: watchlists, change events, webhooks.")
_ACCOUNT = typer.Option(..., "--account", help="The account (username) whose watchlist it is.")


@watch_app.command("add")
def watch_add(
    usci: str = typer.Argument(..., help="The organisation to watch."),
    account: str = _ACCOUNT,
    label: str | None = typer.Option(None, "--label", help="A note for the list."),
) -> None:
    """Add an organisation to an account's watchlist."""
    with _engine() as engine, begin_write(engine) as conn:
        added = monitoring.watch(conn, account, usci, label=label)
    console.print("Watching." if added else "Already watched.")


@watch_app.command("remove")
def watch_remove(usci: str = typer.Argument(...), account: str = _ACCOUNT) -> None:
    """Remove an organisation from an account's watchlist."""
    with _engine() as engine, begin_write(engine) as conn:
        removed = monitoring.unwatch(conn, account, usci)
    console.print("Removed." if removed else "It was not on the watchlist.")


@watch_app.command("list")
def watch_list(account: str = _ACCOUNT) -> None:
    """Show an account's watchlist."""
    with _engine() as engine, engine.connect() as conn:
        entries = monitoring.watched(conn, account)
    table = Table(title=f"Watchlist of {escape(account)}")
    for col in ("USCI", "name", "label", "since"):
        table.add_column(col)
    for e in entries:
        table.add_row(e.usci, escape(e.name), escape(e.label or ""), e.added_at.date().isoformat())
    console.print(table)


@watch_app.command("scan")
def watch_scan() -> None:
    """Compare watched organisations with their last seen state; store the changes."""
    with _engine() as engine, begin_write(engine) as conn:
        found = monitoring.scan(conn)
    console.print(f"{len(found):,} change event(s).")


@watch_app.command("events")
def watch_events(
    account: str = _ACCOUNT,
    since: int = typer.Option(0, "--since", help="Only events after this event id."),
    atom: bool = typer.Option(False, "--atom", help="Print an Atom feed instead."),
) -> None:
    """List an account's change events."""
    with _engine() as engine, engine.connect() as conn:
        events = monitoring.list_events(conn, account, since=since)
    if atom:
        now = datetime.now(UTC)
        feed = monitoring.atom_feed(
            events, feed_id=f"urn:corpcredit:watchlist:{account}", title=f"corpcredit: {account}",
            self_url=f"/api/v1/watch/events.atom?since={since}", entity_url="/entities/{usci}",
            updated=now,
        )  # fmt: skip
        console.print(feed, markup=False, highlight=False, soft_wrap=True)
        return
    for e in events:
        console.print(
            f"{e.id}\t{e.occurred_at:%Y-%m-%d %H:%M}\t{e.usci}\t{escape(e.name)}: {e.summary}"
        )


@watch_app.command("webhook")
def watch_webhook(
    url: str = typer.Argument(..., help="Where to POST the account's events."),
    account: str = _ACCOUNT,
) -> None:
    """Register a webhook; its signing secret is shown once."""
    private = get_settings().webhook_allow_private
    with _engine() as engine, begin_write(engine) as conn:
        hook_id, secret = monitoring.add_webhook(conn, account, url, allow_private=private)
    console.print(f"Webhook {hook_id}; secret (shown once): {secret}")


@watch_app.command("deliver")
def watch_deliver(
    retry_parked: bool = typer.Option(False, "--retry-parked", help="Queue parked ones again."),
) -> None:
    """Deliver due webhook calls (run it every minute)."""
    private = get_settings().webhook_allow_private
    with _engine() as engine, begin_write(engine) as conn:
        if retry_parked:
            console.print(f"{monitoring.retry_parked(conn):,} parked delivery(ies) queued again.")
        run = monitoring.deliver_due(conn, allow_private=private)
    console.print(f"delivered {run.delivered}, to retry {run.retried}, parked {run.parked}")

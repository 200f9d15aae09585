"""`corpcredit show|search|lists|export`: reading the registry, thin over the services.

Each command parses its options, calls one service function (the same ones the web
site uses) and renders the result with Rich, as JSON or as CSV. Errors are project
errors, mapped to exit codes once by the root group: an unknown USCI exits 4 with
``entity.not_found``, an invalid one 4 with the identifier module's reason.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import Connection

from corpcredit.catalogue import Catalogue
from corpcredit.cli._common import console, load_catalogue_option, parse_date, parse_timestamp
from corpcredit.services.export import export as export_registry
from corpcredit.services.lists import ListMember, list_members
from corpcredit.services.lookup import EntityView, RecordView, entity_view, to_jsonable
from corpcredit.services.search import search as search_registry
from corpcredit.settings import get_settings
from corpcredit.store import connect

__all__ = ["register"]

_PAGE = 1000
_BADGES = {
    "black": "bold white on red",
    "red": "bold white on dark_red",
    "abnormal": "black on yellow",
}
_LIST_NAMES = {"black": "black list", "red": "red list", "abnormal": "abnormal operations"}

CatalogueOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalogue", help="Rule catalogue TOML (default: CORPCREDIT_CATALOGUE_PATH or shipped)."
    ),
]


class ListName(StrEnum):
    black = "black"
    red = "red"
    abnormal = "abnormal"


class ListFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@contextmanager
def _reading(catalogue: Path | None = None) -> Iterator[tuple[Connection, Catalogue]]:
    settings = get_settings()
    cat = load_catalogue_option(catalogue or settings.catalogue_path)
    engine = connect(settings)
    try:
        with engine.connect() as conn:
            yield conn, cat
    finally:
        engine.dispose()


def _day(value: date | None, none: str = "—") -> str:
    return none if value is None else value.isoformat()


def show(
    usci: Annotated[str, typer.Argument(help="The organisation's USCI (any spacing or case).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluation date YYYY-MM-DD.")
    ] = None,
    known_at: Annotated[
        str | None,
        typer.Option("--known-at", help="Show what was known then (ISO 8601; no offset: +08:00)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the public view as JSON.")] = False,
    catalogue: CatalogueOpt = None,
) -> None:
    """Score, grade, lists, top reasons, records in force, head office and branches."""
    day = parse_date(as_of, "--as-of") if as_of else None
    known = parse_timestamp(known_at, "--known-at") if known_at else None
    with _reading(catalogue) as (conn, cat):
        view = entity_view(conn, usci, as_of=day, known_at=known, cat=cat)
    if as_json:
        typer.echo(json.dumps(to_jsonable(view), ensure_ascii=False, indent=2))
    else:
        _render(view)


def _render(v: EntityView) -> None:
    i = v.identity
    console.print(f"[bold]{escape(i.name)}[/]" + (f"  {escape(i.name_en)}" if i.name_en else ""))
    meaning = " · ".join(
        x for x in (i.authority.en, i.entity_type.en, i.region, i.legal_form, i.status) if x
    )
    console.print(f"USCI {i.formatted}  ({escape(meaning)})", soft_wrap=True)
    if i.aliases:
        console.print("also known as: " + escape("、".join(i.aliases)))
    when = f"as of {v.as_of}" + (f", as known at {v.known_at.isoformat()}" if v.known_at else "")
    if i.natural_person:
        console.print(f"natural person (individual business): never scored  [dim]{when}[/]")
        return
    grade = f"{v.grade.code} ({v.grade.zh} / {v.grade.en})" if v.grade else "—"
    console.print(
        f"[bold]score {v.score}[/] · grade [bold]{escape(grade)}[/]  [dim]{when}[/]", soft_wrap=True
    )
    for m in v.lists:
        console.print(
            f"[{_BADGES[m.list]}] {_LIST_NAMES[m.list].upper()} [/] since {m.entered_on}"
            f" · scheduled exit {_day(m.scheduled_exit, 'none scheduled')}"
            f" · repair from {_day(m.earliest_repair, '—')}"
            + (f" · basis: {escape('; '.join(m.legal_basis))}" if m.legal_basis else ""),
            soft_wrap=True,
        )
    _reasons(v)
    _records(v.records)
    _organisation(v)


def _reasons(v: EntityView) -> None:
    if not v.lines:
        console.print("no record counts towards the score")
        return
    top = {(x.record_source, x.record_id, x.role) for x in v.top_reasons}
    table = Table(
        "",
        "points",
        "record",
        "authority · decision",
        "counts until",
        "from",
        title="Why: top reasons first, then every line",
    )
    for x in v.lines:
        origin = "" if x.role == "own" else f"{x.role.removeprefix('from_')} {x.source_entity.name}"
        table.add_row(
            "▶" if (x.record_source, x.record_id, x.role) in top else "",
            x.points,
            f"{x.kind.zh} ({x.tier.en})",
            escape(" · ".join(s for s in (x.authority, x.decision_no) if s)),
            _day(x.ends_on, "until lifted"),
            escape(origin),
        )
    console.print(table)
    if v.withheld_points_h:
        console.print(
            f"[dim]plus {v.withheld_points_h / 100:+.2f} from records not published (minor)[/]"
        )


def _records(records: tuple[RecordView, ...]) -> None:
    if not records:
        return
    table = Table(
        "decided", "record", "authority · decision", "legal basis", "ends", title="Records in force"
    )
    for r in records:
        table.add_row(
            str(r.decided_on),
            f"{r.kind.zh} ({r.tier.en}{', grade ' + r.grade if r.grade else ''})",
            escape(" · ".join(s for s in (r.authority, r.decision_no) if s)),
            escape(r.legal_basis or ""),
            _day(r.ends_on, "until lifted"),
        )
    console.print(table)


def _organisation(v: EntityView) -> None:
    if v.head_office:
        console.print(
            f"head office: {v.head_office.usci}  {escape(v.head_office.name)}", soft_wrap=True
        )
    if v.branches:
        label = "branches" if v.head_office is None else "other branches"
        console.print(f"{label} ({len(v.branches)}):")
        for b in v.branches:
            console.print(f"  {b.usci}  {escape(b.name)}", soft_wrap=True)


def search(
    text: Annotated[str, typer.Argument(help="A name (legal form optional) or a USCI.")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="Most hits to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find organisations by USCI or by name, English name or alias."""
    with _reading() as (conn, _):
        page = search_registry(conn, text, limit=limit)
    if as_json:
        typer.echo(json.dumps(to_jsonable(page), ensure_ascii=False, indent=2))
        return
    table = Table("USCI", "name", "score", "grade", "lists", title=f"{page.total} found")
    for h in page.hits:
        flags = " ".join(n for n in ("black", "red", "abnormal") if getattr(h, n))
        name = h.name + (f"  ({h.alias})" if h.alias else "")
        shown = "natural person" if h.natural_person else ("—" if h.score is None else str(h.score))
        table.add_row(h.usci, escape(name), shown, h.grade or "", flags)
    console.print(table)


def lists(
    which: Annotated[ListName, typer.Argument(help="black, red or abnormal.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Entries open on this date.")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Division-code prefix: 2, 4 or 6 digits.")
    ] = None,
    fmt: Annotated[
        ListFormat, typer.Option("--format", help="table, csv or json.")
    ] = ListFormat.table,
    catalogue: CatalogueOpt = None,
) -> None:
    """Every entry of a public list, newest first, with entry date and scheduled exit."""
    day = parse_date(as_of, "--as-of") if as_of else None
    with _reading(catalogue) as (conn, cat):
        members = _all_members(conn, which.value, day, region, cat)
        if fmt is ListFormat.json:
            typer.echo(json.dumps(to_jsonable(members), ensure_ascii=False, indent=2))
        elif fmt is ListFormat.csv:
            _write_csv(members)
        else:
            _list_table(which.value, members)


def _all_members(
    conn: Connection, which: str, day: date | None, region: str | None, cat: Catalogue
) -> list[ListMember]:
    found: list[ListMember] = []
    while True:
        page = list_members(
            conn, which, as_of=day, region=region, limit=_PAGE, offset=len(found), cat=cat
        )
        found += page.members
        if len(page.members) < _PAGE:
            return found


def _write_csv(members: list[ListMember]) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(
        [
            "usci",
            "name",
            "name_en",
            "division_code",
            "region",
            "entered_on",
            "left_on",
            "scheduled_exit",
            "basis",
        ]
    )
    for m in members:
        out.writerow(
            [
                m.usci,
                m.name,
                m.name_en or "",
                m.division_code or "",
                m.region or "",
                m.entered_on,
                _day(m.left_on, ""),
                _day(m.scheduled_exit, ""),
                json.dumps(m.basis, ensure_ascii=False) if m.basis is not None else "",
            ]
        )


def _list_table(which: str, members: list[ListMember]) -> None:
    table = Table(
        "USCI",
        "name",
        "region",
        "since",
        "scheduled exit",
        title=f"{_LIST_NAMES[which]}: {len(members)} entries",
    )
    for m in members:
        table.add_row(
            m.usci,
            escape(m.name),
            escape(m.region or ""),
            str(m.entered_on),
            _day(m.left_on or m.scheduled_exit, "none scheduled"),
        )
    console.print(table)


def export(
    directory: Annotated[Path, typer.Argument(help="A new (or empty) directory to write.")],
    catalogue: CatalogueOpt = None,
) -> None:
    """Write entities, public records, results and list entries as Parquet and CSV."""
    settings = get_settings()
    cat = load_catalogue_option(catalogue or settings.catalogue_path)
    engine = connect(settings)
    try:
        manifest = export_registry(engine, directory, cat=cat)
    finally:
        engine.dispose()
    for name, rows in manifest.tables.items():
        typer.echo(f"{name}: {rows} rows")
    head = manifest.audit_head
    typer.echo(f"catalogue {manifest.catalogue_version}; audit head seq {head.seq} {head.hash}")
    typer.echo(f"wrote {manifest.directory} (manifest.json has a SHA-256 per file)")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("show")(show)
    app.command("search")(search)
    app.command("lists")(lists)
    app.command("export")(export)

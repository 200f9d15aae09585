"""`corpcredit catalogue show|check`: read the rule catalogue, validate an operator's file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table

from corpcredit.catalogue import Catalogue, load_catalogue
from corpcredit.cli._common import console, err_console, load_catalogue_option
from corpcredit.errors import CatalogueError

__all__ = ["register"]

catalogue_app = typer.Typer(help="The rule catalogue: kinds, tiers, points, periods, lists.")


def _months(n: int | None) -> str:
    return "until lifted" if n is None else f"{n} months"


def _print(cat: Catalogue) -> None:
    s, b, li = cat.score, cat.branches, cat.lists
    console.print(f"[bold]corpcredit rule catalogue {escape(cat.version)}[/]")
    console.print(
        f"score: start {s.base}, floor {s.floor}, ceiling {s.ceiling}; "
        f"branches: to head {b.to_head_percent} %, to each branch {b.to_branch_percent} %, "
        f"to each sibling {b.to_sibling_percent} %"
    )
    console.print(
        f"lists: abnormal operations become black after {li.abnormal_escalation_months} months; "
        f"red from score {li.red_score_threshold} with "
        + ", ".join(f"{q.kind} {q.grade or ''}".strip() for q in li.red_qualifying)
        + f" and no general/serious record in {li.red_lookback_months} months"
    )
    grades = Table("grade", "from", "to", "label", title="Grades")
    for g in cat.grades:
        grades.add_row(g.grade, str(g.min), str(g.max), f"{g.label.zh} / {g.label.en}")
    bg = cat.black_grade
    grades.add_row(bg.grade, "black-listed", "", f"{bg.label.zh} / {bg.label.en}")
    console.print(grades)
    tiers = Table("tier", "public", "earliest repair", "published for", "label", title="Tiers")
    for name, t in cat.tiers.items():
        tiers.add_row(
            name,
            "yes" if t.published else "no",
            _months(t.repair_after_months),
            _months(t.max_months),
            f"{t.label.zh} / {t.label.en}",
        )
    console.print(tiers)
    kinds = Table(
        Column("kind", no_wrap=True, min_width=24),
        "tier / grade",
        "points",
        "in force for",
        "repair after",
        "lists",
        title="Record kinds",
    )
    for kind_name, k in cat.kinds.items():
        for key, rule in k.rules().items():
            tier = k.grades[key].tier if k.graded else key
            lists = [
                *(["black"] if k.black else []),
                *(["abnormal", "black after escalation"] if k.abnormal_list else []),
                *(["red if flagged"] if k.red_if_flagged else []),
            ]
            kinds.add_row(
                f"{kind_name}\n{k.label.zh}",
                f"{key} ({tier})" if k.graded else key,
                f"{rule.points:+}",
                _months(cat.period_months(kind_name, tier)),
                _months(cat.repair_after_months(kind_name, tier))
                if k.repairable
                else "not repairable",
                ", ".join(lists),
            )
    console.print(kinds)


@catalogue_app.command("show")
def show(
    file: Annotated[
        Path | None, typer.Option("--file", help="A catalogue TOML instead of the shipped one.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON.")] = False,
) -> None:
    """Print the catalogue in force, readably (or as JSON)."""
    cat = load_catalogue_option(file)
    if as_json:
        console.print_json(json.dumps(cat.model_dump(mode="json"), ensure_ascii=False))
    else:
        _print(cat)


@catalogue_app.command("check")
def check(file: Annotated[Path, typer.Argument(help="The catalogue TOML to validate.")]) -> None:
    """Validate an operator's catalogue; exit 0 when usable, 1 when not."""
    try:
        cat = load_catalogue(file)
    except CatalogueError as exc:
        err_console.print(f"[bold red]invalid[/] {escape(exc.message)}", soft_wrap=True)
        for p in exc.details.get("problems", [])[1:]:
            err_console.print(f"  - {escape(p['path'])}: {escape(p['reason'])}", soft_wrap=True)
        raise typer.Exit(1) from exc
    console.print(f"valid: {file} — catalogue {escape(cat.version)}, {len(cat.kinds)} kinds")


def register(app: typer.Typer) -> None:
    app.add_typer(catalogue_app, name="catalogue")

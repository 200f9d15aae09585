"""`corpcredit ids`: check identifiers (FORMATS.md, "Identifier check")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from corpcredit.errors import InputError
from corpcredit.ids import CheckResult, check_usci

__all__ = ["register"]

_CHECK_HELP = (
    "Check Unified Social Credit Identifiers (GB 32100-2015).\n\n"
    "Prints one tab-separated line per value: the value as given (control and invisible "
    "characters escaped, e.g. \\t, \\u200b), valid or invalid, the normalised form, and "
    "the reasons (if invalid) or the warnings, joined with '; '. "
    "Exits 0 when all values are valid, 1 otherwise, 2 on a usage error.\n\n"
    "With --json, prints one JSON object per line with keys input, valid, normalized, "
    "errors (a list of {code, message}), warnings (a list of strings), authority and "
    "entity_type (objects {code, en, zh}, null for an invalid value; entity_type.code is "
    "the single character at position 2) and natural_person (true for individual "
    "businesses, type 92; null for an invalid value)."
)


def _escape(text: str) -> str:
    """Printable characters (CJK included) as they are; others as Python escapes."""
    return "".join(
        ch if ch.isprintable() and ch != "\\" else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def _read_values(path: Path) -> list[str]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror}", details={"path": str(path)}
        ) from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not UTF-8 (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "if it is GBK/GB18030, convert it first: iconv -f GB18030 -t UTF-8",
            details={"path": str(path)},
        ) from exc
    return [line for line in text.splitlines() if line.strip()]


def _line(result: CheckResult) -> str:
    notes = [e.message for e in result.errors] if not result.valid else list(result.warnings)
    status = "valid" if result.valid else "invalid"
    fields = [result.input, status, result.normalized, "; ".join(notes)]
    return "\t".join(_escape(f) for f in fields)


def check(
    values: Annotated[list[str] | None, typer.Argument(help="Identifiers to check.")] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="UTF-8 file, one value per line (blank lines skipped)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    if not values and file is None:
        raise typer.BadParameter("give at least one VALUE or --file FILE", param_hint="'VALUES...'")
    inputs = list(values or []) + (_read_values(file) if file else [])
    all_valid = True
    for value in inputs:
        result = check_usci(value)
        all_valid = all_valid and result.valid
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False) if as_json else _line(result))
    if not all_valid:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the `ids` command group to the root app."""
    group = typer.Typer(name="ids", help="Check identifiers (USCI).", no_args_is_help=True)
    group.command("check", help=_CHECK_HELP)(check)
    app.add_typer(group)

"""An audited allow-list of USCIs that were really issued but fail a check character.

GB 32100-2015 defines the outer check (position 18) and GB 11714-1997 the inner one
(position 17); a few codes really issued by authorities fail them. The allow-list
admits such a code, with a warning, only when every other rule passes. Each entry must
say where the code was seen as issued (``source``) and when it was added. The packaged
file ``allowlist.toml`` is empty by default; an operator passes another path.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpcredit.ids._rules import compact, diagnose
from corpcredit.ids.exceptions import AllowlistError

__all__ = ["Allowlist", "AllowlistEntry", "default_allowlist", "load_allowlist"]


@dataclass(frozen=True)
class AllowlistEntry:
    """One admitted code and the evidence that it was really issued."""

    usci: str
    source: str
    added_on: dt.date
    note: str = ""


@dataclass(frozen=True)
class Allowlist:
    """Allow-listed codes keyed by their compact form."""

    entries: Mapping[str, AllowlistEntry] = field(default_factory=dict)

    def get(self, usci: str) -> AllowlistEntry | None:
        return self.entries.get(usci)

    def __contains__(self, usci: object) -> bool:
        return usci in self.entries

    def __len__(self) -> int:
        return len(self.entries)


def _fail(path: str, index: int | None, message: str) -> AllowlistError:
    where = f"{path}, entry {index}" if index is not None else path
    return AllowlistError(f"{where}: {message}", details={"path": path, "entry": index})


def _entry(path: str, index: int, raw: Any) -> AllowlistEntry:
    if not isinstance(raw, dict):
        raise _fail(path, index, "each entry must be a [[entries]] table")
    unknown = set(raw) - {"usci", "source", "added_on", "note"}
    if unknown:
        raise _fail(
            path, index, f"unknown keys {sorted(unknown)}; allowed: usci, source, added_on, note"
        )
    usci, source, added_on, note = (raw.get(k) for k in ("usci", "source", "added_on", "note"))
    if not isinstance(usci, str) or not usci.strip():
        raise _fail(path, index, "'usci' is required (the code as issued)")
    if not isinstance(source, str) or not source.strip():
        raise _fail(
            path, index, f"'source' is required for {usci}: say where it was seen as really issued"
        )
    if isinstance(added_on, str):
        try:
            added_on = dt.date.fromisoformat(added_on)
        except ValueError:
            added_on = None
    if not isinstance(added_on, dt.date) or isinstance(added_on, dt.datetime):
        raise _fail(path, index, f"'added_on' is required for {usci} as a date YYYY-MM-DD")
    if note is not None and not isinstance(note, str):
        raise _fail(path, index, "'note' must be text")
    code = compact(usci)
    errors = diagnose(code)
    if not errors:
        raise _fail(path, index, f"{code} is already valid; it does not belong on the allow-list")
    if any(e.code not in ("usci.org_check", "usci.check") for e in errors):
        raise _fail(
            path,
            index,
            f"{code} fails more than a check character ({errors[0].message}); "
            "the allow-list only excuses check characters",
        )
    return AllowlistEntry(code, source.strip(), added_on, note or "")


def load_allowlist(path: Path | str | None = None) -> Allowlist:
    """Read an allow-list TOML file (the packaged, empty one when ``path`` is None).

    Raises :class:`AllowlistError` naming the file and entry when an entry lacks a
    ``source`` or ``added_on``, is not a code that fails only a check character, or
    occurs twice.
    """
    if path is None:
        resource = importlib.resources.files("corpcredit.ids").joinpath("allowlist.toml")
        name, text = "allowlist.toml (packaged)", resource.read_text(encoding="utf-8")
    else:
        name = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise _fail(name, None, f"cannot read the file: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(name, None, f"not valid TOML: {exc}") from exc
    raw_entries = data.get("entries", [])
    if not isinstance(raw_entries, list):
        raise _fail(name, None, "'entries' must be a list of [[entries]] tables")
    entries: dict[str, AllowlistEntry] = {}
    for index, raw in enumerate(raw_entries, start=1):
        entry = _entry(name, index, raw)
        if entry.usci in entries:
            raise _fail(name, index, f"{entry.usci} is listed twice")
        entries[entry.usci] = entry
    return Allowlist(entries)


@functools.cache
def default_allowlist() -> Allowlist:
    """The packaged allow-list, read once."""
    return load_allowlist()

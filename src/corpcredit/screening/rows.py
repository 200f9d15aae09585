"""Index rows: one name of one entity, packed into one string.

An entity (a row of the entities feed, or of the store) gives one row per name
— registered, English, former — each holding the USCI, which name it is, the
registered division, whether the entity is a natural person, the name as written
and its normalised form (:meth:`NameForm.pack`), separated by ``\\x1f``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from corpcredit.ids import compact as compact_usci
from corpcredit.screening.normalise import NameForm, normalise

__all__ = [
    "KINDS",
    "IndexedName",
    "aliases_of",
    "division_number",
    "entity_names",
    "entity_record",
    "form_of",
    "packed_rows",
    "parse_row",
    "usci_of",
]

#: Which name of the entity a row holds.
KINDS = ("name", "name_en", "alias")
_KIND_CODE = {"name": "n", "name_en": "e", "alias": "a"}
_CODE_KIND = {v: k for k, v in _KIND_CODE.items()}
_SEP = "\x1f"


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One row of the index: one name of one entity."""

    row: int
    usci: str
    kind: str
    division: str | None
    natural_person: bool
    text: str
    form: NameForm


def _clean(text: Any) -> str:
    """Single spaces; no newline or control separator survives (rows are delimited)."""
    return " ".join(str(text).split())


def aliases_of(value: Any) -> list[str]:
    """Aliases as a list, from a list or ``|``-separated text (the entities feed)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [a.strip() for a in value.split("|") if a.strip()]
    return [str(a).strip() for a in value if a and str(a).strip()]


def entity_names(entity: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(kind, text)`` for an entity's registered name, English name and aliases.

    ``entity`` holds ``name`` and optionally ``name_en`` and ``aliases`` (a list, or
    ``|``-separated text as in the entities feed). Natural persons are looked up by
    registered name only: their other names are personal details.
    """
    names = [("name", _clean(entity["name"]))]
    if not _natural_person(entity, compact_usci(str(entity.get("usci", "")))):
        if entity.get("name_en"):
            names.append(("name_en", _clean(entity["name_en"])))
        names.extend(("alias", _clean(a)) for a in aliases_of(entity.get("aliases")))
    seen: set[str] = set()
    unique = []
    for kind, text in names:
        if text and text not in seen:
            seen.add(text)
            unique.append((kind, text))
    return unique


def _division(entity: Mapping[str, Any], usci: str) -> str:
    code = entity.get("division_code") or usci[2:8]
    return str(code) if str(code).isdigit() and len(str(code)) == 6 else ""


def _natural_person(entity: Mapping[str, Any], usci: str) -> bool:
    """As given, else by the identifier: type ``92`` is an individual business."""
    flag = entity.get("natural_person")
    return usci.startswith("92") if flag is None else bool(flag)


def packed_rows(entity: Mapping[str, Any]) -> list[tuple[str, NameForm]]:
    """The packed rows of one entity, with their normalised forms."""
    usci = compact_usci(str(entity["usci"]))
    person = "1" if _natural_person(entity, usci) else ""
    division = _division(entity, usci)
    rows = []
    for kind, text in entity_names(entity):
        form = normalise(text)
        rows.append(
            (_SEP.join((usci, _KIND_CODE[kind], division, person, text, form.pack())), form)
        )
    return rows


def parse_row(row: int, packed: str) -> IndexedName:
    """Row number ``row``, unpacked."""
    usci, kind, division, person, text, form = packed.split(_SEP, 5)
    return IndexedName(
        row, usci, _CODE_KIND[kind], division or None, person == "1", text, NameForm.unpack(form)
    )


def division_number(packed: str) -> int:
    """The registered division of a packed row as a number (0 when unknown)."""
    division = packed.split(_SEP, 3)[2]
    return int(division) if division else 0


def entity_record(entity: Mapping[str, Any]) -> dict[str, Any]:
    """The entity as the index keeps it for re-applying an update."""
    usci = compact_usci(str(entity["usci"]))
    return {
        "usci": usci,
        "name": str(entity["name"]),
        "name_en": entity.get("name_en"),
        "aliases": aliases_of(entity.get("aliases")),
        "division_code": _division(entity, usci) or None,
        "natural_person": _natural_person(entity, usci),
    }


def usci_of(packed: str) -> str:
    return packed.split(_SEP, 1)[0]


def form_of(packed: str) -> NameForm:
    return NameForm.unpack(packed.split(_SEP, 5)[5])

"""Finding organisations by identifier or name (simple for now).

An input that normalises to a valid USCI is looked up exactly. Anything else is
matched, case-insensitively, as a substring of registered names, English names and
aliases, after stripping a trailing legal form (有限公司, 股份有限公司, Co., Ltd. …)
from the query, so "北京示例控股集团有限责任公司" finds "北京示例控股集团有限公司".
Plain portable SQL (``LIKE``/``lower``) on SQLite and PostgreSQL; the fuzzy matcher
(pinyin, traditional characters, region prefixes) comes later.

Natural persons are found by name and USCI like anyone, shown without score.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit import ids
from corpcredit.errors import CorpCreditError
from corpcredit.store.schema import entities, entity_aliases, results

__all__ = [
    "LEGAL_FORMS",
    "MAX_LIMIT",
    "MAX_QUERY_LENGTH",
    "InvalidSearch",
    "SearchHit",
    "SearchPage",
    "normalise_query",
    "search",
]

MAX_QUERY_LENGTH = 200
MAX_LIMIT = 500

#: Trailing legal forms stripped from a name query, longest first (lower case).
LEGAL_FORMS: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "分公司",
    "公司",
    "company limited",
    "co., limited",
    "co., ltd.",
    "co.,ltd.",
    "co. ltd.",
    "co., ltd",
    "co.,ltd",
    "co. ltd",
    "limited",
    "ltd.",
    "ltd",
    "corporation",
    "corp.",
    "inc.",
    "llc",
    "branch",
)

_TRAILING = re.compile(r"[\s,.;:()（）·\-]+$")


class InvalidSearch(CorpCreditError):
    code = "search.invalid_query"
    http_status = 422


@dataclass(frozen=True)
class SearchHit:
    """One entity found. ``matched`` says what matched: ``usci``, ``name``,
    ``name_en`` or ``alias`` (then ``alias`` holds the alias). ``region`` is the
    GB/T 2260 name of the division. Status, region and score fields are None/False
    for natural persons (name and USCI only), score fields also for entities not
    scored yet."""

    usci: str
    name: str
    name_en: str | None
    matched: str
    alias: str | None
    natural_person: bool
    status: str | None
    region: str | None
    score: int | None
    grade: str | None
    black: bool
    red: bool
    abnormal: bool


@dataclass(frozen=True)
class SearchPage:
    """``query`` as given; ``needle`` the text matched (empty for a USCI lookup)."""

    query: str
    needle: str
    total: int
    limit: int
    offset: int
    hits: tuple[SearchHit, ...]


def normalise_query(text: str) -> str:
    """NFKC (full-width to ASCII), single spaces, no trailing legal form.

    A query that is nothing but legal forms ("有限公司") becomes empty: it would
    match nearly everything.
    """
    needle = " ".join(unicodedata.normalize("NFKC", text).split())
    stripped = True
    while stripped and needle:
        stripped = False
        lowered = needle.lower()
        for form in LEGAL_FORMS:
            if lowered.endswith(form):
                needle = _TRAILING.sub("", needle[: -len(form)])
                stripped = True
                break
    return needle


def _check(text: str, limit: int, offset: int) -> None:
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidSearch(
            f"the query is {len(text)} characters long; at most {MAX_QUERY_LENGTH} are allowed"
        )
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InvalidSearch(f"limit must be 1..{MAX_LIMIT} and offset at least 0")


def _columns() -> list[sa.ColumnElement[object]]:
    return [
        entities.c.usci,
        entities.c.name,
        entities.c.name_en,
        entities.c.natural_person,
        entities.c.status,
        entities.c.division_code,
        results.c.score,
        results.c.grade,
        results.c.black,
        results.c.red,
        results.c.abnormal,
    ]


def _hit(m: Mapping[Any, Any], matched: str, alias: str | None) -> SearchHit:
    person = bool(m["natural_person"])
    return SearchHit(
        usci=m["usci"],
        name=m["name"],
        name_en=None if person else m["name_en"],
        matched=matched,
        alias=alias,
        natural_person=person,
        status=None if person else m["status"],
        region=None if person else ids.division_full_name(m["division_code"] or m["usci"][2:8]),
        score=None if person else m["score"],
        grade=None if person or not m["grade"] else m["grade"],
        black=not person and bool(m["black"]),
        red=not person and bool(m["red"]),
        abnormal=not person and bool(m["abnormal"]),
    )


def search(conn: Connection, text: str, *, limit: int = 20, offset: int = 0) -> SearchPage:
    """Entities matching ``text``: the exact USCI, or names containing it, best first."""
    _check(text, limit, offset)
    joined = entities.outerjoin(results, results.c.usci == entities.c.usci)
    code = ids.compact(text)
    if ids.is_valid(code):
        exact = sa.select(*_columns()).select_from(joined).where(entities.c.usci == code)
        found = tuple(_hit(r, "usci", None) for r in conn.execute(exact).mappings())
        return SearchPage(text, "", len(found), limit, offset, found[offset : offset + limit])
    needle = normalise_query(text)
    if not needle:
        return SearchPage(text, needle, 0, limit, offset, ())
    alias_hit = sa.exists().where(
        entity_aliases.c.usci == entities.c.usci,
        entity_aliases.c.alias.icontains(needle, autoescape=True),
    )
    # A natural person is found by name only: other names are personal details.
    cond = sa.or_(
        entities.c.name.icontains(needle, autoescape=True),
        sa.and_(
            entities.c.natural_person.is_(False),
            sa.or_(entities.c.name_en.icontains(needle, autoescape=True), alias_hit),
        ),
    )
    total = conn.execute(sa.select(sa.func.count()).select_from(entities).where(cond)).scalar_one()
    rank = sa.case(
        (sa.func.lower(entities.c.name) == needle.lower(), 0),
        (entities.c.name.istartswith(needle, autoescape=True), 1),
        (entities.c.name.icontains(needle, autoescape=True), 2),
        else_=3,
    )
    q = (
        sa.select(*_columns(), rank.label("rank"))
        .select_from(joined)
        .where(cond)
        .order_by(rank, sa.func.length(entities.c.name), entities.c.usci)
        .limit(limit)
        .offset(offset)
    )
    page = conn.execute(q).mappings().all()
    aliases = _matching_aliases(conn, [r["usci"] for r in page if r["rank"] == 3], needle)
    hits: list[SearchHit] = []
    for r in page:
        if r["rank"] < 3:
            hits.append(_hit(r, "name", None))
        elif r["usci"] not in aliases or needle.lower() in (r["name_en"] or "").lower():
            hits.append(_hit(r, "name_en", None))
        else:
            hits.append(_hit(r, "alias", aliases[r["usci"]]))
    return SearchPage(text, needle, total, limit, offset, tuple(hits))


def _matching_aliases(conn: Connection, uscis: list[str], needle: str) -> dict[str, str]:
    if not uscis:
        return {}
    q = (
        sa.select(entity_aliases.c.usci, entity_aliases.c.alias)
        .where(
            entity_aliases.c.usci.in_(uscis),
            entity_aliases.c.alias.icontains(needle, autoescape=True),
        )
        .order_by(entity_aliases.c.usci, entity_aliases.c.alias)
    )
    found: dict[str, str] = {}
    for usci, alias in conn.execute(q):
        found.setdefault(usci, alias)
    return found

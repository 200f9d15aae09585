"""Finding organisations by identifier or name.

An input that normalises to a valid USCI is looked up exactly. Anything else is
matched as a substring of registered names, English names and aliases, after
stripping a trailing legal form (有限公司, 股份有限公司, Co., Ltd. …) from the query,
so "北京示例控股集团有限责任公司" finds "北京示例控股集团有限公司" and "示例控股集团"
finds it without its region prefix. Query and names are folded alike (full width,
traditional characters, case: :mod:`.name_index`), and the names are found through
the n-gram index there: the query's rarest grams give the candidates, a ``LIKE`` on
the folded name confirms each. Best first: the registered name equal to the query,
then starting with it, then containing it, then an English name or alias; shorter
names first.

Natural persons are found by name and USCI like anyone, shown without score.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit import ids
from corpcredit.errors import CorpCreditError
from corpcredit.screening.text import fold
from corpcredit.services.name_index import fold_name, query_grams
from corpcredit.store.prepared import Prepared
from corpcredit.store.schema import entities, entity_aliases, results, search_grams, search_names

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


def _hit(m: Any, matched: str, alias: str | None) -> SearchHit:
    person = bool(m.natural_person)
    return SearchHit(
        usci=m.usci,
        name=m.name,
        name_en=None if person else m.name_en,
        matched=matched,
        alias=alias,
        natural_person=person,
        status=None if person else m.status,
        region=None if person else ids.division_full_name(m.division_code or m.usci[2:8]),
        score=None if person else m.score,
        grade=None if person or not m.grade else m.grade,
        black=not person and bool(m.black),
        red=not person and bool(m.red),
        abnormal=not person and bool(m.abnormal),
    )


def search(conn: Connection, text: str, *, limit: int = 20, offset: int = 0) -> SearchPage:
    """Entities matching ``text``: the exact USCI, or names containing it, best first."""
    _check(text, limit, offset)
    code = ids.compact(text)
    if ids.is_valid(code):
        found = tuple(_hit(r, "usci", None) for r in _BY_USCI.rows(conn, {"usci": code}))
        return SearchPage(text, "", len(found), limit, offset, found[offset : offset + limit])
    # Folded first, so a legal form written in traditional characters is stripped too.
    needle = normalise_query(fold(text))
    key = fold_name(needle)
    if not key:
        return SearchPage(text, needle, 0, limit, offset, ())
    plan = _plan(conn, key)
    if plan is None:
        return SearchPage(text, needle, 0, limit, offset, ())
    shape, params = plan
    escaped = _escape(key)
    params |= {"key": key, "prefix": escaped + "%", "within": "%" + escaped + "%"}
    page_q, count_q = _statements(*shape)
    page = page_q.rows(conn, params | {"limit": limit, "offset": offset})
    # Every row carries the total (the matches are found once); only a page past the
    # last one counts them apart.
    total = page[0].total if page else (offset and count_q.rows(conn, params)[0].n)
    aliases = _matching_aliases(conn, [r.usci for r in page if r.rank == 3 and not r.english], key)
    hits: list[SearchHit] = []
    for r in page:
        if r.rank < 3:
            hits.append(_hit(r, "name", None))
        elif r.english or r.usci not in aliases:
            hits.append(_hit(r, "name_en", None))
        else:
            hits.append(_hit(r, "alias", aliases[r.usci]))
    return SearchPage(text, needle, total, limit, offset, tuple(hits))


_BY_USCI = Prepared(
    sa.select(*_columns())
    .select_from(entities.outerjoin(results, results.c.usci == entities.c.usci))
    .where(entities.c.usci == sa.bindparam("usci"))
)

#: Postings counted per gram when choosing the rarest: enough to tell a trade name's
#: gram from a region's, without reading a common gram's whole list. Only when every
#: gram of a query is that common are they counted again, further.
_COUNT_CAPS = (200, 2_000, 20_000)
#: Grams a candidate must hold besides the rarest (each is one index probe).
_FILTERS = 2
#: Grams of a long query counted at most (spread over it): more narrow nothing down.
_COUNTED = 12
_ESCAPE = "/"


def _escape(text: str) -> str:
    """``text`` with LIKE's wildcards (and the escape character) taken literally."""
    return (
        text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    )


@functools.cache
def _counts(n: int, cap: int) -> Prepared:
    """The postings of grams ``g0`` … ``g{n-1}``, each counted up to ``cap``."""
    g = search_grams.c
    return Prepared(
        sa.union_all(
            *[
                sa.select(sa.literal(i).label("i"), sa.func.count().label("n")).select_from(
                    sa.select(g.gram).where(g.gram == sa.bindparam(f"g{i}")).limit(cap).subquery()
                )
                for i in range(n)
            ]
        )
    )


def _plan(conn: Connection, key: str) -> tuple[tuple[bool, int], dict[str, Any]] | None:
    """How to find the candidate names of ``key``: the statement shape (a range of
    grams or exact grams, and how many filter grams) and its parameters; None when
    a gram of ``key`` is in no name, so nothing can match."""
    exact, span = query_grams(key)
    if not exact:
        assert span is not None
        return (True, 0), {"low": span[0], "high": span[1]}
    if len(exact) > _COUNTED:
        step = (len(exact) - 1) / (_COUNTED - 1)
        exact = [exact[round(i * step)] for i in range(_COUNTED)]
    grams = {f"g{i}": g for i, g in enumerate(exact)}
    for cap in _COUNT_CAPS:
        counts: dict[int, int] = dict(_counts(len(exact), cap).rows(conn, grams))
        if min(counts.values()) < cap:
            break
    if min(counts.values()) == 0:
        return None
    rarest = sorted(range(len(exact)), key=lambda i: (counts[i], i))[: 1 + _FILTERS]
    return (False, len(rarest) - 1), {f"g{n}": exact[i] for n, i in enumerate(rarest)}


@functools.cache
def _statements(span: bool, filters: int) -> tuple[Prepared, Prepared]:
    """The page (with the total on every row) and count statements for a plan's shape
    (built once per shape)."""
    g = search_grams.alias("g0")
    if span:
        candidates = (
            sa.select(g.c.name_id)
            .where(g.c.gram >= sa.bindparam("low"), g.c.gram < sa.bindparam("high"))
            .distinct()
        )
    else:
        candidates = sa.select(g.c.name_id).where(g.c.gram == sa.bindparam("g0"))
        for n in range(1, filters + 1):
            also = search_grams.alias(f"g{n}")
            candidates = candidates.where(
                sa.exists().where(
                    also.c.gram == sa.bindparam(f"g{n}"), also.c.name_id == g.c.name_id
                )
            )
    matches = _matches(candidates)
    page = (
        sa.select(
            *_columns(), matches.c.rank, matches.c.english, sa.func.count().over().label("total")
        )
        .select_from(
            matches.join(entities, entities.c.usci == matches.c.usci).outerjoin(
                results, results.c.usci == matches.c.usci
            )
        )
        .order_by(matches.c.rank, sa.func.length(entities.c.name), entities.c.usci)
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )
    return Prepared(page), Prepared(sa.select(sa.func.count().label("n")).select_from(matches))


def _matches(candidates: sa.Select[Any]) -> sa.Subquery:
    """Per entity, among the candidate names containing the key: the best rank and
    whether an English name matched."""
    n = search_names.c
    registered = n.field == "name"
    rank = sa.case(
        (registered & (n.text == sa.bindparam("key")), 0),
        (registered & n.text.like(sa.bindparam("prefix"), escape=_ESCAPE), 1),
        (registered, 2),
        else_=3,
    )
    english = sa.case((n.field == "name_en", 1), else_=0)
    return (
        sa.select(
            n.usci,
            sa.func.min(rank).label("rank"),
            sa.func.max(english).label("english"),
        )
        .where(n.id.in_(candidates), n.text.like(sa.bindparam("within"), escape=_ESCAPE))
        .group_by(n.usci)
        .subquery()
    )


def _matching_aliases(conn: Connection, uscis: list[str], key: str) -> dict[str, str]:
    """The first alias (in order) of each entity that contains ``key`` once folded."""
    if not uscis:
        return {}
    q = (
        sa.select(entity_aliases.c.usci, entity_aliases.c.alias)
        .where(entity_aliases.c.usci.in_(uscis))
        .order_by(entity_aliases.c.usci, entity_aliases.c.alias)
    )
    found: dict[str, str] = {}
    for usci, alias in conn.execute(q):
        if usci not in found and key in fold_name(alias):
            found[usci] = alias
    return found

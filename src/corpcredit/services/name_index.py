"""The name index: every searchable name folded, and its n-grams as integer postings.

Search by name is substring search: ``示例控股`` finds ``北京示例控股集团有限公司``,
so a missing region prefix or legal form does not matter. A substring holds every
n-gram of itself, so only names holding all of a query's n-grams can match; the
search (:mod:`.search`) looks the rarest few up in ``search_grams`` and confirms
each candidate with a ``LIKE`` on its folded text in ``search_names``. Portable
SQL on SQLite and PostgreSQL: an index scan per posting list, no extension
(``pg_trgm``, FTS5) whose availability or tokenising differs by backend.

Names are folded as the screening matcher folds them (:func:`corpcredit.screening.text.fold`:
NFKC, simplified characters, single spaces) and lower-cased, and a query is
folded the same way, so full-width letters, traditional characters and case do not
matter on either side.

The grams of a text, one per position, packed into one integer (21 bits per
character, so every code point fits):

- a pair of characters of which one is Chinese: that bigram (Chinese names are
  short, and two characters already narrow a query to a few names);
- a pair of other characters (Latin letters, digits, spaces): the trigram starting
  there, since Latin bigrams are far too common to narrow anything; at the end of
  the text, the bigram;
- the last character: itself alone.

A query uses the grams wholly inside it (a Latin pair needs the character after it
too); a one-character query, or two Latin characters, use the range of grams that
start with them.

The index catches up at each rescore: the entities in scope whose ``updated_at``
differs from the ``stamp`` of their indexed names (ingestion writes ``updated_at``
whenever a name, English name or alias changes) are indexed again; when nothing
changed that is one query.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.screening.text import fold, is_han
from corpcredit.services.ingest_sql import fetch_frame, insert_frame, reset_temp, temp_table
from corpcredit.services.materialise import MEMBERS
from corpcredit.store.schema import entities, entity_aliases, search_grams, search_names

__all__ = [
    "fold_name",
    "fold_names",
    "name_stamps",
    "query_grams",
    "stale_from",
    "stale_names",
    "text_grams",
    "update_name_index",
]

_BITS = 21
_SEPARATOR = "\ue000"  # a private-use character: no name holds it, folding keeps it
_CHANGED = temp_table("_cc_names_changed", sa.Column("usci", sa.String(18), primary_key=True))
_ENTITY_SCHEMA: dict[str, pl.DataType] = {
    "usci": pl.Utf8(),
    "name": pl.Utf8(),
    "name_en": pl.Utf8(),
    "natural_person": pl.Boolean(),
    "updated_at": pl.Datetime("us", "UTC"),
}


def fold_name(text: str) -> str:
    """A name or query as the index holds it: folded (see the module doc), lower case."""
    return fold(text).lower()


def fold_names(texts: list[str]) -> list[str]:
    """:func:`fold_name` of many texts, in one pass of the character converter."""
    if not texts or any(_SEPARATOR in t for t in texts):
        return [fold_name(t) for t in texts]
    # fold() collapses whitespace and trims the whole, so each part is trimmed again.
    return [p.strip() for p in fold(_SEPARATOR.join(texts)).lower().split(_SEPARATOR)]


def _is_han(cp: np.ndarray) -> np.ndarray:
    # As screening.text.is_han: the basic block and extension A.
    return ((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0x3400) & (cp <= 0x4DBF))


def _pack(a: Any, b: Any, c: Any) -> Any:
    return (a << (2 * _BITS)) | (b << _BITS) | c


def text_grams(texts: list[str]) -> pl.DataFrame:
    """``(gram, i)`` for every distinct gram of every folded text ``texts[i]``, sorted
    (the order the primary key of ``search_grams`` is written fastest in)."""
    joined = "\0".join(texts) + "\0\0\0"
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    c1, c2, c3 = cp[:-2], cp[1:-1], cp[2:]
    separator = c1 == 0
    which = np.cumsum(separator) - separator
    latin = ~_is_han(c1) & ~_is_han(c2) & (c2 != 0) & (c3 != 0)
    gram = np.where(latin, _pack(c1, c2, c3), _pack(c1, c2, 0))
    keep = ~separator
    gram, which = gram[keep], which[keep]
    # Texts are in order, so a stable sort by gram orders by (gram, i); sorted, a gram
    # repeated within one text is a repeated row, cheaper to drop than to hash.
    order = np.argsort(gram, kind="stable")
    gram, which = gram[order], which[order]
    repeated = np.zeros(len(gram), dtype=bool)
    repeated[1:] = (gram[1:] == gram[:-1]) & (which[1:] == which[:-1])
    return pl.DataFrame({"gram": gram[~repeated], "i": which[~repeated]})


def query_grams(key: str) -> tuple[list[int], tuple[int, int] | None]:
    """The grams every name containing the folded ``key`` holds, and, when there are
    none, the range ``[low, high)`` of grams such a name holds one of."""
    cps = [ord(ch) for ch in key]
    if not cps:
        return [], None
    han = [is_han(ch) for ch in key]
    exact: list[int] = []
    for i in range(len(cps) - 1):
        if han[i] or han[i + 1]:
            exact.append(_pack(cps[i], cps[i + 1], 0))
        elif i + 2 < len(cps):
            exact.append(_pack(cps[i], cps[i + 1], cps[i + 2]))
    if exact:
        return list(dict.fromkeys(exact)), None
    if len(cps) == 1:
        low = _pack(cps[0], 0, 0)
        return [], (low, low + (1 << (2 * _BITS)))
    low = _pack(cps[0], cps[1], 0)  # two Latin characters: a trigram or an end bigram
    return [], (low, low + (1 << _BITS))


def _stale(scoped: bool) -> sa.Select[Any]:
    """Entities whose names are not indexed as they are now."""
    e, n = entities.c, search_names.c
    current = sa.exists().where(n.usci == e.usci, n.field == "name", n.stamp == e.updated_at)
    q = sa.select(e.usci, e.name, e.name_en, e.natural_person, e.updated_at).where(~current)
    return q.where(e.usci.in_(sa.select(MEMBERS.c.usci))) if scoped else q


_STALE = {scoped: _stale(scoped) for scoped in (False, True)}
_CHANGED_SCOPE = sa.select(_CHANGED.c.usci)
_NAMES_OF_CHANGED = sa.select(*[entities.c[c] for c in _ENTITY_SCHEMA]).where(
    entities.c.usci.in_(_CHANGED_SCOPE)
)


def stale_names() -> tuple[sa.Select[Any], dict[str, pl.DataType]]:
    """The query of the registry's entities whose names are not indexed as they are
    now, with the schema of its rows."""
    return _STALE[False], _ENTITY_SCHEMA


_STAMP_SCHEMA: dict[str, pl.DataType] = {"usci": pl.Utf8(), "stamp": pl.Datetime("us", "UTC")}


_UPDATED_SCHEMA: dict[str, pl.DataType] = {
    "usci": pl.Utf8(),
    "updated_at": pl.Datetime("us", "UTC"),
}


def name_stamps() -> list[tuple[sa.Select[Any], dict[str, pl.DataType]]]:
    """Two plain scans, of when each entity was last updated and of the stamps their
    indexed names carry, from which :func:`stale_from` finds the entities
    :func:`stale_names` selects. For a caller that reads the whole registry ahead: a
    million index probes of the anti-join in SQL cost several times the two scans
    and a join in Polars; the names themselves are read only for those entities."""
    e, n = entities.c, search_names.c
    return [
        (sa.select(e.usci, e.updated_at), _UPDATED_SCHEMA),
        (sa.select(n.usci, n.stamp).where(n.field == "name"), _STAMP_SCHEMA),
    ]


def stale_from(updated: pl.DataFrame, stamps: pl.DataFrame) -> pl.DataFrame:
    """The entities (``usci``) of the first scan of :func:`name_stamps` whose name is
    not indexed with their current stamp."""
    return updated.join(
        stamps, left_on=["usci", "updated_at"], right_on=["usci", "stamp"], how="anti"
    ).select("usci")


def update_name_index(conn: Connection, *, scoped: bool, stale: pl.DataFrame | None = None) -> int:
    """Index again the names of the entities of :data:`MEMBERS` (or of the registry)
    that changed since they were indexed; returns how many entities that was.

    ``stale``: the entities (``usci``) :func:`stale_names` selects, when the caller
    found them already in this transaction (a full rescore, from :func:`name_stamps`).
    """
    if stale is None:
        changed = fetch_frame(conn, _STALE[scoped], _ENTITY_SCHEMA, static=True)
        keys = changed.select("usci")
    else:
        keys = stale.select("usci")
    if keys.is_empty():
        return 0
    reset_temp(conn, _CHANGED)
    insert_frame(conn, _CHANGED, keys)
    if stale is not None:  # their names, read now: nothing has changed them since
        changed = fetch_frame(conn, _NAMES_OF_CHANGED, _ENTITY_SCHEMA, static=True)
    _forget(conn)
    organisations = changed.filter(~pl.col("natural_person"))
    aliases = fetch_frame(
        conn,
        sa.select(entity_aliases.c.usci, entity_aliases.c.alias).where(
            entity_aliases.c.usci.in_(_CHANGED_SCOPE)
        ),
        {"usci": pl.Utf8(), "alias": pl.Utf8()},
    ).join(organisations.select("usci"), on="usci", how="semi")
    stamps = changed.select("usci", pl.col("updated_at").alias("stamp"))
    # Natural persons are found by their registered name only (DOMAIN.md §7).
    names = pl.concat(
        [
            changed.select("usci", pl.lit("name").alias("field"), pl.col("name").alias("raw")),
            organisations.filter(pl.col("name_en").is_not_null()).select(
                "usci", pl.lit("name_en").alias("field"), pl.col("name_en").alias("raw")
            ),
            aliases.select("usci", pl.lit("alias").alias("field"), pl.col("alias").alias("raw")),
        ]
    ).join(stamps, on="usci")
    first = (conn.execute(sa.select(sa.func.max(search_names.c.id))).scalar() or 0) + 1
    texts = fold_names(names.get_column("raw").to_list())
    names = names.with_columns(
        pl.Series("text", texts, dtype=pl.Utf8),
        pl.int_range(first, first + names.height, dtype=pl.Int64).alias("id"),
    )
    insert_frame(conn, search_names, names.select("id", "usci", "field", "text", "stamp"))
    grams = text_grams(texts).select("gram", (pl.col("i") + first).alias("name_id"))
    insert_frame(conn, search_grams, grams)
    return changed.height


def _forget(conn: Connection) -> None:
    """Delete the indexed names of the entities in ``_CHANGED`` and their grams."""
    old = conn.execute(
        sa.select(search_names.c.id, search_names.c.text).where(
            search_names.c.usci.in_(_CHANGED_SCOPE)
        )
    ).all()
    if not old:
        return
    ids = [i for i, _ in old]
    grams = text_grams([text for _, text in old])
    pairs = [{"_g": g, "_n": ids[i]} for i, g in grams.select("i", "gram").iter_rows()]
    conn.execute(
        search_grams.delete().where(
            search_grams.c.gram == sa.bindparam("_g"), search_grams.c.name_id == sa.bindparam("_n")
        ),
        pairs,
    )
    conn.execute(search_names.delete().where(search_names.c.usci.in_(_CHANGED_SCOPE)))

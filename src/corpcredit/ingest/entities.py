"""Land a chunk of entities: upsert with aliases, and keep every ``head_usci`` current.

A branch names its head office in ``parent_usci``; the head must be in the registry
or somewhere in the same file (``input.unknown_parent`` otherwise). It may come
later in the file: the branch lands first as its own head office, and when the head
arrives the whole organisation's ``head_usci`` is recomputed. So after every chunk,
for every entity, ``head_usci`` is the root of its ``parent_usci`` chain in the
store, which is what bulk scoring shards on and what rescoring widens to.

An entity row is unchanged when every feed column (aliases as a set) equals the
stored one; only new and changed rows are written, each as a new entity version
(``entity_versions``: what a view "as known at" a past moment shows). A row that
would close a ``parent_usci`` cycle is refused (``input.parent_cycle``).
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.ingest.context import Applied, ChunkContext, row_errors
from corpcredit.scoring.org import ParentCycleError, resolve_heads
from corpcredit.services.ingest_sql import (
    ROW_NUMBER,
    fetch_frame,
    insert_frame,
    reset_temp,
    temp_table,
)
from corpcredit.store.schema import entities, entity_aliases, entity_versions

__all__ = ["apply_entities", "remember_entities", "reset_entities"]

COMPARED = (
    "name",
    "name_en",
    "legal_form",
    "status",
    "registered_on",
    "address",
    "parent_usci",
    "natural_person",
    "aliases",
)
_STORED_COLUMNS = [c for c in COMPARED if c != "aliases"]
_WRITTEN = [*_STORED_COLUMNS, "head_usci", "division_code"]
_U = sa.String(18)

_keys = temp_table(
    "_cc_keys_entities",
    sa.Column("row", ROW_NUMBER, primary_key=True, autoincrement=False),
    sa.Column("usci", _U, nullable=False, unique=True),
    sa.Column("parent_usci", _U),
)
_stage = temp_table(
    "_cc_stage_entities",
    sa.Column("usci", _U, primary_key=True),
    *[sa.Column(c, entities.c[c].type) for c in _WRITTEN],
)
_seen = temp_table("_cc_seen_entities", sa.Column("usci", _U, primary_key=True))
_heads = temp_table("_cc_entity_heads", sa.Column("usci", _U, primary_key=True))


def reset_entities(conn: Connection) -> None:
    """Forget the keys seen so far (at the start of a file)."""
    reset_temp(conn, _seen)


def remember_entities(ctx: ChunkContext, good: pl.DataFrame) -> None:
    """Note the keys of rows an earlier run already landed (when resuming)."""
    insert_frame(ctx.conn, _seen, good.select("usci"))


def _aliases(col: pl.Expr) -> pl.Expr:
    """``a|b|c`` as a sorted set, joined again; null when empty."""
    parts = (
        col.str.split("|")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    joined = parts.list.unique().list.sort().list.join("|")
    return pl.when(joined == "").then(None).otherwise(joined)


_ROW_VALUE: dict[str, pl.DataType] = {"_row": pl.Int64(), "value": pl.Utf8()}
_DUPLICATE = sa.select(_keys.c.row, _keys.c.usci).where(_keys.c.usci.in_(sa.select(_seen.c.usci)))
_ORPHAN = sa.select(_keys.c.row, _keys.c.parent_usci).where(
    _keys.c.parent_usci.is_not(None),
    _keys.c.parent_usci != _keys.c.usci,
    ~sa.exists(sa.select(1).select_from(entities).where(entities.c.usci == _keys.c.parent_usci)),
)
_IN_CHUNK = sa.select(_keys.c.usci)
_STORED = sa.select(entities.c.usci, *[entities.c[c] for c in _STORED_COLUMNS]).where(
    entities.c.usci.in_(_IN_CHUNK)
)
_STORED_ALIASES = sa.select(entity_aliases.c.usci, entity_aliases.c.alias).where(
    entity_aliases.c.usci.in_(_IN_CHUNK)
)
_GRAPH_COLUMNS = ("usci", "parent_usci", "natural_person", "head_usci")
_GRAPH = sa.select(*[entities.c[c] for c in _GRAPH_COLUMNS]).where(
    entities.c.head_usci.in_(sa.select(_heads.c.usci))
)


def _dtype(column: str) -> pl.DataType:
    if column == "registered_on":
        return pl.Date()
    if column == "natural_person":
        return pl.Boolean()
    return pl.Utf8()


def _refused(ctx: ChunkContext) -> pl.DataFrame:
    conn = ctx.conn
    dups = fetch_frame(conn, _DUPLICATE, _ROW_VALUE, static=True)
    orphans = fetch_frame(conn, _ORPHAN, _ROW_VALUE, static=True)
    if ctx.batch_uscis is not None:
        orphans = orphans.filter(~pl.col("value").is_in(ctx.batch_uscis.implode()))
    return pl.concat(
        [
            row_errors(
                dups,
                "usci",
                "input.duplicate",
                "duplicate usci: an earlier row of this file has it",
            ),
            row_errors(
                orphans,
                "parent_usci",
                "input.unknown_parent",
                "the head office (parent_usci) is neither in the registry nor in this file; "
                "ingest the head office first or in the same file",
            ),
        ]
    )


def _stored(conn: Connection) -> pl.DataFrame:
    """The stored versions of the chunk's entities, aliases joined like the feed's."""
    schema = {"usci": pl.Utf8(), **{c: _dtype(c) for c in _STORED_COLUMNS}}
    rows = fetch_frame(conn, _STORED, schema, static=True)
    aliases = fetch_frame(
        conn, _STORED_ALIASES, {"usci": pl.Utf8(), "alias": pl.Utf8()}, static=True
    )
    joined = aliases.group_by("usci").agg(pl.col("alias").sort().str.join("|").alias("aliases"))
    return rows.join(joined, on="usci", how="left")


def _graph(conn: Connection) -> pl.DataFrame:
    """Every member of the organisations the chunk touches, as stored."""
    reset_temp(conn, _heads)
    k = _keys.c
    touched = sa.or_(
        entities.c.usci.in_(sa.select(k.usci)),
        entities.c.usci.in_(sa.select(k.parent_usci).where(k.parent_usci.is_not(None))),
        entities.c.parent_usci.in_(sa.select(k.usci)),
    )
    conn.execute(
        _heads.insert().from_select(
            ["usci"], sa.select(entities.c.head_usci).where(touched).distinct()
        )
    )
    return fetch_frame(conn, _GRAPH, {c: _dtype(c) for c in _GRAPH_COLUMNS}, static=True)


def _heads_for(
    graph: pl.DataFrame, write: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Resolve heads with the written rows overlaid; drop rows that close a cycle.

    Returns the new (usci, head_usci) of the whole graph, the rows still to write,
    and the uscis refused for a cycle.
    """
    cyclic: list[str] = []
    while True:
        merged = pl.concat(
            [
                graph.join(write.select("usci"), on="usci", how="anti").select(
                    "usci", "parent_usci", "natural_person"
                ),
                write.select("usci", "parent_usci", "natural_person"),
            ]
        )
        try:
            heads, _ = resolve_heads(merged.sort("usci"))
        except ParentCycleError as exc:
            bad = set(exc.uscis) & set(write.get_column("usci").to_list())
            if not bad:
                raise
            cyclic.extend(sorted(bad))
            write = write.filter(~pl.col("usci").is_in(sorted(bad)))
            continue
        return heads.select("usci", "head_usci"), write, cyclic


def apply_entities(ctx: ChunkContext, good: pl.DataFrame) -> Applied:
    """Land the validated entities of one chunk (see the module docstring)."""
    conn = ctx.conn
    df = good.with_columns(_aliases(pl.col("aliases")).alias("aliases"))
    reset_temp(conn, _keys)
    insert_frame(conn, _keys, df.select(pl.col("_row").alias("row"), "usci", "parent_usci"))
    errors = _refused(ctx)
    df = df.filter(~pl.col("_row").is_in(errors.get_column("_row").implode()))
    insert_frame(conn, _seen, df.select("usci"))
    stored = _stored(conn)
    cmp = df.join(stored, on="usci", how="left", suffix="_old")
    same = pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"{c}_old")) for c in COMPARED])
    exists = pl.col("name_old").is_not_null()
    unchanged = cmp.filter(exists & same).height
    updated = cmp.filter(exists & ~same).height
    write = cmp.filter(~(exists & same)).select("_row", "usci", *COMPARED)
    graph = _graph(conn)
    heads, write, cyclic = _heads_for(graph, write)
    if cyclic:
        rows = df.filter(pl.col("usci").is_in(cyclic)).select(
            "_row", pl.col("parent_usci").alias("value")
        )
        errors = pl.concat(
            [
                errors,
                row_errors(rows, "parent_usci", "input.parent_cycle", "parent_usci forms a cycle"),
            ]
        )
        updated -= cmp.filter(exists & pl.col("usci").is_in(cyclic)).height
    _write(ctx, write.join(heads, on="usci", how="left"))
    moved = graph.join(heads, on="usci", suffix="_new").filter(
        pl.col("head_usci") != pl.col("head_usci_new")
    )
    moved = moved.join(write.select("usci"), on="usci", how="anti")
    if moved.height:
        conn.execute(
            entities.update()
            .where(entities.c.usci == sa.bindparam("_u"))
            .values(head_usci=sa.bindparam("_h")),
            [{"_u": u, "_h": h} for u, h in moved.select("usci", "head_usci_new").iter_rows()],
        )
    affected = set(heads.get_column("usci").to_list()) | set(graph.get_column("usci").to_list())
    return Applied(
        accepted=write.height - updated,
        updated=updated,
        unchanged=unchanged,
        errors=errors,
        affected=sorted(affected),
    )


def _write(ctx: ChunkContext, write: pl.DataFrame) -> None:
    """Insert new and update changed entities from the stage; replace their aliases."""
    conn, s = ctx.conn, _stage
    reset_temp(conn, s)
    frame = write.with_columns(pl.col("usci").str.slice(2, 6).alias("division_code"))
    insert_frame(conn, s, frame.select([c.name for c in s.columns]))
    conn.execute(
        entities.update()
        .where(entities.c.usci == s.c.usci)
        .values(**{c: s.c[c] for c in _WRITTEN}, updated_at=ctx.now)
    )
    conn.execute(
        entities.insert().from_select(
            ["usci", *_WRITTEN, "created_at", "updated_at"],
            sa.select(
                s.c.usci,
                *[s.c[c] for c in _WRITTEN],
                sa.literal(ctx.now, entities.c.created_at.type),
                sa.literal(ctx.now, entities.c.updated_at.type),
            ).where(
                ~sa.exists(sa.select(1).select_from(entities).where(entities.c.usci == s.c.usci))
            ),
        )
    )
    conn.execute(entity_aliases.delete().where(entity_aliases.c.usci.in_(sa.select(s.c.usci))))
    aliases = (
        write.select("usci", pl.col("aliases").str.split("|").alias("alias"))
        .explode("alias", empty_as_null=False, keep_nulls=False)
        .drop_nulls("alias")
    )
    insert_frame(conn, entity_aliases, aliases)
    _version(ctx, write)


_VERSIONED = ("name", "name_en", "legal_form", "status", "parent_usci", "natural_person", "aliases")
_LATEST = (
    sa.select(_stage.c.usci, sa.func.coalesce(sa.func.max(entity_versions.c.version), 0))
    .select_from(_stage.outerjoin(entity_versions, entity_versions.c.usci == _stage.c.usci))
    .group_by(_stage.c.usci)
)


def _version(ctx: ChunkContext, write: pl.DataFrame) -> None:
    """A new version of every entity written (new or changed), recorded now."""
    if write.is_empty():
        return
    latest = fetch_frame(ctx.conn, _LATEST, {"usci": pl.Utf8(), "version": pl.Int64()}, static=True)
    frame = (
        write.select("usci", *_VERSIONED)
        .join(latest, on="usci", how="left")
        .with_columns(
            (pl.col("version").fill_null(0) + 1).cast(pl.Int32),
            pl.lit(ctx.now).alias("recorded_at"),
        )
    )
    insert_frame(ctx.conn, entity_versions, frame.select([c.name for c in entity_versions.columns]))

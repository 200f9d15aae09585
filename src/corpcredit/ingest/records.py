"""Land a chunk of records: idempotent on ``(source, record_id)``, versioned on change.

Each record's ``content_hash`` is the SHA-256 of its canonical form: the feed's
columns after validation and normalisation (trimmed text, normalised USCI, typed
dates and amounts, absent flags as false), joined in a fixed order, ``recorded_at``
left out (it says when the registry learnt the record, not what it says). So the
same record sent as CSV or as Parquet has the same hash.

The chunk is staged (in a temporary table, or, for a large chunk, in the scratch
database it is written to; see :func:`_staged`) and written with set-based statements:

1. rows whose key an earlier chunk of the file had are duplicates (the keys landed
   so far are kept in the context's memory, as Polars frames, and joined there with
   the rows whose key is stored: no other row can be one);
2. rows naming an entity missing from the store, or a natural person, are refused;
3. rows whose stored record has the same hash are unchanged: nothing is written;
4. a changed row supersedes the current version (``superseded_at``), rewrites the
   record with ``version + 1`` and gets an audit entry ``record.corrected``;
5. new rows are inserted with version 1; every new or changed row adds its version
   to ``record_versions``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit import audit
from corpcredit.ingest.checks import ERROR_SCHEMA
from corpcredit.ingest.context import Applied, ChunkContext, delete_rows, row_errors, sha256_column
from corpcredit.services import sqlite_arrow
from corpcredit.services.ingest_sql import (
    ROW_NUMBER,
    fetch_frame,
    insert_frame,
    reset_temp,
    sqlite_values,
    temp_table,
)
from corpcredit.services.rescore import next_record_id, written_since
from corpcredit.services.sqlite_arrow import SCRATCH_TABLE, scratch_table
from corpcredit.store.schema import entities, record_versions, records

__all__ = ["HASHED_COLUMNS", "apply_records", "content_hashes", "remember_records", "reset_records"]

HASHED_COLUMNS = (
    "source",
    "record_id",
    "usci",
    "kind",
    "tier",
    "decided_on",
    "authority",
    "decision_no",
    "legal_basis",
    "summary",
    "amount_cny",
    "grade",
    "black",
    "red",
    "ends_on",
)
_CANON_PREFIX = "corpcredit.record.v1"
_FIELDS = (*HASHED_COLUMNS[3:], "recorded_at")  # kind … recorded_at, as in records

_stage = temp_table(
    "_cc_stage_records",
    sa.Column("row", ROW_NUMBER, primary_key=True, autoincrement=False),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("record_id", sa.String(), nullable=False),
    sa.Column("usci", sa.String(18), nullable=False),
    *[sa.Column(c.name, c.type) for c in records.columns if c.name in _FIELDS],
    sa.Column("content_hash", sa.String(64), nullable=False),
    # No index on the key (unique within a chunk anyway): with one, SQLite may join by
    # scanning every record and probing the stage, instead of the other way round.
)
#: From this many staged rows on, the rows inserted are handed to the chunk's rescore
#: from memory; a few rows cost less to read back than the two queries that vouch for them.
WRITTEN_IN_MEMORY = 1_000
_ROW_VALUE: dict[str, pl.DataType] = {"_row": pl.Int64(), "value": pl.Utf8()}
_SEEN = "records.seen"  # ChunkContext.memory: key frames of the rows landed so far
_KEY_COLUMNS = ["source", "record_id"]


def content_hashes(df: pl.DataFrame) -> pl.Series:
    """The content hash of every validated record row."""
    return sha256_column(df.select(_CANONICAL).to_series(), "content_hash")


#: A record row's canonical form, the text its content hash is taken of.
_CANONICAL = pl.concat_str(
    [pl.lit(_CANON_PREFIX)] + [pl.col(c).cast(pl.Utf8).fill_null("\x00") for c in HASHED_COLUMNS],
    separator="\x1f",
)


def reset_records(conn: Connection) -> None:
    """Nothing to do: the keys seen are kept in the context's memory, new for every file."""


def _remember(ctx: ChunkContext, keys: pl.DataFrame) -> None:
    seen: list[pl.DataFrame] = ctx.memory.setdefault(_SEEN, [])
    seen.append(keys.select(pl.col(c).cast(pl.Utf8) for c in _KEY_COLUMNS))


def remember_records(ctx: ChunkContext, good: pl.DataFrame) -> None:
    """Note the keys of rows an earlier run already landed (when resuming)."""
    _remember(ctx, good)


#: Only a row whose key is stored can repeat one of an earlier chunk: every key an
#: earlier chunk of the file landed is stored by now (the keys remembered are those of
#: rows landed, or found unchanged, never of rows refused). So only the rows the
#: store's probe finds are looked for among the keys seen, and a fresh load looks for
#: none, where every staged row was joined with every key seen so far (growing with
#: the square of the file). False: every staged row is (the general way, for tests).
DUPLICATES_AMONG_STORED = True


def _duplicates(ctx: ChunkContext, candidates: pl.DataFrame) -> pl.DataFrame:
    """Rows (``_row``, ``value``: the record_id) of ``candidates`` (``row``, ``source``,
    ``record_id``) whose key an earlier chunk had."""
    seen: list[pl.DataFrame] = ctx.memory.get(_SEEN, [])
    if not seen or candidates.is_empty():
        return pl.DataFrame(schema=_ROW_VALUE)
    earlier = pl.concat(seen, rechunk=False)
    return (
        candidates.select("row", *_KEY_COLUMNS)
        .join(earlier, on=_KEY_COLUMNS, how="semi")
        .select(pl.col("row").alias("_row"), pl.col("record_id").alias("value"))
        .sort("_row")
    )


def _key(a: sa.Table, b: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(a.c.source == b.c.source, a.c.record_id == b.c.record_id)


def _stage_frame(ctx: ChunkContext, good: pl.DataFrame) -> pl.DataFrame:
    # One query, the canonical text in place of the hash; then the hash in its place.
    df = (
        good.lazy()
        .with_columns(
            pl.col("black").fill_null(False),
            pl.col("red").fill_null(False),
            pl.col("recorded_at").fill_null(pl.lit(ctx.now).cast(pl.Datetime("us", "UTC"))),
        )
        .with_columns(_CANONICAL.alias("content_hash"))
        .rename({"_row": "row"})
        .select([c.name for c in _stage.columns])
        .collect()
    )
    at = df.get_column_index("content_hash")
    return df.replace_column(at, sha256_column(df.get_column("content_hash"), "content_hash"))


# One probe of the entities per staged row: refused when missing or a natural person.
def _entity_refused(stage: sa.Table) -> sa.Select[Any]:
    return (
        sa.select(
            stage.c.row,
            stage.c.usci,
            sa.case((entities.c.usci.is_(None), sa.literal("missing")), else_=sa.literal("person")),
        )
        .select_from(stage.outerjoin(entities, entities.c.usci == stage.c.usci))
        .where(sa.or_(entities.c.usci.is_(None), entities.c.natural_person.is_(True)))
    )


_ENTITY_REFUSED_SCHEMA: dict[str, pl.DataType] = {**_ROW_VALUE, "why": pl.Utf8()}


# The stored version of every staged row that has one: unchanged or changed.
def _existing(stage: sa.Table) -> sa.Select[Any]:
    return sa.select(
        stage.c.row,
        stage.c.source,
        stage.c.record_id,
        records.c.id,
        records.c.version,
        records.c.content_hash,
        stage.c.content_hash,
        records.c.usci,
    ).join_from(stage, records, _key(records, stage))


#: The queries on the temporary stage, built once (and compiled once per dialect).
_StageQuery = Callable[[sa.Table], sa.Select[Any]]
_ON_TEMPORARY: dict[_StageQuery, sa.Select[Any]] = {
    build: build(_stage) for build in (_entity_refused, _existing)
}


def _on_stage(
    conn: Connection,
    stage: sa.Table,
    build: _StageQuery,
    schema: dict[str, pl.DataType],
) -> pl.DataFrame:
    """The rows of ``build``'s query on ``stage`` (the temporary stage or a scratch one)."""
    if stage is _stage:
        return fetch_frame(conn, _ON_TEMPORARY[build], schema, static=True)
    return fetch_frame(conn, build(stage), schema)


_EXISTING_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "source": pl.Utf8(),
    "record_id": pl.Utf8(),
    "id": pl.Int64(),
    "version": pl.Int64(),
    "old_hash": pl.Utf8(),
    "new_hash": pl.Utf8(),
    "old_usci": pl.Utf8(),
}
_CHANGED_SCHEMA = {k: v for k, v in _EXISTING_SCHEMA.items() if k != "row"}


def _refused(ctx: ChunkContext, stage: sa.Table, candidates: pl.DataFrame) -> pl.DataFrame:
    """Errors of the staged rows refused: duplicates among ``candidates`` (see
    :data:`DUPLICATES_AMONG_STORED`), and rows naming no entity or a natural person."""
    conn = ctx.conn
    entity = _on_stage(conn, stage, _entity_refused, _ENTITY_REFUSED_SCHEMA)
    parts = [
        (
            _duplicates(ctx, candidates),
            "record_id",
            "input.duplicate",
            "duplicate (source, record_id): an earlier row of this file has it",
        )
    ]
    if entity.height:
        parts += [
            (
                entity.filter(pl.col("why") == "missing"),
                "usci",
                "input.unknown_entity",
                "no entity with this usci in the registry; ingest the entity first",
            ),
            (
                entity.filter(pl.col("why") == "person"),
                "usci",
                "input.natural_person",
                "the entity is a natural person (individual business); "
                "records about natural persons are not accepted",
            ),
        ]
    # Rows refused for no reason build no frame: a small chunk pays per query.
    found = [row_errors(rows, *why) for rows, *why in parts if rows.height]
    return pl.concat(found) if found else pl.DataFrame(schema=ERROR_SCHEMA)


def _staged(conn: Connection, staged: pl.DataFrame) -> sa.Table:
    """The stage holding ``staged``: a large chunk's rows stay in the scratch database
    they are written to (:func:`corpcredit.services.sqlite_arrow.scratch_table`), read
    from there by every statement of the chunk, where copying them into the temporary
    stage cost about 1.8 µs a row; a small chunk (or no scratch space) goes into the
    temporary stage. Either way the table has the stage's columns and values."""
    if staged.height >= sqlite_arrow.SCRATCH_MIN_ROWS:
        schema = scratch_table(conn, sqlite_values(staged), index=["row"])
        if schema is not None:
            return _stage.to_metadata(sa.MetaData(), schema=schema, name=SCRATCH_TABLE)
    reset_temp(conn, _stage)
    insert_frame(conn, _stage, staged)
    return _stage


def apply_records(ctx: ChunkContext, good: pl.DataFrame) -> Applied:
    """Land the validated rows of one chunk (see the module docstring)."""
    conn = ctx.conn
    staged = _stage_frame(ctx, good)
    total = staged.height
    s = _staged(conn, staged)
    # One probe of the records per staged row; a fresh load finds none and deletes nothing.
    existing = _on_stage(conn, s, _existing, _EXISTING_SCHEMA)
    errors = _refused(ctx, s, existing if DUPLICATES_AMONG_STORED else staged)
    refused = errors.get_column("_row").unique().to_list()
    delete_rows(conn, s, refused)
    if refused:
        gone = pl.Series(refused, dtype=pl.Int64).implode()
        _remember(ctx, staged.filter(~pl.col("row").is_in(gone)))
        existing = existing.filter(~pl.col("row").is_in(gone))
    else:
        _remember(ctx, staged)
    if existing.is_empty():  # all new (as usual): nothing to compare
        same_rows, changed = [], pl.DataFrame(schema=_CHANGED_SCHEMA)
    else:
        same = pl.col("old_hash") == pl.col("new_hash")
        same_rows = existing.filter(same).get_column("row").to_list()
        changed = existing.filter(~same).drop("row")
    unchanged = len(same_rows)
    if unchanged:
        same_hash = sa.exists(
            sa.select(1)
            .select_from(records)
            .where(_key(records, s), records.c.content_hash == s.c.content_hash)
        )
        conn.execute(s.delete().where(same_hash))
    if changed.height:
        _correct(ctx, s)
    # A large chunk's new rows are handed to the rescore from memory (not read back).
    first_id = next_record_id(conn) if staged.height >= WRITTEN_IN_MEMORY else None
    fields = ["source", "record_id", "usci", *_FIELDS]
    new_rows = sa.select(
        *[s.c[f] for f in fields],
        sa.literal(1, sa.Integer()),
        s.c.content_hash,
        sa.literal(ctx.batch_id, sa.BigInteger()),
    )
    if changed.height:
        # Without changed rows, every row left in the stage is new (the probe above
        # found no stored record for it, in this same write transaction).
        new_rows = new_rows.where(
            ~sa.exists(sa.select(1).select_from(records).where(_key(records, s)))
        )
    conn.execute(
        records.insert().from_select([*fields, "version", "content_hash", "batch_id"], new_rows)
    )
    written = None
    if first_id is not None:
        kept = pl.Series([*refused, *existing.get_column("row")], dtype=pl.Int64)
        inserted = staged.filter(~pl.col("row").is_in(kept.implode())) if kept.len() else staged
        written = written_since(conn, first_id, inserted)
    versions = sa.select(
        records.c.id,
        records.c.version,
        *[records.c[f] for f in fields],
        records.c.content_hash,
        records.c.batch_id,
    )
    if written is not None and not changed.height:
        # Every staged row is new, and the new rows are those from the first new id
        # on: read in key order, without a probe of the (source, record_id) index each.
        versions = versions.where(records.c.id >= written.first_id)
    else:
        versions = versions.join_from(s, records, _key(records, s))
    conn.execute(
        record_versions.insert().from_select(
            ["record_pk", "version", *fields, "content_hash", "batch_id"], versions
        )
    )
    for source, record_id, _pk, version, old, new, _u in changed.iter_rows():
        audit.append(
            conn,
            ctx.actor,
            "record.corrected",
            "record",
            f"{source}/{record_id}",
            {
                "source": source,
                "record_id": record_id,
                "version": version + 1,
                "previous_content_hash": old,
                "content_hash": new,
                "batch_id": ctx.batch_id,
            },
        )
    # The entities of the rows landed (new or changed), from the staged frame: the
    # rows left in the stage. SQLite's DISTINCT sorted the stage for them (about 40 ms
    # of processor time per 50,000 rows; this takes about 10).
    left_out = pl.Series([*refused, *same_rows], dtype=pl.Int64)
    landed = staged.filter(~pl.col("row").is_in(left_out.implode())) if left_out.len() else staged
    affected = set(landed.get_column("usci").unique().to_list())
    affected.update(changed.get_column("old_usci").to_list())
    return Applied(
        accepted=total - len(refused) - unchanged - changed.height,
        updated=changed.height,
        unchanged=unchanged,
        errors=errors,
        affected=sorted(affected),
        written=written,
    )


def _correct(ctx: ChunkContext, s: sa.Table) -> None:
    """Supersede the current versions of the staged records (``s``) and rewrite them."""
    conn = ctx.conn
    conn.execute(
        record_versions.update()
        .where(
            record_versions.c.superseded_at.is_(None),
            record_versions.c.record_pk.in_(
                sa.select(records.c.id).join_from(s, records, _key(records, s))
            ),
        )
        .values(superseded_at=ctx.now)
    )
    conn.execute(
        records.update()
        .where(_key(records, s))
        .values(
            usci=s.c.usci,
            **{f: s.c[f] for f in _FIELDS},
            version=records.c.version + 1,
            content_hash=s.c.content_hash,
            batch_id=ctx.batch_id,
        )
    )

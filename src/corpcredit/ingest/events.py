"""Land a chunk of record events: idempotent on ``(source, record_id, event, effective_on)``.

An event names a record that must already be in the store; one already stored is
unchanged (events are facts with a date: a different date is a different event).
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.ingest.context import Applied, ChunkContext, delete_rows, row_errors
from corpcredit.services.ingest_sql import (
    ROW_NUMBER,
    fetch_frame,
    insert_frame,
    reset_temp,
    temp_table,
)
from corpcredit.store.schema import record_events, records

__all__ = ["apply_events", "remember_events", "reset_events"]

_KEY = ("source", "record_id", "event", "effective_on")
_stage = temp_table(
    "_cc_stage_events",
    sa.Column("row", ROW_NUMBER, primary_key=True, autoincrement=False),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("record_id", sa.String(), nullable=False),
    sa.Column("event", sa.String(), nullable=False),
    sa.Column("effective_on", sa.Date(), nullable=False),
    sa.Column("recorded_at", record_events.c.recorded_at.type, nullable=False),
    # No index on the key: see the records' stage.
)
_seen = temp_table(
    "_cc_seen_events",
    sa.Column("source", sa.String(), primary_key=True),
    sa.Column("record_id", sa.String(), primary_key=True),
    sa.Column("event", sa.String(), primary_key=True),
    sa.Column("effective_on", sa.Date(), primary_key=True),
)


def reset_events(conn: Connection) -> None:
    """Forget the keys seen so far (at the start of a file)."""
    reset_temp(conn, _seen)


def remember_events(ctx: ChunkContext, good: pl.DataFrame) -> None:
    """Note the keys of rows an earlier run already landed (when resuming)."""
    insert_frame(ctx.conn, _seen, good.select(*_KEY))


def _same(a: sa.Table, b: sa.Table, columns: tuple[str, ...]) -> sa.ColumnElement[bool]:
    return sa.and_(*[a.c[c] == b.c[c] for c in columns])


_DUPLICATE = sa.select(_stage.c.row, _stage.c.event).where(
    sa.exists(sa.select(1).select_from(_seen).where(_same(_seen, _stage, _KEY)))
)
_ORPHAN = sa.select(_stage.c.row, _stage.c.record_id).where(
    ~sa.exists(
        sa.select(1).select_from(records).where(_same(records, _stage, ("source", "record_id")))
    )
)


def apply_events(ctx: ChunkContext, good: pl.DataFrame) -> Applied:
    """Land the validated events of one chunk."""
    conn, s = ctx.conn, _stage
    reset_temp(conn, s)
    frame = good.with_columns(
        pl.col("recorded_at").fill_null(pl.lit(ctx.now).cast(pl.Datetime("us", "UTC")))
    ).rename({"_row": "row"})
    total = insert_frame(conn, s, frame.select([c.name for c in s.columns]))
    schema: dict[str, pl.DataType] = {"_row": pl.Int64(), "value": pl.Utf8()}
    errors = pl.concat(
        [
            row_errors(
                fetch_frame(conn, _DUPLICATE, schema, static=True),
                "event",
                "input.duplicate",
                "duplicate event: an earlier row of this file has it",
            ),
            row_errors(
                fetch_frame(conn, _ORPHAN, schema, static=True),
                "record_id",
                "input.unknown_record",
                "no record with this (source, record_id) in the registry; ingest the record first",
            ),
        ]
    )
    refused = errors.get_column("_row").unique().to_list()
    delete_rows(conn, s, refused)
    conn.execute(_seen.insert().from_select(list(_KEY), sa.select(*[s.c[c] for c in _KEY])))
    stored = sa.exists(sa.select(1).select_from(record_events).where(_same(record_events, s, _KEY)))
    unchanged = conn.execute(s.delete().where(stored)).rowcount
    columns = [*_KEY, "recorded_at"]
    conn.execute(
        record_events.insert().from_select(
            [*columns, "batch_id"],
            sa.select(*[s.c[c] for c in columns], sa.literal(ctx.batch_id, sa.BigInteger())),
        )
    )
    # No DISTINCT in SQL: SQLite would scan every record in usci order to avoid
    # sorting, instead of probing the records' key for each staged event.
    affected = set(
        conn.execute(
            sa.select(records.c.usci).join_from(
                s, records, _same(records, s, ("source", "record_id"))
            )
        ).scalars()
    )
    return Applied(
        accepted=total - len(refused) - unchanged,
        unchanged=unchanged,
        errors=errors,
        affected=sorted(affected),
    )

"""What every chunk applier shares: the chunk's context and what applying it did."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.ingest.checks import ERROR_SCHEMA
from corpcredit.services.rescore import WrittenRecords

__all__ = ["Applied", "ChunkContext", "delete_rows", "row_errors", "sha256_column"]


@dataclass
class ChunkContext:
    """One chunk's transaction: connection, batch, file, actor and the time of ingest."""

    conn: Connection
    batch_id: int
    file: str
    actor: str
    now: datetime
    batch_uscis: pl.Series | None = None  # entities: every usci in the file
    memory: dict[str, Any] = field(default_factory=dict)  # kept from chunk to chunk of a file


@dataclass
class Applied:
    """Counts of one chunk, rows refused against the store, entities to rescore."""

    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ERROR_SCHEMA))
    affected: list[str] = field(default_factory=list)
    written: WrittenRecords | None = None  # records inserted, for the rescore (from memory)


def row_errors(rows: pl.DataFrame, column: str, code: str, message: str) -> pl.DataFrame:
    """Errors for ``rows`` (columns ``_row`` and ``value``) with one code and message."""
    return rows.select(
        pl.col("_row").cast(pl.Int64),
        pl.lit(column).alias("column"),
        pl.col("value").cast(pl.Utf8),
        pl.lit(code).alias("code"),
        pl.lit(message).alias("message"),
    )


def sha256_column(texts: pl.Series, name: str) -> pl.Series:
    """The SHA-256 (hex) of each text (of its UTF-8 bytes: Polars hands them over as is)."""
    sha256 = hashlib.sha256
    data = texts.cast(pl.Binary).to_list()
    return pl.Series(name, [sha256(b).hexdigest() for b in data], dtype=pl.Utf8)


def delete_rows(conn: Connection, table: sa.Table, rows: list[int]) -> None:
    """Remove rows of a staging table by their ``row`` number."""
    if rows:
        conn.execute(
            table.delete().where(table.c.row == sa.bindparam("_r")), [{"_r": r} for r in rows]
        )

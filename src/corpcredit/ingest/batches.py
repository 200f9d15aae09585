"""Ingest batches: the progress marker, the quarantine, the report and the batch audit.

One ``ingest_batches`` row per ingest of a file. Its ``counts`` (JSON) is the
progress marker, updated in the same transaction as each chunk's rows:
``rows_done`` (data rows consumed), ``chunk_rows`` (so a resumed run cuts the file
at the same boundaries) and the running counts. A batch left ``running`` by a
killed process is resumed by the next ingest of the same bytes (same kind and
SHA-256): chunks already committed are skipped, so nothing lands twice and
nothing is lost. ``done`` batches are history.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit import audit
from corpcredit.errors import CorpCreditError
from corpcredit.services.ingest_sql import insert_frame
from corpcredit.store.schema import ingest_batches, quarantine

__all__ = [
    "REPORT_COLUMNS",
    "BatchState",
    "ConcurrentIngest",
    "claim_progress",
    "find_running",
    "finish_batch",
    "open_batch",
    "quarantine_errors",
    "quarantined_rows",
    "write_report",
]

REPORT_COLUMNS = ("file", "row", "column", "value", "code", "message")
_COUNTS = ("accepted", "updated", "unchanged", "quarantined")


class ConcurrentIngest(CorpCreditError):
    """Another process is ingesting the same file into the same registry."""

    code = "ingest.concurrent"
    http_status = 409


@dataclass
class BatchState:
    """Where a batch stands: its id (None until the first chunk), rows done, counts."""

    batch_id: int | None = None
    rows_done: int = 0
    chunk_rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTS, 0))
    resumed: bool = False

    def marker(self) -> dict[str, Any]:
        return {**self.counts, "rows_done": self.rows_done, "chunk_rows": self.chunk_rows}


def find_running(conn: Connection, kind: str, sha256: str) -> BatchState | None:
    """The unfinished batch of the same file, if a previous run was interrupted."""
    b = ingest_batches.c
    row = conn.execute(
        sa.select(b.id, b.counts)
        .where(b.kind == kind, b.file_sha256 == sha256, b.status == "running")
        .order_by(b.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    counts = dict(row.counts or {})
    return BatchState(
        batch_id=int(row.id),
        rows_done=int(counts.get("rows_done", 0)),
        chunk_rows=int(counts.get("chunk_rows", 0)),
        counts={k: int(counts.get(k, 0)) for k in _COUNTS},
        resumed=True,
    )


def open_batch(
    conn: Connection, kind: str, file: str, sha256: str, state: BatchState, now: datetime
) -> None:
    """Create the batch row (in the first chunk's transaction)."""
    result = conn.execute(
        ingest_batches.insert().values(
            kind=kind,
            file=file,
            file_sha256=sha256,
            started_at=now,
            status="running",
            counts=state.marker(),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    state.batch_id = int(key[0])


def claim_progress(
    conn: Connection, state: BatchState, consumed: int, added: dict[str, int]
) -> None:
    """Advance the marker by one chunk, checking nobody else advanced it meanwhile."""
    assert state.batch_id is not None
    b = ingest_batches.c
    stored = conn.execute(sa.select(b.counts).where(b.id == state.batch_id)).scalar_one()
    if int((stored or {}).get("rows_done", 0)) != state.rows_done:
        raise ConcurrentIngest(
            f"ingest batch {state.batch_id} was advanced by another process; "
            "let that ingest finish, then run this one again"
        )
    state.rows_done += consumed
    for k, v in added.items():
        state.counts[k] += v
    conn.execute(
        ingest_batches.update().where(b.id == state.batch_id).values(counts=state.marker())
    )


def quarantine_errors(conn: Connection, batch_id: int, file: str, errors: pl.DataFrame) -> int:
    """Store one quarantine row per problem; return the number of rows refused."""
    if errors.is_empty():
        return 0
    frame = errors.select(
        pl.lit(batch_id, dtype=pl.Int64).alias("batch_id"),
        pl.lit(file).alias("file"),
        pl.col("_row").alias("row"),
        pl.col("column").fill_null(""),
        pl.col("value").fill_null(""),
        "code",
        "message",
    )
    insert_frame(conn, quarantine, frame)
    return errors.get_column("_row").n_unique()


def finish_batch(
    conn: Connection,
    state: BatchState,
    *,
    actor: str,
    kind: str,
    file: str,
    sha256: str,
    now: datetime,
) -> None:
    """Mark the batch done and append its audit entry (``ingest.batch``)."""
    assert state.batch_id is not None
    conn.execute(
        ingest_batches.update()
        .where(ingest_batches.c.id == state.batch_id)
        .values(status="done", finished_at=now, counts=state.marker())
    )
    audit.append(
        conn,
        actor,
        "ingest.batch",
        "ingest_batch",
        str(state.batch_id),
        {
            "kind": kind,
            "file": file,
            "file_sha256": sha256,
            **state.counts,
            "rows": state.rows_done,
        },
    )


def quarantined_rows(conn: Connection, batch_id: int) -> set[int]:
    """Row numbers refused so far in a batch (to rebuild state when resuming)."""
    q = sa.select(quarantine.c.row).where(quarantine.c.batch_id == batch_id).distinct()
    return {int(r) for r in conn.execute(q).scalars()}


def write_report(conn: Connection, batch_id: int, path: Path) -> None:
    """Write the batch's quarantine as CSV (``file,row,column,value,code,message``)."""
    q = quarantine.c
    rows = conn.execute(
        sa.select(q.file, q.row, q.column, q.value, q.code, q.message)
        .where(q.batch_id == batch_id)
        .order_by(q.row, q.id)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(REPORT_COLUMNS)
        for row in rows:
            out.writerow(row)
    tmp.replace(path)

"""One-line builders for ingestion tests: feed rows, feed files, and store snapshots."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit.catalogue import default_catalogue
from corpcredit.ids._checksum import iso7064_mod11_2_check
from corpcredit.ingest import IngestSummary, ingest_file
from corpcredit.store import create_engine_for
from corpcredit.store.schema import ingest_batches
from tests.factory import usci

AS_OF = date(2026, 6, 30)
CAT = default_catalogue()
ENTITY_FIELDS = [
    "usci",
    "name",
    "name_en",
    "aliases",
    "parent_usci",
    "legal_form",
    "status",
    "registered_on",
    "address",
]
RECORD_FIELDS = [
    "record_id",
    "source",
    "usci",
    "kind",
    "tier",
    "decided_on",
    "authority",
    "decision_no",
    "summary",
    "amount_cny",
    "grade",
    "black",
    "red",
    "ends_on",
    "recorded_at",
]
EVENT_FIELDS = ["source", "record_id", "event", "effective_on", "recorded_at"]


def resident_id() -> str:
    """A synthetic, valid resident identity number (not any real person's)."""
    first17 = "11010519491231002"
    return first17 + iso7064_mod11_2_check(first17)


def entity(n: int, parent: int | None = None, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "usci": usci(n),
        "name": f"测试{n}有限公司",
        "aliases": None,
        "parent_usci": usci(parent) if parent is not None else None,
        "legal_form": "有限责任公司" if parent is None else "分公司",
        "status": "active",
        "address": f"浙江省杭州市西湖区文三路{n}号",
    }
    return row | kw


def record(
    rid: str, n: int, kind: str = "admin_penalty", tier: str | None = "general", **kw: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "record_id": rid,
        "source": "test",
        "usci": usci(n) if isinstance(n, int) else n,
        "kind": kind,
        "tier": tier,
        "decided_on": "2026-01-10",
        "authority": "杭州市西湖区市场监督管理局",
        "decision_no": f"杭西市监罚〔2026〕{rid}号",
        "summary": "未按规定公示年度报告",
        "amount_cny": None,
        "grade": None,
        "black": None,
        "red": None,
        "ends_on": None,
        "recorded_at": "2026-01-11T09:00:00+08:00",
    }
    return row | kw


def event(rid: str, kind: str, effective: str, **kw: Any) -> dict[str, Any]:
    row = {
        "source": "test",
        "record_id": rid,
        "event": kind,
        "effective_on": effective,
        "recorded_at": f"{effective}T10:00:00+08:00",
    }
    return row | kw


def frame(rows: list[dict[str, Any]], fields: list[str]) -> pl.DataFrame:
    """Rows as a frame of text columns (every cell a string or null)."""
    data = {f: [None if r.get(f) is None else str(r[f]) for r in rows] for f in fields}
    return pl.DataFrame(data, schema={f: pl.Utf8 for f in fields})


def write_feed(path: Path, rows: list[dict[str, Any]], fields: list[str]) -> Path:
    """Write rows as CSV, JSON Lines, Parquet or XLSX (by the path's extension)."""
    df = frame(rows, fields)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.write_csv(path)
    elif suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for r in df.iter_rows(named=True):
                fh.write(
                    json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False)
                )
                fh.write("\n")
    elif suffix == ".parquet":
        df.write_parquet(path)
    elif suffix == ".xlsx":
        df.write_excel(path)
    else:
        raise ValueError(suffix)
    return path


def ingest(engine: Engine, kind: str, path: Path, **kw: Any) -> IngestSummary:
    kw.setdefault("actor", "test")
    kw.setdefault("cat", CAT)
    kw.setdefault("as_of", AS_OF)
    return ingest_file(engine, kind, path, **kw)


def rows(engine: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params)]


def count(engine: Engine, table: str) -> int:
    return int(rows(engine, f"SELECT count(*) FROM {table}")[0][0])


def progress(url: str, kind: str = "records") -> tuple[str, int] | None:
    """The status and rows done of the ``kind`` ingestion batch of the database at
    ``url``, read on an engine of its own (while another process ingests into it);
    None before there is one, or while the file cannot be read yet."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(ingest_batches.c.status, ingest_batches.c.counts).where(
                    ingest_batches.c.kind == kind
                )
            ).first()
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()
    return None if row is None else (row.status, int(row.counts["rows_done"]))


def quarantine(engine: Engine) -> list[tuple[int, str, str]]:
    """(row, column, code) of every quarantined problem, in row order."""
    return [
        (int(r), c, code)
        for r, c, code in rows(
            engine, 'SELECT "row", "column", code FROM quarantine ORDER BY "row", code'
        )
    ]


def _plain(value: Any) -> Any:
    """One representation for both backends (SQLite gives text dates and 0/1 flags)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """What must be equal between two stores fed the same files (ids and times aside)."""
    return {
        name: [tuple(_plain(v) for v in r) for r in got] for name, got in _tables(engine).items()
    }


def _tables(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "entities": rows(
            engine,
            "SELECT usci, name, parent_usci, head_usci, natural_person FROM entities ORDER BY usci",
        ),
        "records": rows(
            engine,
            "SELECT source, record_id, usci, version, content_hash FROM records "
            "ORDER BY source, record_id",
        ),
        "versions": rows(
            engine,
            "SELECT r.source, r.record_id, v.version, v.content_hash, v.superseded_at IS NULL "
            "FROM record_versions v JOIN records r ON r.id = v.record_pk "
            "ORDER BY r.source, r.record_id, v.version",
        ),
        "events": rows(
            engine,
            "SELECT source, record_id, event, effective_on FROM record_events "
            "ORDER BY source, record_id, event, effective_on",
        ),
        "results": rows(
            engine,
            "SELECT usci, score, grade, black, red, abnormal, own_points_h, received_points_h, "
            "next_change, head_usci FROM results ORDER BY usci",
        ),
        "contributions": rows(
            engine,
            "SELECT usci, record_source, record_id, from_usci, role, points_h FROM contributions "
            "ORDER BY usci, record_source, record_id",
        ),
        "lists": rows(
            engine,
            "SELECT usci, list, entered_on, left_on FROM list_entries "
            "ORDER BY usci, list, entered_on",
        ),
        "quarantine": rows(
            engine, 'SELECT "row", "column", code FROM quarantine ORDER BY "row", "column", code'
        ),
    }


def loaded_registry(directory: Path, entities: int, seed: int) -> Any:
    """A synthetic registry of ``entities`` ingested into a SQLite file in ``directory``
    and read back whole (``load_registry``, without knowledge times)."""
    from corpcredit import synth
    from corpcredit.services import load_registry
    from corpcredit.store import create_engine_for, upgrade

    engine = create_engine_for(f"sqlite:///{directory / 'registry.db'}")
    upgrade(engine)
    paths = synth.write(synth.generate(entities, seed, as_of=AS_OF), directory, "parquet")
    for kind in synth.FEEDS:
        ingest(engine, kind, paths[kind])
    with engine.connect() as conn:
        loaded = load_registry(conn, recorded_at=False)
    engine.dispose()
    return loaded

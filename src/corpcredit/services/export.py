"""The open-data export: what the public may see, as Parquet and CSV, with a manifest.

``export(engine, out_dir)`` writes four tables, each as ``NAME.parquet`` and
``NAME.csv`` (UTF-8, header, ISO dates, ``true``/``false``, empty for null):

- ``entities``: names, aliases (``|``-separated, as in the feed), legal form,
  status, registration date, division, parent and head office; for a natural
  person only ``usci``, ``name`` and ``natural_person`` (DOMAIN.md §7). No address.
- ``records``: the current version of every record the public sees, i.e. in
  force at the materialised results' date and of a published tier (no minor,
  repaired, expired or withdrawn records, none about natural persons), with its
  effective tier, its own points and ``counts_until`` (its exclusive end after
  lifts and repairs). No fine amounts.
- ``results``: the layout of FORMATS.md "results" (points as two-decimal numbers).
- ``list_entries``: list history with entry and exit dates and the JSON basis.

``manifest.json`` holds the row counts, the catalogue version, the audit head
(seq and hash: the export can be tied to the tamper-evident log), the generation
time, and each file's size and SHA-256. Everything is read in one snapshot
transaction and streamed in batches; the files go to a temporary directory next to
``out_dir`` that is renamed into place only when complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from corpcredit import audit
from corpcredit.catalogue import Catalogue, default_catalogue
from corpcredit.errors import CorpCreditError
from corpcredit.store.schema import (
    contributions,
    entities,
    entity_aliases,
    list_entries,
    records,
    results,
)

__all__ = ["TABLES", "ExportError", "ExportFile", "ExportManifest", "export"]

TABLES = ("entities", "records", "results", "list_entries")
BATCH_ROWS = 50_000
MANIFEST = "manifest.json"
FORMAT = "corpcredit-export/1"

_POINTS = pa.decimal128(18, 2)
_TS = pa.timestamp("us", tz="UTC")

SCHEMAS: dict[str, pa.Schema] = {
    "entities": pa.schema(
        [
            ("usci", pa.string()),
            ("name", pa.string()),
            ("name_en", pa.string()),
            ("aliases", pa.string()),
            ("legal_form", pa.string()),
            ("status", pa.string()),
            ("registered_on", pa.date32()),
            ("division_code", pa.string()),
            ("parent_usci", pa.string()),
            ("head_usci", pa.string()),
            ("natural_person", pa.bool_()),
        ]
    ),
    "records": pa.schema(
        [
            ("source", pa.string()),
            ("record_id", pa.string()),
            ("usci", pa.string()),
            ("kind", pa.string()),
            ("tier", pa.string()),
            ("grade", pa.string()),
            ("decided_on", pa.date32()),
            ("authority", pa.string()),
            ("decision_no", pa.string()),
            ("legal_basis", pa.string()),
            ("summary", pa.string()),
            ("black", pa.bool_()),
            ("red", pa.bool_()),
            ("ends_on", pa.date32()),
            ("counts_until", pa.date32()),
            ("points", _POINTS),
            ("recorded_at", _TS),
            ("version", pa.int32()),
        ]
    ),
    "results": pa.schema(
        [
            ("usci", pa.string()),
            ("as_of", pa.date32()),
            ("natural_person", pa.bool_()),
            ("score", pa.int32()),
            ("grade", pa.string()),
            ("black", pa.bool_()),
            ("red", pa.bool_()),
            ("abnormal", pa.bool_()),
            ("own_points", _POINTS),
            ("received_points", _POINTS),
            ("next_change", pa.date32()),
            ("catalogue_version", pa.string()),
        ]
    ),
    "list_entries": pa.schema(
        [
            ("id", pa.int64()),
            ("usci", pa.string()),
            ("list", pa.string()),
            ("entered_on", pa.date32()),
            ("left_on", pa.date32()),
            ("basis", pa.string()),
        ]
    ),
}


class ExportError(CorpCreditError):
    code = "export.failed"
    http_status = 500


@dataclass(frozen=True)
class ExportFile:
    path: str
    table: str
    format: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class ExportManifest:
    """What ``manifest.json`` says (``directory`` is where the export now is)."""

    directory: Path
    generated_at: datetime
    catalogue_version: str
    results_catalogue_versions: tuple[str, ...]
    audit_head: audit.Head
    tables: dict[str, int]
    files: tuple[ExportFile, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "generated_at": self.generated_at.isoformat(),
            "catalogue_version": self.catalogue_version,
            "results_catalogue_versions": list(self.results_catalogue_versions),
            "audit_head": {"seq": self.audit_head.seq, "hash": self.audit_head.hash},
            "tables": {name: {"rows": n} for name, n in self.tables.items()},
            "files": [
                {
                    "path": f.path,
                    "table": f.table,
                    "format": f.format,
                    "rows": f.rows,
                    "bytes": f.bytes,
                    "sha256": f.sha256,
                }
                for f in self.files
            ],
        }


def _points(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


def _entity_batches(conn: Connection) -> Iterator[list[dict[str, Any]]]:
    q = sa.select(entities).order_by(entities.c.usci)
    for part in conn.execution_options(yield_per=BATCH_ROWS).execute(q).mappings().partitions():
        first, last = part[0]["usci"], part[-1]["usci"]
        names: dict[str, list[str]] = {}
        aq = (
            sa.select(entity_aliases.c.usci, entity_aliases.c.alias)
            .where(entity_aliases.c.usci.between(first, last))
            .order_by(entity_aliases.c.usci, entity_aliases.c.alias)
        )
        for usci, alias in conn.execute(aq):
            names.setdefault(usci, []).append(alias)
        rows = []
        for r in part:
            if r["natural_person"]:  # name and USCI only (DOMAIN.md §7)
                rows.append({"usci": r["usci"], "name": r["name"], "natural_person": True})
                continue
            row = {c: r[c] for c in SCHEMAS["entities"].names if c in r}
            row["aliases"] = "|".join(names.get(r["usci"], [])) or None
            row["natural_person"] = False
            rows.append(row)
        yield rows


def _published_tiers(cat: Catalogue) -> list[str]:
    return [str(t) for t, tier in cat.tiers.items() if tier.published]


def _record_batches(conn: Connection, cat: Catalogue) -> Iterator[list[dict[str, Any]]]:
    c = contributions
    q = (
        sa.select(
            records.c.source,
            records.c.record_id,
            records.c.usci,
            records.c.kind,
            c.c.tier,
            records.c.grade,
            records.c.decided_on,
            records.c.authority,
            records.c.decision_no,
            records.c.legal_basis,
            records.c.summary,
            records.c.black,
            records.c.red,
            records.c.ends_on,
            c.c.ends_on.label("counts_until"),
            c.c.points_h,
            records.c.recorded_at,
            records.c.version,
        )
        .join(
            c,
            sa.and_(
                c.c.usci == records.c.usci,
                c.c.record_source == records.c.source,
                c.c.record_id == records.c.record_id,
                c.c.role == "own",
            ),
        )
        .join(entities, entities.c.usci == records.c.usci)
        .where(c.c.tier.in_(_published_tiers(cat)), entities.c.natural_person.is_(False))
        .order_by(records.c.source, records.c.record_id)
    )
    for part in conn.execution_options(yield_per=BATCH_ROWS).execute(q).mappings().partitions():
        rows = []
        for r in part:
            row = dict(r)
            row["points"] = _points(row.pop("points_h"))
            rows.append(row)
        yield rows


def _result_batches(conn: Connection) -> Iterator[list[dict[str, Any]]]:
    q = sa.select(results).order_by(results.c.usci)
    for part in conn.execution_options(yield_per=BATCH_ROWS).execute(q).mappings().partitions():
        rows = []
        for r in part:
            row = {c: r[c] for c in SCHEMAS["results"].names if c in r}
            row["own_points"] = _points(r["own_points_h"])
            row["received_points"] = _points(r["received_points_h"])
            rows.append(row)
        yield rows


def _list_batches(conn: Connection) -> Iterator[list[dict[str, Any]]]:
    q = sa.select(list_entries).order_by(list_entries.c.id)
    for part in conn.execution_options(yield_per=BATCH_ROWS).execute(q).mappings().partitions():
        rows = []
        for r in part:
            row = dict(r)
            basis = row["basis"]
            if basis is not None and not isinstance(basis, str):
                row["basis"] = json.dumps(basis, ensure_ascii=False, sort_keys=True)
            rows.append(row)
        yield rows


def _for_csv(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Timestamps as ISO 8601 with offset (Arrow's CSV writer would use a space and Z)."""
    cols = []
    for field, col in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            text = pc.strftime(col, format="%Y-%m-%dT%H:%M:%S")
            col = pc.binary_join_element_wise(text, pa.scalar("+00:00"), "")
        cols.append(col)
    return pa.RecordBatch.from_arrays(cols, names=batch.schema.names)


def _write_table(
    directory: Path, name: str, batches: Iterator[list[dict[str, Any]]]
) -> tuple[int, list[Path]]:
    schema = SCHEMAS[name]
    parquet_path, csv_path = directory / f"{name}.parquet", directory / f"{name}.csv"
    rows = 0
    options = pacsv.WriteOptions(quoting_header="none")
    with pq.ParquetWriter(parquet_path, schema, compression="zstd") as pw:
        csv_writer: pacsv.CSVWriter | None = None
        try:
            for batch_rows in batches:
                batch = pa.RecordBatch.from_pylist(batch_rows, schema=schema)
                pw.write_batch(batch)
                text = _for_csv(batch)
                if csv_writer is None:
                    csv_writer = pacsv.CSVWriter(csv_path, text.schema, write_options=options)
                csv_writer.write_batch(text)
                rows += batch.num_rows
            if csv_writer is None:  # no rows: a header-only CSV
                empty = _for_csv(pa.RecordBatch.from_pylist([], schema=schema))
                csv_writer = pacsv.CSVWriter(csv_path, empty.schema, write_options=options)
        finally:
            if csv_writer is not None:
                csv_writer.close()
    return rows, [parquet_path, csv_path]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _snapshot(engine: Engine) -> Connection:
    conn = engine.connect()
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def _target(out_dir: Path) -> Path:
    out = out_dir.expanduser().absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(
            f"{out} already exists and is not an empty directory: choose a new one",
            code="export.target_exists",
            http_status=409,
            details={"path": str(out)},
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def export(engine: Engine, out_dir: Path, *, cat: Catalogue | None = None) -> ExportManifest:
    """Write the public export to ``out_dir`` (new or empty) and return its manifest."""
    cat = cat or default_catalogue()
    out = _target(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; an export is for publication
        manifest = _write_all(engine, tmp, cat)
        os.replace(tmp, out)  # atomic; replaces an empty directory on POSIX
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ExportManifest(**{**manifest.__dict__, "directory": out})


def _write_all(engine: Engine, tmp: Path, cat: Catalogue) -> ExportManifest:
    writers: dict[str, Callable[[Connection], Iterator[list[dict[str, Any]]]]] = {
        "entities": _entity_batches,
        "records": lambda conn: _record_batches(conn, cat),
        "results": _result_batches,
        "list_entries": _list_batches,
    }
    counts: dict[str, int] = {}
    files: list[ExportFile] = []
    with _snapshot(engine) as conn, conn.begin():
        head = audit.head(conn)
        generated = datetime.now(UTC)
        versions = tuple(
            conn.execute(
                sa.select(results.c.catalogue_version)
                .distinct()
                .order_by(results.c.catalogue_version)
            ).scalars()
        )
        for name in TABLES:
            counts[name], paths = _write_table(tmp, name, writers[name](conn))
            files += _describe(name, counts[name], paths)
    manifest = ExportManifest(tmp, generated, cat.version, versions, head, counts, tuple(files))
    text = json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2) + "\n"
    (tmp / MANIFEST).write_text(text, encoding="utf-8")
    return manifest


def _describe(name: str, rows: int, paths: Sequence[Path]) -> list[ExportFile]:
    return [
        ExportFile(p.name, name, p.suffix.lstrip("."), rows, p.stat().st_size, _sha256(p))
        for p in paths
    ]

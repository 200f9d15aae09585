"""The open-data export: counts, checksums, CSV equal to Parquet, public rows only."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import audit
from corpcredit.catalogue import default_catalogue
from corpcredit.errors import CorpCreditError
from corpcredit.services import export as export_module
from corpcredit.services.export import SCHEMAS, TABLES, ExportError, export
from corpcredit.store.schema import entities, list_entries, results
from tests.factory import usci
from tests.services.test_lookup_registry import DEFAULTER, PERSON, Registry, ts, worked


@pytest.fixture
def registry(engine: Engine) -> Registry:
    reg = worked(engine)
    reg.entity(usci(900), "杭州别名贸易有限公司", aliases=["旧名甲", "旧名乙"])
    reg.list_entry(
        DEFAULTER, "black", "2024-10-15", basis=[{"source": "example", "record_id": "W10"}]
    )
    with engine.begin() as conn:
        audit.append(conn, "staff:1", "record.created", "record", "example/W1", {"n": 1})
    return reg


def read(out: Path, table: str, fmt: str) -> pl.DataFrame:
    path = out / f"{table}.{fmt}"
    if fmt == "parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema=False)


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as the text the CSV holds, to compare the two formats."""
    cols = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Boolean:
            col = pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false"))
        elif isinstance(dtype, pl.Datetime):
            col = col.dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")
        cols.append(col.cast(pl.Utf8).alias(name))
    return frame.select(cols)


def test_manifest_counts_checksums_and_audit_head(
    registry: Registry, engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "exports" / "export"
    manifest = export(engine, out, cat=default_catalogue())
    data = json.loads((out / "manifest.json").read_text("utf-8"))
    with engine.connect() as conn:
        n_entities = conn.execute(sa.select(sa.func.count()).select_from(entities)).scalar_one()
        n_results = conn.execute(sa.select(sa.func.count()).select_from(results)).scalar_one()
        n_lists = conn.execute(sa.select(sa.func.count()).select_from(list_entries)).scalar_one()
        head = audit.head(conn)
    assert data["tables"] == {
        "entities": {"rows": n_entities},
        # of 13: W4 and W6 are minor, W11 expired, W12 repaired, W13 a natural person's
        "records": {"rows": 8},
        "results": {"rows": n_results},
        "list_entries": {"rows": n_lists},
    }
    assert data["audit_head"] == {"seq": head.seq, "hash": head.hash} and head.seq == 1
    assert data["catalogue_version"] == "2026.1"
    assert data["results_catalogue_versions"] == ["2026.1"]
    assert {f["path"] for f in data["files"]} == {
        f"{t}.{x}" for t in TABLES for x in ("csv", "parquet")
    }
    for f in data["files"]:
        body = (out / f["path"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == f["sha256"] and len(body) == f["bytes"]
    assert manifest.directory == out.absolute()
    assert [p.name for p in out.parent.iterdir()] == ["export"]  # no temporary left


def test_csv_and_parquet_hold_the_same_rows(
    registry: Registry, engine: Engine, tmp_path: Path
) -> None:
    export(engine, tmp_path / "x")
    for table in TABLES:
        parquet, csv = read(tmp_path / "x", table, "parquet"), read(tmp_path / "x", table, "csv")
        assert parquet.columns == SCHEMAS[table].names == csv.columns
        assert as_text(parquet).equals(csv), table


def test_only_public_rows_and_fields_are_exported(
    registry: Registry, engine: Engine, tmp_path: Path
) -> None:
    export(engine, tmp_path / "x")
    recs = read(tmp_path / "x", "records", "parquet")
    assert sorted(recs["record_id"]) == sorted(["W1", "W2", "W3", "W5", "W7", "W8", "W9", "W10"])
    assert "amount_cny" not in recs.columns
    w2 = recs.filter(pl.col("record_id") == "W2").row(0, named=True)
    assert (str(w2["points"]), str(w2["counts_until"])) == ("-80.00", "2028-02-01")
    ents = read(tmp_path / "x", "entities", "parquet")
    assert "address" not in ents.columns
    person = ents.filter(pl.col("usci") == PERSON).row(0, named=True)
    assert person["name"] == "某某个体商店" and person["natural_person"] is True
    assert all(person[c] is None for c in ("legal_form", "status", "division_code", "head_usci"))
    aliased = ents.filter(pl.col("name") == "杭州别名贸易有限公司").row(0, named=True)
    assert aliased["aliases"] in ("旧名乙|旧名甲", "旧名甲|旧名乙")  # collation differs
    res = read(tmp_path / "x", "results", "csv")
    head = res.filter(pl.col("usci") == "91110105MA01HEAD9C").row(0, named=True)
    assert (head["own_points"], head["received_points"], head["score"]) == (
        "-30.00",
        "-47.50",
        "923",
    )
    lists = read(tmp_path / "x", "list_entries", "parquet")
    assert json.loads(lists["basis"][0]) == [{"record_id": "W10", "source": "example"}]


def test_an_existing_export_is_never_overwritten(
    registry: Registry, engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "x"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ExportError) as exc:
        export(engine, out)
    assert exc.value.code == "export.target_exists"
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    export(engine, empty)  # an empty directory is fine
    assert (empty / "manifest.json").exists()


def test_a_failure_half_way_leaves_nothing_behind(
    registry: Registry, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(conn: object) -> object:
        raise CorpCreditError("disk full", code="test.broken")
        yield  # pragma: no cover

    monkeypatch.setattr(export_module, "_list_batches", broken)
    with pytest.raises(CorpCreditError):
        export(engine, tmp_path / "exports" / "x")
    assert list((tmp_path / "exports").iterdir()) == []


def test_streams_in_batches(
    registry: Registry, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "BATCH_ROWS", 3)
    export(engine, tmp_path / "x")
    ents = read(tmp_path / "x", "entities", "parquet")
    assert ents.height == 11 and ents["usci"].is_sorted()
    recorded = read(tmp_path / "x", "records", "csv")["recorded_at"]
    assert ts(recorded[0]).tzinfo is not None  # ISO 8601 with offset

"""Feeds into Spark and batch outputs out of it, with the checks of the local engine.

Reading. Ordinary feed files (CSV, JSON Lines, XLSX, a single Parquet file) are
read and checked on the driver by :func:`corpcredit.engines.inputs.load_inputs`,
exactly as for the in-process engine, and handed to Spark as Arrow; that suits
local mode and anything a driver can hold. When any input is a *directory* of
Parquet part files (the national case), Spark reads every input itself and the
project's own row validators (:mod:`corpcredit.feeds.validate`) run on the
executors over each Arrow batch; duplicate keys are found by Spark across the
whole dataset. Either way an invalid row refuses the whole input with an
:class:`~corpcredit.errors.InputError` naming file, row (the 1-based row of its
Parquet file) and column, and nothing is written.

Writing. A path ending in ``.csv`` or ``.parquet``/``.pq`` is one file in the
FORMATS.md layout, byte-for-byte what the in-process engine writes (the rows are
collected on the driver). Any other path, or an existing directory, becomes a
directory of Parquet part files written by the executors, in sort order
(``part-00000`` first), with points as ``decimal(18,2)``. Outputs are staged
beside their destination and renamed into place only when all are complete.
"""

from __future__ import annotations

import functools
import operator
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

import polars as pl
import pyarrow as pa

from corpcredit.catalogue import Catalogue
from corpcredit.engines.inputs import load_inputs
from corpcredit.engines.output import (
    CONTRIBUTION_COLUMNS,
    RESULT_COLUMNS,
    format_contributions,
    format_results,
    write_outputs,
)
from corpcredit.engines.spark import (
    ENTITY_IN_SCHEMA,
    arrow_schema,
    map_in_arrow,
    spark_schema,
    to_spark,
)
from corpcredit.engines.spark_session import SPARK_HINT, SparkNotInstalled
from corpcredit.errors import CorpCreditError, InputError, RowError
from corpcredit.feeds import Checked, check_entities, check_events, check_records
from corpcredit.scoring.frames import EVENT_SCHEMA, RECORD_SCHEMA
from corpcredit.scoring.org import ParentCycleError

try:
    from pyspark import StorageLevel
    from pyspark.sql import Column, DataFrame, SparkSession, Window
    from pyspark.sql import functions as F
except ImportError as exc:  # the engine is an optional extra
    raise SparkNotInstalled(f"the Spark engine needs PySpark; {SPARK_HINT}") from exc

__all__ = ["SparkInputs", "is_directory_output", "load_inputs_spark", "write_outputs_spark"]

_FILE_SUFFIXES = {".csv", ".parquet", ".pq"}
_MAX_ROW_ERRORS = 1000
_ERR: dict[str, pl.DataType] = {
    "_file": pl.Utf8(),
    "_row": pl.Int64(),
    "_column": pl.Utf8(),
    "_value": pl.Utf8(),
    "_code": pl.Utf8(),
    "_message": pl.Utf8(),
}


@dataclass(frozen=True)
class _Feed:
    name: str
    schema: dict[str, pl.DataType]
    keys: tuple[str, ...]  # the duplicate key, as in corpcredit.feeds.validate
    key_column: str
    key_label: str


_FEEDS = {
    "entities": _Feed("entities", ENTITY_IN_SCHEMA, ("usci",), "usci", "usci"),
    "records": _Feed(
        "records", RECORD_SCHEMA, ("source", "record_id"), "record_id", "(source, record_id)"
    ),
    "events": _Feed(
        "events", EVENT_SCHEMA, ("source", "record_id", "event", "effective_on"), "event", "event"
    ),
}


@dataclass(frozen=True)
class SparkInputs:
    """Checked inputs as Spark DataFrames in the kernel's shapes, with row counts."""

    entities: DataFrame
    records: DataFrame
    events: DataFrame | None
    rows: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    located: bool = False  # entities carry _file/_row (read by Spark)

    def cycle_error(self, exc: ParentCycleError) -> InputError:
        """A parent cycle as an input error naming each entity's file and row."""
        rows: list[RowError] = []
        if self.located:
            found = (
                self.entities.filter(F.col("usci").isin(exc.uscis[:_MAX_ROW_ERRORS]))
                .orderBy("_file", "_row")
                .collect()
            )
            rows = [
                RowError(
                    r._file,
                    r._row,
                    "parent_usci",
                    r.parent_usci or "",
                    exc.code,
                    "parent_usci forms a cycle",
                )
                for r in found
            ]
        return InputError(
            f"{exc.message}; nothing was written. Fix the rows below and run again", rows=rows
        )


def _display_path(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme in ("", "file") else uri


@dataclass(frozen=True)
class _CheckBatch:
    """The ``mapInArrow`` function: the project's validators over one Arrow batch."""

    feed: str
    cat: Catalogue

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        spec = _FEEDS[self.feed]
        out_schema = _checked_schema(spec)
        arrow = arrow_schema(out_schema)
        for batch in batches:
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            for (uri,), part in frame.partition_by("_file", as_dict=True).items():
                checked = self._check(part.drop("_file"), _display_path(str(uri)))
                good = checked.good.select([*spec.schema, "_row"])
                errors = checked.errors.filter(pl.col("code") != "input.duplicate").select(
                    "_row",
                    pl.col("column").alias("_column"),
                    pl.col("value").alias("_value"),
                    pl.col("code").alias("_code"),
                    pl.col("message").alias("_message"),
                )
                both = pl.concat([good, errors], how="diagonal").with_columns(
                    pl.lit(uri, pl.Utf8).alias("_file")
                )
                conformed = both.select(
                    [
                        (pl.col(n) if n in both.columns else pl.lit(None)).cast(d).alias(n)
                        for n, d in out_schema.items()
                    ]
                )
                if conformed.height:
                    yield from conformed.to_arrow().cast(arrow).to_batches()

    def _check(self, frame: pl.DataFrame, name: str) -> Checked:
        if self.feed == "entities":
            return check_entities(frame, name)
        if self.feed == "records":
            return check_records(frame, name, self.cat)
        return check_events(frame, name)


def _checked_schema(spec: _Feed) -> dict[str, pl.DataType]:
    return {**spec.schema, **_ERR}


def _read_checked(spark: SparkSession, path: Path, feed: str, cat: Catalogue) -> DataFrame:
    if path.is_dir() and not any(path.rglob("*.parquet")):
        raise InputError(
            f"{path}: a directory input must hold Parquet part files (*.parquet); "
            "convert CSV, JSON Lines or XLSX feeds to Parquet, or pass them as single files",
            code="input.unreadable",
        )
    if not path.exists():
        raise InputError(f"{path}: no such file or directory", code="input.unreadable")
    raw = spark.read.parquet(str(path))
    # The required-column check, with its message, from the validators on zero rows.
    empty = pl.DataFrame(schema={**dict.fromkeys(raw.columns, pl.Utf8()), "_row": pl.Int64()})
    _CheckBatch(feed, cat)._check(empty, str(path))
    located = raw.select(
        "*",
        F.col("_metadata.file_path").alias("_file"),
        (F.col("_metadata.row_index") + 1).alias("_row"),
    )
    checked = map_in_arrow(
        located, _CheckBatch(feed, cat), spark_schema(_checked_schema(_FEEDS[feed]))
    )
    return checked.persist(StorageLevel.MEMORY_AND_DISK)


def _duplicates(good: DataFrame, spec: _Feed) -> DataFrame:
    """Rows repeating an earlier row's key, anywhere in the dataset."""
    w = Window.partitionBy(*spec.keys).orderBy("_file", "_row")
    present = [F.col(k).isNotNull() for k in spec.keys]
    keyed = good.filter(functools.reduce(operator.and_, present))
    firsts = keyed.select(
        *spec.keys,
        "_file",
        "_row",
        F.first("_file").over(w).alias("_ffile"),
        F.first("_row").over(w).alias("_frow"),
    )
    dup = firsts.filter((F.col("_file") != F.col("_ffile")) | (F.col("_row") != F.col("_frow")))
    return dup.select(
        "_file",
        "_row",
        F.lit(spec.key_column).alias("_column"),
        F.col(spec.key_column).cast("string").alias("_value"),
        F.lit("input.duplicate").alias("_code"),
        F.concat(
            F.lit(f"duplicate {spec.key_label} (first at row "),
            F.col("_frow").cast("string"),
            F.when(
                F.col("_ffile") != F.col("_file"),
                F.concat(F.lit(" of "), F.element_at(F.split("_ffile", "/"), -1)),
            ).otherwise(F.lit("")),
            F.lit(")"),
        ).alias("_message"),
    )


def _load_with_spark(
    spark: SparkSession, paths: dict[str, Path | None], cat: Catalogue
) -> SparkInputs:
    for name, path in paths.items():
        if (
            path is not None
            and not path.is_dir()
            and path.suffix.lower() not in (".parquet", ".pq")
        ):
            raise InputError(
                f"{path}: with a directory among the inputs, Spark reads every feed, and each "
                "must be Parquet (a directory of part files or a .parquet file); "
                f"convert the {name} feed to Parquet",
                code="input.unreadable",
            )
    checked = {n: _read_checked(spark, p, n, cat) for n, p in paths.items() if p is not None}
    good = {n: df.filter(F.col("_code").isNull()) for n, df in checked.items()}
    rows: dict[str, int] = {}
    problems = None
    for order, (name, df) in enumerate(checked.items()):
        # One pass per feed: it fills the cache and counts good rows and row errors.
        stats = df.agg(
            F.count_if(F.col("_code").isNull()).alias("good"),
            F.count_if(F.col("_code").isNotNull()).alias("bad"),
        ).first()
        assert stats is not None
        rows[name] = stats["good"]
        part = _duplicates(good[name], _FEEDS[name])
        if stats["bad"]:
            part = df.filter(F.col("_code").isNotNull()).select(*_ERR).unionByName(part)
        part = part.withColumn("_order", F.lit(order))
        problems = part if problems is None else problems.unionByName(part)
    assert problems is not None
    first = problems.orderBy("_order", "_file", "_row").limit(_MAX_ROW_ERRORS).collect()
    if first:
        total = problems.count() if len(first) == _MAX_ROW_ERRORS else len(first)
        raise InputError(
            f"{total} problem(s) in the input; nothing was written. "
            "Fix the rows below and run again",
            rows=[
                RowError(
                    _display_path(r._file), r._row, r._column, r._value or "", r._code, r._message
                )
                for r in first
            ],
        )
    warnings: list[str] = []
    if "events" in good:
        orphan = (
            good["events"]
            .join(
                good["records"].select("source", "record_id"), ["source", "record_id"], "left_anti"
            )
            .count()
        )
        if orphan:
            warnings.append(f"{orphan} events name a record missing from the records file: skipped")
    return SparkInputs(
        entities=good["entities"],
        records=good["records"],
        events=good.get("events"),
        rows=rows,
        warnings=warnings,
        located=True,
    )


def load_inputs_spark(
    spark: SparkSession,
    entities: Path,
    records: Path,
    events: Path | None,
    cat: Catalogue,
) -> SparkInputs:
    """Read and check the three feeds (see the module docstring for who reads what)."""
    paths = {"entities": entities, "records": records, "events": events}
    if any(p is not None and p.is_dir() for p in paths.values()):
        return _load_with_spark(spark, paths, cat)
    inputs = load_inputs(entities, records, events, cat)
    rows = {"entities": inputs.entities.height, "records": inputs.records.height}
    ev = None
    if inputs.events is not None:
        rows["events"] = inputs.events.height
        ev = to_spark(spark, inputs.events, EVENT_SCHEMA)
    return SparkInputs(
        entities=to_spark(spark, inputs.entities, ENTITY_IN_SCHEMA),
        records=to_spark(spark, inputs.records, RECORD_SCHEMA),
        events=ev,
        rows=rows,
        warnings=list(inputs.warnings),
    )


def is_directory_output(path: Path) -> bool:
    """An existing directory, or a path without a .csv/.parquet/.pq suffix."""
    return path.is_dir() or path.suffix.lower() not in _FILE_SUFFIXES


def _decimal_points(col: str, name: str) -> Column:
    # Exact: integer hundredths times the decimal 0.01, never through a float.
    return (
        (F.col(col).cast("decimal(18,0)") * F.lit(Decimal("0.01")))
        .cast("decimal(18,2)")
        .alias(name)
    )


def _spark_results(results: DataFrame) -> DataFrame:
    points = {"own_points": "own_points_h", "received_points": "received_points_h"}
    return results.select(
        *[_decimal_points(points[c], c) if c in points else F.col(c) for c in RESULT_COLUMNS]
    )


def _spark_contributions(contributions: DataFrame) -> DataFrame:
    return contributions.select(
        *[
            _decimal_points("points_h", c) if c == "points" else F.col(c)
            for c in CONTRIBUTION_COLUMNS
        ]
    )


_SPARK_OUTPUT_NAMES = ("part-", "_SUCCESS", ".part-", "._SUCCESS", "_committed_", "_started_")


def _only_parts(directory: Path) -> None:
    """Leave only the part files: checksum sidecars and markers trip other readers
    (Polars, DuckDB read ``dir/*.parquet``), and the rename already marks success."""
    for p in directory.iterdir():
        if not p.name.endswith(".parquet"):
            p.unlink()


def _check_replaceable(path: Path) -> None:
    """Refuse a destination directory holding anything but an earlier Spark output."""
    strangers = [p.name for p in path.iterdir() if not p.name.startswith(_SPARK_OUTPUT_NAMES)]
    if strangers:
        raise CorpCreditError(
            f"{path} is a directory holding other files ({', '.join(sorted(strangers)[:3])}); "
            "choose a new or empty directory for Spark output",
            code="output.not_empty",
        )


def _install_dir(staged: Path, path: Path) -> None:
    """Move a staged output directory into place, replacing what was there."""
    if path.is_dir():
        _check_replaceable(path)
    if path.exists():
        old = path.parent / f".{path.name}.{uuid.uuid4().hex}.old"
        os.replace(path, old)
        os.replace(staged, path)
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink()
    else:
        os.replace(staged, path)


def write_outputs_spark(
    results: DataFrame, contributions: DataFrame | None, out: Path, contributions_path: Path | None
) -> None:
    """Write results (and contributions), all or nothing."""
    todo: list[tuple[DataFrame, Path, str]] = [(results, out, "results")]
    if contributions is not None and contributions_path is not None:
        todo.append((contributions, contributions_path, "contributions"))
    staged: list[tuple[Path, Path]] = []
    files: list[tuple[pl.DataFrame, Path]] = []
    try:
        for sdf, path, what in todo:
            if is_directory_output(path):
                if path.is_dir():
                    _check_replaceable(path)
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.part"
                staged.append((tmp, path))
                shaped = _spark_results(sdf) if what == "results" else _spark_contributions(sdf)
                shaped.write.option("compression", "zstd").parquet(str(tmp))
                _only_parts(tmp)
            else:
                frame = pl.from_arrow(sdf.toArrow())
                assert isinstance(frame, pl.DataFrame)
                csv = path.suffix.lower() == ".csv"
                fmt = format_results if what == "results" else format_contributions
                files.append((fmt(frame, csv=csv), path))
        write_outputs(files)
    except BaseException:
        for tmp, _ in staged:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    for tmp, path in staged:
        _install_dir(tmp, path)

"""The Spark engine: the one scoring kernel over a registry partitioned by head office.

DOMAIN.md §4 rule 4 makes an organisation (a head office and every branch whose
``parent_usci`` chain leads to it) the unit of scoring: negative points travel
between its members, and its next-change date spans all of them. So:

1. head offices are resolved in Spark by pointer jumping over ``parent_usci``,
   exactly as :func:`corpcredit.scoring.org.resolve_heads` does (a missing parent
   makes an entity its own head office; natural persons belong to no organisation;
   a cycle is an error);
2. every entity, record and event row is tagged with its ``head_usci`` and the
   three tables are stacked into one wide table (``_t`` says which is which);
3. the table is hash-partitioned on ``head_usci``: an organisation is never split,
   and a partition holds many organisations;
4. ``mapInArrow`` hands each partition to :func:`corpcredit.scoring.kernel.score`
   (unchanged) in a few calls of many whole organisations each, and returns results
   and contributions, tagged, in one Arrow stream.

Results are sorted by ``usci`` and contributions by the keys of
:func:`corpcredit.engines.local.score_sharded`, so every engine writes the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl
import pyarrow as pa

from corpcredit.catalogue import Catalogue
from corpcredit.engines.spark_session import SPARK_HINT, SparkNotInstalled
from corpcredit.scoring.frames import (
    CONTRIBUTION_SCHEMA,
    ENTITY_SCHEMA,
    EVENT_SCHEMA,
    RECORD_SCHEMA,
    RESULT_SCHEMA,
    ROLE_ORDER,
)
from corpcredit.scoring.kernel import score
from corpcredit.scoring.org import ParentCycleError

try:
    from pyspark import StorageLevel
    from pyspark.errors import PySparkImportError
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
except ImportError as exc:  # the engine is an optional extra
    raise SparkNotInstalled(f"the Spark engine needs PySpark; {SPARK_HINT}") from exc

__all__ = [
    "CHUNK_ROWS",
    "ENTITY_IN_SCHEMA",
    "arrow_schema",
    "contribution_order",
    "map_in_arrow",
    "resolve_heads_spark",
    "score_spark",
    "score_tagged",
    "spark_schema",
    "tag_rows",
    "to_spark",
]

# Rows (entities + records + events) handed to one kernel call: big enough that the
# per-call overhead vanishes, small enough to bound a Python worker's memory.
CHUNK_ROWS = 200_000

_ENTITY, _RECORD, _EVENT = 0, 1, 2
_RESULT, _CONTRIBUTION = 0, 1

ENTITY_IN_SCHEMA: dict[str, pl.DataType] = {**ENTITY_SCHEMA, "natural_person": pl.Boolean()}


def _spark_type(dtype: pl.DataType) -> T.DataType:
    if dtype == pl.Utf8:
        return T.StringType()
    if dtype == pl.Date:
        return T.DateType()
    if dtype == pl.Boolean:
        return T.BooleanType()
    if dtype == pl.Int64:
        return T.LongType()
    if dtype == pl.Int8:
        return T.ByteType()
    if isinstance(dtype, pl.Datetime):
        return T.TimestampType()
    raise TypeError(f"no Spark type for {dtype}")


def _arrow_type(dtype: pl.DataType) -> pa.DataType:
    if isinstance(dtype, pl.Datetime):
        return pa.timestamp("us", "UTC")  # Spark hands timestamps over in the session zone: UTC
    return {
        pl.Utf8: pa.string(),
        pl.Date: pa.date32(),
        pl.Boolean: pa.bool_(),
        pl.Int64: pa.int64(),
        pl.Int8: pa.int8(),
    }[dtype.base_type()]


def spark_schema(schema: dict[str, pl.DataType]) -> T.StructType:
    """The Spark struct of a kernel schema (Utf8 → string, Datetime → timestamp, ...)."""
    return T.StructType([T.StructField(n, _spark_type(d), True) for n, d in schema.items()])


def arrow_schema(schema: dict[str, pl.DataType]) -> pa.Schema:
    """The Arrow schema Spark exchanges for a kernel schema (plain strings, UTC times)."""
    return pa.schema([pa.field(n, _arrow_type(d)) for n, d in schema.items()])


# One wide table carries entities, records and events; shared names share a column.
_WIDE: dict[str, pl.DataType] = {
    "_t": pl.Int8(),
    "head_usci": pl.Utf8(),
    **ENTITY_IN_SCHEMA,
    **RECORD_SCHEMA,
    **EVENT_SCHEMA,
}
# And one output stream carries results and contributions.
_OUT: dict[str, pl.DataType] = {"_out": pl.Int8(), **RESULT_SCHEMA, **CONTRIBUTION_SCHEMA}
_OUT_ARROW = arrow_schema(_OUT)


def to_spark(spark: SparkSession, frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> DataFrame:
    """A Polars frame as a Spark DataFrame of exactly ``schema`` (missing columns null)."""
    present = set(frame.columns)
    conformed = frame.select(
        [(pl.col(n) if n in present else pl.lit(None)).cast(d).alias(n) for n, d in schema.items()]
    )
    table = conformed.to_arrow().cast(arrow_schema(schema))
    return spark.createDataFrame(table, schema=spark_schema(schema))


def _conform(df: DataFrame, schema: dict[str, pl.DataType]) -> DataFrame:
    cols = set(df.columns)
    return df.select(
        *[
            (F.col(n) if n in cols else F.lit(None)).cast(_spark_type(d)).alias(n)
            for n, d in schema.items()
        ]
    )


def _entities(entities: DataFrame) -> DataFrame:
    """usci, parent_usci, natural_person — the flag as the kernel reads it."""
    by_code = F.substring("usci", 1, 2) == F.lit("92")
    flag = (
        F.coalesce(F.col("natural_person").cast("boolean"), by_code)
        if "natural_person" in entities.columns
        else by_code
    )
    return entities.select(
        F.col("usci").cast("string"),
        (F.col("parent_usci") if "parent_usci" in entities.columns else F.lit(None))
        .cast("string")
        .alias("parent_usci"),
        flag.alias("natural_person"),
    )


def _pointer_jump(linked: DataFrame) -> DataFrame:
    """(usci, ptr) of every entity with a parent → (usci, ptr) with ptr its head office.

    Pointer jumping: each round replaces ptr by ptr's ptr, doubling the distance
    covered, so a registry with chains of depth d needs about log2(d) rounds (one
    for the usual head office → branch). Rows still pointing at an entity with a
    parent are "open"; their number falls every round while a chain is unresolved,
    so it stops falling only on rows caught in a cycle.
    """
    table = linked.localCheckpoint(eager=False)
    previous: int | None = None
    while True:
        nxt = table.select(F.col("usci").alias("ptr"), F.col("ptr").alias("_ptr2"))
        step = (
            table.join(nxt, on="ptr", how="left")
            .select(
                "usci",
                F.coalesce("_ptr2", "ptr").alias("ptr"),
                F.col("_ptr2").isNotNull().alias("_open"),
            )
            .localCheckpoint(eager=False)  # filled by the count below
        )
        still_open = step.filter("_open").count()
        if still_open == 0:
            return step.select("usci", "ptr")
        if still_open == previous:
            cyclic = [r.usci for r in step.filter("_open").select("usci").orderBy("usci").collect()]
            raise ParentCycleError(cyclic)
        previous = still_open
        table = step.select("usci", "ptr")


def _heads(entities: DataFrame, warnings: list[str] | None) -> DataFrame:
    """Entities (usci, parent_usci, natural_person) with their ``head_usci``."""
    np_ = F.col("natural_person")
    parent = F.when(
        np_ | F.col("parent_usci").isNull() | (F.col("parent_usci") == F.col("usci")), None
    ).otherwise(F.col("parent_usci"))
    known = entities.select(F.col("usci").alias("parent"), F.col("natural_person").alias("_pnp"))
    named = (
        entities.select("usci", parent.alias("parent"))
        .filter(F.col("parent").isNotNull())
        .join(known, on="parent", how="left")
    )
    if warnings is not None:
        _parent_warnings(named, warnings)
    linked = named.filter(~F.col("_pnp")).select("usci", F.col("parent").alias("ptr"))
    heads = _pointer_jump(linked)
    return entities.join(heads, on="usci", how="left").select(
        "usci",
        "parent_usci",
        "natural_person",
        F.coalesce("ptr", "usci").alias("head_usci"),
    )


def _parent_warnings(named: DataFrame, warnings: list[str]) -> None:
    """The warnings of ``resolve_heads``: parents missing, and parents that are persons."""
    missing_col = F.col("_pnp").isNull()
    counts = named.agg(
        F.sum(missing_col.cast("long")).alias("missing"),
        F.sum(F.col("_pnp").cast("long")).alias("to_np"),
    ).first()
    missing, to_np = (counts["missing"] or 0, counts["to_np"] or 0) if counts else (0, 0)
    if missing:
        rows = named.filter(missing_col).orderBy("usci").limit(5).collect()
        sample = ", ".join(f"{r.usci}→{r.parent}" for r in rows)
        warnings.append(
            f"{missing} entities name a parent_usci missing from the registry and are "
            f"treated as their own head office (e.g. {sample})"
        )
    if to_np:
        warnings.append(
            f"{to_np} entities name an individual business as head office; "
            "natural persons belong to no organisation, so they are their own head office"
        )


def resolve_heads_spark(entities: DataFrame) -> tuple[DataFrame, list[str]]:
    """Spark twin of :func:`~corpcredit.scoring.org.resolve_heads`: (usci, head_usci,
    natural_person) per entity, and the same warnings. Raises ``ParentCycleError``."""
    warnings: list[str] = []
    heads = _heads(_entities(entities), warnings)
    return heads.select("usci", "head_usci", "natural_person"), warnings


def _widen(df: DataFrame, kind: int) -> DataFrame:
    cols = set(df.columns)
    return df.select(
        F.lit(kind).cast("byte").alias("_t"),
        *[
            (F.col(n) if n in cols else F.lit(None)).cast(_spark_type(d)).alias(n)
            for n, d in _WIDE.items()
            if n != "_t"
        ],
    )


def tag_rows(
    entities: DataFrame,
    records: DataFrame,
    events: DataFrame | None,
    *,
    warnings: list[str] | None = None,
) -> DataFrame:
    """One wide table of entity, record and event rows, each with its ``head_usci``.

    ``_t`` says what a row is (0 entity, 1 record, 2 event). Records of unknown
    entities and of natural persons, and events of records left out, are dropped:
    the kernel would skip them. Persist the result to score it at several dates.
    Raises :class:`~corpcredit.scoring.org.ParentCycleError` on a parent cycle.
    """
    # Tagged entities feed three joins (themselves, records, events): computed once.
    ents = _heads(_entities(entities), warnings).persist(StorageLevel.MEMORY_AND_DISK)
    owners = ents.select("usci", "head_usci", F.col("natural_person").alias("_np"))
    recs = _conform(records, RECORD_SCHEMA).join(owners, on="usci", how="left")
    if warnings is not None:
        unknown = recs.filter(F.col("head_usci").isNull()).count()
        if unknown:
            warnings.append(f"{unknown} records name an entity missing from the registry: skipped")
    # Records of unknown entities and of natural persons never count: they stay behind.
    recs = recs.filter(F.col("head_usci").isNotNull() & ~F.col("_np")).drop("_np")
    wide = _widen(ents, _ENTITY).unionByName(_widen(recs, _RECORD))
    if events is not None:
        keys = recs.select("source", "record_id", "head_usci").distinct()
        evs = _conform(events, EVENT_SCHEMA).join(keys, on=["source", "record_id"], how="inner")
        wide = wide.unionByName(_widen(evs, _EVENT))
    return wide


@dataclass(frozen=True)
class _KernelOverPartition:
    """The ``mapInArrow`` function: one partition's organisations through the kernel.

    A partition holds whole organisations (hash of ``head_usci``). Its rows are
    gathered into one frame and scored in as few kernel calls as keep a call under
    ``chunk_rows`` rows: the organisations are dealt into ``k`` groups by a hash of
    ``head_usci``, so an organisation is never split here either. (Sorting the
    partition in Spark and streaming it instead costs twice as much; memory is
    bounded by the partition count, see :func:`corpcredit.engines.spark_cli.partitions_for`.)
    """

    cat: Catalogue
    as_of: date
    known_at: datetime | None
    chunk_rows: int

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        frames = [f for b in batches if isinstance(f := pl.from_arrow(b), pl.DataFrame)]
        part = pl.concat(frames) if frames else None
        if part is None or not part.height:
            return
        k = -(-part.height // self.chunk_rows)
        if k == 1:
            yield from self._score(part)
            return
        group = (pl.col("head_usci").hash(seed=0) % k).alias("_chunk")
        for chunk in part.with_columns(group).partition_by("_chunk", include_key=False):
            yield from self._score(chunk)

    def _score(self, frame: pl.DataFrame) -> Iterator[pa.RecordBatch]:
        t = pl.col("_t")
        out = score(
            frame.filter(t == _ENTITY).select(list(ENTITY_IN_SCHEMA)),
            frame.filter(t == _RECORD).select(list(RECORD_SCHEMA)),
            frame.filter(t == _EVENT).select(list(EVENT_SCHEMA)),
            self.cat,
            self.as_of,
            self.known_at,
        )
        both = pl.concat(
            [
                out.results.with_columns(pl.lit(_RESULT, pl.Int8).alias("_out")),
                out.contributions.with_columns(pl.lit(_CONTRIBUTION, pl.Int8).alias("_out")),
            ],
            how="diagonal",
        ).select(list(_OUT))
        if both.height:
            yield from both.to_arrow().cast(_OUT_ARROW).to_batches()


def map_in_arrow(
    df: DataFrame,
    func: Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]],
    schema: T.StructType,
) -> DataFrame:
    """``df.mapInArrow(func, schema)``, also where pandas is not installed."""
    try:
        return df.mapInArrow(func, schema)
    except PySparkImportError:
        pass
    # PySpark 4's public mapInArrow insists on pandas being importable although the
    # Arrow path never uses it; without pandas, build the same plan node directly.
    from pyspark.sql.udf import UserDefinedFunction
    from pyspark.util import PythonEvalType

    udf = UserDefinedFunction(
        func, returnType=schema, evalType=PythonEvalType.SQL_MAP_ARROW_ITER_UDF
    )
    column = udf(*[df[c] for c in df.columns])
    return DataFrame(df._jdf.mapInArrow(column._jc, False, None), df.sparkSession)


def contribution_order() -> list[Column]:
    """The contribution sort keys of the in-process engine, as Spark columns."""
    rank = F.lit(None).cast("int")
    for role, order in ROLE_ORDER.items():
        rank = F.when(F.col("role") == role, F.lit(order)).otherwise(rank)
    return [F.col("usci"), rank, F.col("from_usci"), F.col("record_source"), F.col("record_id")]


def score_tagged(
    spark: SparkSession,
    tagged: DataFrame,
    cat: Catalogue,
    as_of: date,
    known_at: datetime | None = None,
    *,
    partitions: int | None = None,
    sort: bool = True,
    chunk_rows: int = CHUNK_ROWS,
) -> tuple[DataFrame, DataFrame]:
    """Score rows tagged by :func:`tag_rows`: (results, contributions).

    The rows are hash-partitioned on ``head_usci`` into ``partitions`` (default
    ``spark.sql.shuffle.partitions``) and each partition goes through the kernel.
    The scored rows are persisted (memory and disk), so writing both outputs runs
    the kernel once. ``sort`` orders them as the in-process engine does.
    """
    n = partitions or int(spark.conf.get("spark.sql.shuffle.partitions") or 8)
    grouped = tagged.repartition(n, "head_usci")
    task = _KernelOverPartition(cat, as_of, known_at, chunk_rows)
    scored = map_in_arrow(grouped, task, spark_schema(_OUT)).persist(StorageLevel.MEMORY_AND_DISK)
    results = scored.filter(F.col("_out") == _RESULT).select(*RESULT_SCHEMA)
    contributions = scored.filter(F.col("_out") == _CONTRIBUTION).select(*CONTRIBUTION_SCHEMA)
    if sort:
        results = results.orderBy("usci")
        contributions = contributions.orderBy(*contribution_order())
    return results, contributions


def score_spark(
    spark: SparkSession,
    entities: DataFrame,
    records: DataFrame,
    events: DataFrame | None,
    cat: Catalogue,
    as_of: date,
    known_at: datetime | None = None,
    *,
    partitions: int | None = None,
    sort: bool = True,
    chunk_rows: int = CHUNK_ROWS,
    warnings: list[str] | None = None,
) -> tuple[DataFrame, DataFrame]:
    """Score the registry on Spark: (results, contributions) in the kernel's shapes.

    ``entities`` needs ``usci`` and ``parent_usci`` (``natural_person`` optional, as
    for the kernel); ``records`` and ``events`` the kernel's columns (missing optional
    ones are null). Points are integer hundredths (``*_h``, long). See
    :func:`tag_rows` and :func:`score_tagged`, which this composes.

    When ``warnings`` is a list, the warnings of the in-process engine (missing
    parents, records of unknown entities) are appended to it; counting them costs
    one extra pass over entities and records, so it is asked for explicitly.
    Raises :class:`~corpcredit.scoring.org.ParentCycleError` on a parent cycle.
    """
    tagged = tag_rows(entities, records, events, warnings=warnings)
    return score_tagged(
        spark, tagged, cat, as_of, known_at, partitions=partitions, sort=sort, chunk_rows=chunk_rows
    )

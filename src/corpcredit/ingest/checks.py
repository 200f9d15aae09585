"""Row checks of one chunk: the feed validators plus what ingestion adds.

The validators of :mod:`corpcredit.feeds` do the per-row work (identifiers, kinds,
tiers, grades, dates, required fields, duplicates inside the chunk, records about
natural persons, identity numbers in a record's free text). Ingestion adds:

- ``input.too_long``: a field longer than :data:`MAX_FIELD_CHARS` (a summary is a
  short description; a megabyte of text is an error in the feed, not a record);
- ``input.personal_id`` in the free text of entities too (names, aliases, addresses):
  no resident identity number is stored anywhere;
- ``input.bad_json`` for JSON Lines that do not parse (from the reader);
- ``input.bad_text``: a NUL character in a field (no database stores it as text).

The value of an error that quoted personal data is withheld, and long values are
cut, before anything is stored or written to the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from corpcredit.catalogue import Catalogue
from corpcredit.feeds import check_entities, check_events, check_records
from corpcredit.feeds.read import UnreadableFile
from corpcredit.feeds.validate import (
    COLUMN_TYPES,
    ENTITY_COLUMNS,
    ENTITY_REQUIRED,
    EVENT_COLUMNS,
    EVENT_REQUIRED,
    RECORD_COLUMNS,
    RECORD_REQUIRED,
)
from corpcredit.ids.resident import resident_id_columns
from corpcredit.ingest.readers import RawChunk

__all__ = [
    "ERROR_SCHEMA",
    "KINDS",
    "MAX_FIELD_CHARS",
    "CheckedChunk",
    "check_chunk",
    "check_header",
    "error_frame",
]

KINDS = ("entities", "records", "events")
MAX_FIELD_CHARS = 20_000
_SHOWN_CHARS = 200
_WITHHELD = "[withheld: personal data]"
_ENTITY_TEXT = ("name", "name_en", "aliases", "legal_form", "address")
ERROR_SCHEMA: dict[str, pl.DataType] = {
    "_row": pl.Int64(),
    "column": pl.Utf8(),
    "value": pl.Utf8(),
    "code": pl.Utf8(),
    "message": pl.Utf8(),
}
_SPEC = {
    "entities": (ENTITY_COLUMNS, ENTITY_REQUIRED),
    "records": (RECORD_COLUMNS, RECORD_REQUIRED),
    "events": (EVENT_COLUMNS, EVENT_REQUIRED),
}


@dataclass(frozen=True)
class CheckedChunk:
    """Typed good rows and one error row per problem (``ERROR_SCHEMA``)."""

    good: pl.DataFrame
    errors: pl.DataFrame


def check_header(kind: str, columns: list[str], file: str) -> None:
    """Refuse a file that lacks a required column (the whole file: exit code 2)."""
    _, required = _SPEC[kind]
    missing = [c for c in required if c not in columns]
    if missing:
        raise UnreadableFile(
            f"{file}: required column(s) missing: {', '.join(missing)} "
            f"(found: {', '.join(c for c in columns if c) or 'none'})",
            code="input.missing_column",
        )


def error_frame(rows: list[tuple[int, str, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ERROR_SCHEMA, orient="row")


def _text_columns(df: pl.DataFrame) -> list[str]:
    return [n for n, t in df.schema.items() if n != "_row" and t in (pl.Utf8, pl.Categorical)]


#: Up to this many rows (one record ingested by hand), a chunk's text is screened in
#: Python: Polars' fixed cost per query is more than reading a few values.
FEW_ROWS = 64


def _suspect_many(df: pl.DataFrame, text: list[str]) -> bool:
    """Whether a field of ``text`` is too long or holds a NUL (one query for all)."""
    longest, nul = df.select(
        pl.max_horizontal(pl.col(c).cast(pl.Utf8).str.len_chars().max() for c in text).alias("n"),
        pl.any_horizontal(
            pl.col(c).cast(pl.Utf8).str.contains("\x00", literal=True).any() for c in text
        ).alias("nul"),
    ).row(0)
    return (longest is not None and longest > MAX_FIELD_CHARS) or bool(nul)


def _suspect_few(df: pl.DataFrame, text: list[str]) -> bool:
    """:func:`_suspect_many` value by value (Polars counts characters as Python does)."""
    for name in text:
        for value in df.get_column(name).cast(pl.Utf8).to_list():
            if value is not None and (len(value) > MAX_FIELD_CHARS or "\x00" in value):
                return True
    return False


def _bad_text(df: pl.DataFrame) -> pl.DataFrame:
    """Fields too long, or holding a NUL character: one error per field."""
    text = _text_columns(df)
    if not text or not df.height:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    suspect = _suspect_few if df.height <= FEW_ROWS else _suspect_many
    if not suspect(df, text):
        return pl.DataFrame(schema=ERROR_SCHEMA)  # the usual case: one pass, no copies
    parts = []
    for name in text:
        value = pl.col(name).cast(pl.Utf8)
        n = value.str.len_chars()
        long = df.filter(n > MAX_FIELD_CHARS).select(
            "_row",
            pl.lit(name).alias("column"),
            value.alias("value"),
            pl.lit("input.too_long").alias("code"),
            pl.format(
                "{} has {} characters; the limit is {}",
                pl.lit(name),
                n,
                pl.lit(f"{MAX_FIELD_CHARS:,}"),
            ).alias("message"),
        )
        nul = df.filter(value.str.contains("\x00", literal=True).fill_null(False)).select(
            "_row",
            pl.lit(name).alias("column"),
            value.str.replace_all("\x00", "\\0", literal=True).alias("value"),
            pl.lit("input.bad_text").alias("code"),
            pl.lit(f"{name} contains a NUL character").alias("message"),
        )
        parts += [p.cast(ERROR_SCHEMA) for p in (long, nul) if p.height]  # type: ignore[arg-type]
    return pl.concat(parts) if parts else pl.DataFrame(schema=ERROR_SCHEMA)


def _entity_personal_data(good: pl.DataFrame) -> pl.DataFrame:
    parts = [
        good.filter(mask).select(
            "_row",
            pl.lit(name).alias("column"),
            pl.lit(_WITHHELD).alias("value"),
            pl.lit("input.personal_id").alias("code"),
            pl.lit(
                "contains what looks like a resident identity number; "
                "remove personal data and resend"
            ).alias("message"),
        )
        for name, mask in resident_id_columns(good, _ENTITY_TEXT).items()
    ]
    return pl.concat(parts).cast(ERROR_SCHEMA) if parts else pl.DataFrame(schema=ERROR_SCHEMA)  # type: ignore[arg-type]


def _presentable(errors: pl.DataFrame) -> pl.DataFrame:
    """Withhold quoted personal data; cut long values (saying how long they were)."""
    value = pl.col("value").fill_null("")
    n = value.str.len_chars()
    cut = pl.format("{}… ({} characters)", value.str.slice(0, _SHOWN_CHARS), n)
    return errors.with_columns(
        pl.when(pl.col("code") == "input.personal_id")
        .then(pl.lit(_WITHHELD))
        .when(n > _SHOWN_CHARS)
        .then(cut)
        .otherwise(value)
        .alias("value")
    )


def _with_all_columns(kind: str, df: pl.DataFrame) -> pl.DataFrame:
    """Add absent feed columns as nulls (a JSON Lines chunk may lack some keys).

    Typed as they are read, so the parsers pass them through: a CSV of a few columns
    does not pay for parsing (a timestamp is parsed in Python) columns it lacks.
    """
    spec, _ = _SPEC[kind]
    missing = [c for c in spec if c not in df.columns]
    if not missing:
        return df
    return df.hstack(
        [pl.Series(c, [None] * df.height, dtype=COLUMN_TYPES[spec[c]]) for c in missing]
    )


def check_chunk(kind: str, raw: RawChunk, file: str, cat: Catalogue) -> CheckedChunk:
    """Validate one chunk: typed good rows, and every problem with its row and column."""
    df = _with_all_columns(kind, raw.frame)
    long = _bad_text(df)
    if long.height:
        df = df.filter(~pl.col("_row").is_in(long.get_column("_row").implode()))
    if kind == "entities":
        checked = check_entities(df, file)
    elif kind == "records":
        checked = check_records(df, file, cat, refuse_personal_data=True)
    else:
        checked = check_events(df, file)
    good = checked.good
    extra = _entity_personal_data(good) if kind == "entities" else pl.DataFrame(schema=ERROR_SCHEMA)
    if extra.height:
        good = good.filter(~pl.col("_row").is_in(extra.get_column("_row").implode()))
    if not (raw.errors or long.height or checked.errors.height or extra.height):
        return CheckedChunk(good=good, errors=pl.DataFrame(schema=ERROR_SCHEMA))
    errors = pl.concat(
        [error_frame(raw.errors), long, checked.errors.cast(ERROR_SCHEMA), extra]  # type: ignore[arg-type]
    )
    return CheckedChunk(good=good, errors=_presentable(errors).sort("_row", maintain_order=True))

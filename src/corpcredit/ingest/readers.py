"""Read a feed file in chunks, so a file larger than memory can be ingested.

Each format yields :class:`RawChunk` frames of at most ``chunk_rows`` rows, with the
columns as in the file (text, or Parquet's own types) and ``_row``: the row number a
person would look for, exactly as :func:`corpcredit.feeds.read_feed` numbers them
(the spreadsheet row for CSV and XLSX, header = 1; the line for JSON Lines; the
1-based row for Parquet). Chunk boundaries depend only on the file and
``chunk_rows``, so an interrupted ingest resumes at a chunk boundary.

- CSV: Polars' streaming scanner (``scan_csv().collect_batches``), every column text.
- Parquet: ``pyarrow.parquet.ParquetFile.iter_batches``.
- JSON Lines: line by line; a line that is not a JSON object becomes a row error
  (``input.bad_json``) instead of failing the file. Values are read as text.
- XLSX: openpyxl in read-only mode, first sheet; cells read as text (dates ISO).

Text files are UTF-8 or are transcoded first (see :mod:`.encoding`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import polars as pl

from corpcredit.feeds.read import UnreadableFile, detect_format
from corpcredit.ingest.encoding import FileInfo, inspect_file, utf8_copy

__all__ = ["FeedReader", "RawChunk", "open_feed"]

_BLOCK = 1 << 20


@dataclass
class RawChunk:
    """Rows read from the file, plus rows that could not be read (``errors``).

    ``consumed`` counts the data rows this chunk took from the file (good, bad and
    empty ones), for the progress marker.
    """

    frame: pl.DataFrame
    consumed: int
    errors: list[tuple[int, str, str, str, str]] = field(default_factory=list)


@dataclass
class FeedReader:
    """An open feed: its format, fingerprint, columns, estimated rows, and chunks."""

    path: Path
    fmt: str
    info: FileInfo
    columns: list[str]
    total: int | None
    _source: Path
    _stack: ExitStack
    _handle: Any = None  # the open ParquetFile or worksheet

    def chunks(self, chunk_rows: int) -> Iterator[RawChunk]:
        readers = {"csv": _csv_chunks, "jsonl": _jsonl_chunks, "parquet": _parquet_chunks}
        if self.fmt == "xlsx":
            yield from _xlsx_chunks(self, chunk_rows)
        else:
            yield from readers[self.fmt](self, chunk_rows)


def _clean_name(name: Any) -> str:
    return str(name if name is not None else "").removeprefix("\ufeff").strip()


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            lines += block.count(b"\n")
    return lines


@contextmanager
def open_feed(path: Path) -> Iterator[FeedReader]:
    """Open ``path`` (format from its extension); refuse it when it cannot be read."""
    fmt = detect_format(path)
    info = inspect_file(path, text=fmt in ("csv", "jsonl"))
    with ExitStack() as stack:
        source = stack.enter_context(utf8_copy(path, info.encoding or "utf-8"))
        reader = FeedReader(path, fmt, info, [], None, source, stack)
        if fmt == "csv":
            _open_csv(reader)
        elif fmt == "jsonl":
            _open_jsonl(reader)
        elif fmt == "parquet":
            _open_parquet(reader)
        else:
            _open_xlsx(reader)
        yield reader


# --- CSV -----------------------------------------------------------------------------


def _scan(reader: FeedReader) -> pl.LazyFrame:
    return pl.scan_csv(reader._source, infer_schema=False, encoding="utf8")


def _open_csv(reader: FeedReader) -> None:
    try:
        names = _scan(reader).collect_schema().names()
    except pl.exceptions.NoDataError as exc:
        raise UnreadableFile(f"{reader.path}: the file is empty; it needs a header row") from exc
    except pl.exceptions.PolarsError as exc:
        raise UnreadableFile(f"{reader.path}: not a readable CSV file ({exc})") from exc
    reader.columns = [_clean_name(n) for n in names]
    reader.total = max(_count_lines(reader._source) - 1, 0)


def _csv_chunks(reader: FeedReader, chunk_rows: int) -> Iterator[RawChunk]:
    lf = _scan(reader)
    lf = lf.rename(dict(zip(lf.collect_schema().names(), reader.columns, strict=True)))
    lf = lf.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    try:
        for batch in lf.collect_batches(chunk_size=chunk_rows):
            yield RawChunk(batch, batch.height)
    except pl.exceptions.PolarsError as exc:
        raise UnreadableFile(f"{reader.path}: the file cannot be read to the end ({exc})") from exc


# --- JSON Lines ----------------------------------------------------------------------


def _json_value(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _open_jsonl(reader: FeedReader) -> None:
    with reader._source.open(encoding="utf-8-sig") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                first = json.loads(line)
            except json.JSONDecodeError:
                break
            if isinstance(first, dict):
                reader.columns = [_clean_name(k) for k in first]
            break
    reader.total = _count_lines(reader._source)


def _jsonl_frame(rows: list[dict[str, str | None]], lines: list[int]) -> pl.DataFrame:
    names = sorted({k for r in rows for k in r})
    df = pl.DataFrame(rows, schema={n: pl.Utf8 for n in names}) if rows else pl.DataFrame()
    return df.with_columns(pl.Series("_row", lines, dtype=pl.Int64))


def _jsonl_chunks(reader: FeedReader, chunk_rows: int) -> Iterator[RawChunk]:
    rows: list[dict[str, str | None]] = []
    lines: list[int] = []
    errors: list[tuple[int, str, str, str, str]] = []
    consumed = 0
    with reader._source.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            consumed += 1
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append((n, "", line.strip()[:200], "input.bad_json", f"not JSON: {exc.msg}"))
                obj = None
            if obj is not None and not isinstance(obj, dict):
                errors.append(
                    (n, "", line.strip()[:200], "input.bad_json", "a line must be a JSON object")
                )
            elif obj is not None:
                rows.append({_clean_name(k): _json_value(v) for k, v in obj.items()})
                lines.append(n)
            if consumed == chunk_rows:
                yield RawChunk(_jsonl_frame(rows, lines), consumed, errors)
                rows, lines, errors, consumed = [], [], [], 0
    if consumed:
        yield RawChunk(_jsonl_frame(rows, lines), consumed, errors)


# --- Parquet -------------------------------------------------------------------------


def _open_parquet(reader: FeedReader) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(reader._source)
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableFile(f"{reader.path}: not a readable Parquet file ({exc})") from exc
    reader._stack.callback(pf.close)
    reader.columns = [_clean_name(n) for n in pf.schema_arrow.names]
    reader.total = pf.metadata.num_rows
    reader._handle = pf


def _parquet_chunks(reader: FeedReader, chunk_rows: int) -> Iterator[RawChunk]:
    import pyarrow as pa

    pf = reader._handle
    start = 1
    try:
        for batch in pf.iter_batches(batch_size=chunk_rows):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            frame.columns = reader.columns
            frame = frame.with_columns(
                pl.int_range(start, start + frame.height, dtype=pl.Int64).alias("_row")
            )
            start += frame.height
            yield RawChunk(frame, frame.height)
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableFile(f"{reader.path}: the file cannot be read to the end ({exc})") from exc


# --- XLSX ----------------------------------------------------------------------------


def _cell(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v)
    return text if text.strip() else None


def _open_xlsx(reader: FeedReader) -> None:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(reader._source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a broken file
        raise UnreadableFile(f"{reader.path}: not a readable XLSX workbook ({exc})") from exc
    reader._stack.callback(wb.close)
    ws = wb.worksheets[0]
    header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    reader.columns = [_clean_name(h) for h in header]
    reader.total = (ws.max_row - 1) if ws.max_row else None
    reader._handle = ws


def _xlsx_chunks(reader: FeedReader, chunk_rows: int) -> Iterator[RawChunk]:
    ws = reader._handle
    names = reader.columns
    rows: list[dict[str, str | None]] = []
    numbers: list[int] = []
    consumed = 0
    for n, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        consumed += 1
        cells = [_cell(v) for v in values]
        if any(c is not None for c in cells):
            rows.append({name: c for name, c in zip(names, cells, strict=False) if name})
            numbers.append(n)
        if consumed == chunk_rows:
            yield RawChunk(_xlsx_frame(rows, numbers, names), consumed)
            rows, numbers, consumed = [], [], 0
    if consumed:
        yield RawChunk(_xlsx_frame(rows, numbers, names), consumed)


def _xlsx_frame(
    rows: list[dict[str, str | None]], numbers: list[int], names: list[str]
) -> pl.DataFrame:
    schema = {n: pl.Utf8 for n in dict.fromkeys(names) if n}
    df = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    return df.with_columns(pl.Series("_row", numbers, dtype=pl.Int64))

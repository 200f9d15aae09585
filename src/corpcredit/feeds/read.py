"""Read a feed file (CSV, JSON Lines, Parquet, XLSX) into a Polars frame.

Text is UTF-8 with or without a BOM; GB18030/GBK input (common in exports from
Chinese office software) is detected and converted, and anything else is refused
with a clear error rather than read as garbage. Every frame gets a ``_row`` column
holding the row number a person would look for: the spreadsheet row for CSV and
XLSX (the header is row 1), the line for JSON Lines, the 1-based row for Parquet.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from corpcredit.errors import InputError

__all__ = ["FORMATS", "decode_text", "detect_format", "read_feed"]

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
}


class UnreadableFile(InputError):
    code = "input.unreadable"


def detect_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableFile(
            f"{path}: unknown file type {path.suffix!r}; use .csv, .jsonl, .parquet or .xlsx"
        )
    return fmt


def decode_text(raw: bytes, name: str) -> tuple[str, str]:
    """Decode feed bytes; return (text, encoding). Refuse what is neither UTF-8 nor GB18030."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableFile(
            f"{name}: the file is neither UTF-8 nor GB18030/GBK (first bad byte at offset "
            f"{utf8_error.start}); save it as UTF-8 and try again",
            code="input.encoding",
        ) from utf8_error
    # GB18030 decodes almost any byte string; insist that the result looks like text.
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\r\n\t"))
    if bad:
        raise UnreadableFile(
            f"{name}: the file is not UTF-8 and does not read as GB18030 text either; "
            "save it as UTF-8 and try again",
            code="input.encoding",
        )
    return text, "gb18030"


def _csv_header(path: Path) -> list[str]:
    with path.open("rb") as fh:
        first = fh.readline()
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        line = first.decode("gb18030", errors="replace")
    return [c.strip().strip('"') for c in line.rstrip("\r\n").split(",")]


def _csv(path: Path, columns: Sequence[str] | None) -> pl.DataFrame:
    wanted = None
    if columns is not None:
        header = _csv_header(path)
        wanted = [c for c in header if c in set(columns)] or None
    try:
        df = pl.read_csv(path, infer_schema=False, encoding="utf8", columns=wanted)
    except pl.exceptions.ComputeError:
        text, _ = decode_text(path.read_bytes(), str(path))
        df = pl.read_csv(text.encode("utf-8"), infer_schema=False, columns=wanted)
    except pl.exceptions.NoDataError as exc:
        raise UnreadableFile(f"{path}: the file is empty; it needs a header row") from exc
    except pl.exceptions.ColumnNotFoundError:
        df = pl.read_csv(path, infer_schema=False, encoding="utf8")
    if df.columns and df.columns[0].startswith("\ufeff"):
        df = df.rename({df.columns[0]: df.columns[0].removeprefix("\ufeff")})
    return df.with_row_index("_row", offset=2)


def _jsonl(path: Path, columns: Sequence[str] | None) -> pl.DataFrame:
    text, _ = decode_text(path.read_bytes(), str(path))
    rows: list[dict[str, object]] = []
    lines: list[int] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UnreadableFile(f"{path}, line {n}: not valid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise UnreadableFile(f"{path}, line {n}: each line must be a JSON object")
        rows.append({k: _text(v) for k, v in obj.items()})
        lines.append(n)
    cols = sorted({k for r in rows for k in r})
    df = pl.DataFrame(rows, schema={c: pl.Utf8 for c in cols}) if rows else pl.DataFrame()
    return df.with_columns(pl.Series("_row", lines, dtype=pl.UInt32))


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).lower()
    return str(v)


def _parquet(path: Path, columns: Sequence[str] | None) -> pl.DataFrame:
    try:
        lf = pl.scan_parquet(path)
        if columns is not None:
            names = lf.collect_schema().names()
            lf = lf.select([c for c in names if c in set(columns)])
        return lf.with_row_index("_row", offset=1).collect()
    except (pl.exceptions.ComputeError, OSError) as exc:
        raise UnreadableFile(f"{path}: not a readable Parquet file ({exc})") from exc


def _xlsx(path: Path, columns: Sequence[str] | None) -> pl.DataFrame:
    try:
        df = pl.read_excel(path, engine="openpyxl", infer_schema_length=0)
    except Exception as exc:  # openpyxl raises many unrelated types for a broken file
        raise UnreadableFile(f"{path}: not a readable XLSX workbook ({exc})") from exc
    return df.with_row_index("_row", offset=2)


def read_feed(path: Path | str, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """The feed file as a frame (strings, or Parquet's own types) plus ``_row``.

    ``columns`` limits what is read where the format allows it (Parquet, CSV): batch
    scoring reads only what the kernel and its checks need.
    """
    p = Path(path)
    if not p.exists():
        raise UnreadableFile(f"{p}: no such file")
    readers = {"csv": _csv, "jsonl": _jsonl, "parquet": _parquet, "xlsx": _xlsx}
    df = readers[detect_format(p)](p, columns)
    df = df.rename({c: c.strip() for c in df.columns if c != c.strip()})
    if columns is not None:
        df = df.select(["_row", *[c for c in df.columns if c in set(columns)]])
    return df.with_columns(pl.col("_row").cast(pl.Int64))

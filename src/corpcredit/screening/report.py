"""Reading a supplier list and writing the screening report (CSV or XLSX).

Input: a CSV (UTF-8, or GB18030/GBK as Chinese office software saves it) or an
XLSX workbook's first sheet, read by :func:`corpcredit.feeds.read_feed`, every
cell as text. Output:

- XLSX: a ``Screening`` sheet (input columns, then the report columns; rows of
  black-listed matches highlighted, ambiguous and unmatched rows shaded) and a
  ``Summary`` sheet (counts by outcome, list and grade, and the stamp);
- CSV: the same rows (UTF-8 with a byte-order mark, so spreadsheet programs read
  the Chinese text right), and the summary and stamp in ``<report>.summary.json``
  beside it.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from corpcredit.errors import InputError
from corpcredit.feeds import read_feed
from corpcredit.screening.errors import ScreeningInputError
from corpcredit.screening.service import REPORT_COLUMNS, ScreeningReport

__all__ = [
    "OUTPUT_FORMATS",
    "read_rows",
    "read_upload",
    "report_bytes",
    "summary_path",
    "write_report",
]

OUTPUT_FORMATS = (".csv", ".xlsx")
_INPUT_FORMATS = (".csv", ".txt", ".xlsx")
_WIDTHS = {"match_reason": 50, "alternatives": 60, "top_reason": 50, "match_name": 36}


def read_rows(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """The input's columns and rows (values as text, ``None`` for empty cells)."""
    if path.suffix.lower() not in _INPUT_FORMATS:
        raise ScreeningInputError(f"{path}: use a .csv or .xlsx file")
    frame = read_feed(path).drop("_row")
    return [str(c) for c in frame.columns], frame.to_dicts()


def read_upload(data: bytes, filename: str) -> tuple[list[str], list[dict[str, Any]]]:
    """:func:`read_rows` for an uploaded file's bytes (the type comes from ``filename``)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in _INPUT_FORMATS:
        raise ScreeningInputError(f"{filename}: use a .csv or .xlsx file")
    with tempfile.TemporaryDirectory(prefix="corpcredit-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            return read_rows(path)
        except InputError as exc:  # name the file as uploaded, not the server's copy
            message = exc.message.replace(str(path), filename)
            raise ScreeningInputError(message, code=exc.code) from exc


def report_bytes(report: ScreeningReport, fmt: str) -> bytes:
    """The report as a download: ``csv`` (UTF-8 with BOM, rows only) or ``xlsx``."""
    if fmt == "csv":
        buffer = io.StringIO()
        _csv_rows(report, buffer)
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        out = io.BytesIO()
        _write_xlsx(report, out)
        return out.getvalue()
    raise ScreeningInputError(f"unknown report format {fmt!r}; use csv or xlsx")


def summary_path(report_path: Path) -> Path:
    """Where a CSV report's summary goes: ``report.csv`` → ``report.summary.json``."""
    return report_path.with_suffix(".summary.json")


def write_report(report: ScreeningReport, path: Path) -> None:
    """Write ``report`` as ``.csv`` (plus summary JSON) or ``.xlsx``."""
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise ScreeningInputError(f"{path}: the report must be a .csv or .xlsx file")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _write_csv(report, path)
    else:
        _write_xlsx(report, path)


def _csv_rows(report: ScreeningReport, fh: Any) -> None:
    writer = csv.DictWriter(fh, fieldnames=[*report.columns, *report.report_columns])
    writer.writeheader()
    writer.writerows(report.records())


def _write_csv(report: ScreeningReport, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        _csv_rows(report, fh)
    summary_path(path).write_text(
        json.dumps(report.summary(), ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _write_xlsx(report: ScreeningReport, target: Path | io.BytesIO) -> None:
    import xlsxwriter

    header = [*report.columns, *report.report_columns]
    options = {"constant_memory": True, "strings_to_numbers": False, "in_memory": False}
    if isinstance(target, io.BytesIO):
        options = {"in_memory": True, "strings_to_numbers": False}
    book = xlsxwriter.Workbook(target if isinstance(target, io.BytesIO) else str(target), options)
    try:
        bold = book.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
        black = book.add_format({"bg_color": "#F4CCCC"})
        grey = book.add_format({"bg_color": "#EEEEEE"})
        sheet = book.add_worksheet("Screening")
        sheet.freeze_panes(1, 0)
        for col, name in enumerate(header):
            sheet.write_string(0, col, name, bold)
            sheet.set_column(col, col, _WIDTHS.get(name, 16))
        status_col = report.report_columns[REPORT_COLUMNS.index("match_status")]
        lists_col = report.report_columns[REPORT_COLUMNS.index("credit_lists")]
        for r, record in enumerate(report.records(), start=1):
            shade = None
            if "black" in (record[lists_col] or ""):
                shade = black
            elif record[status_col] in ("ambiguous", "none"):
                shade = grey
            for col, name in enumerate(header):
                sheet.write(r, col, _cell(record[name]), shade)
        sheet.autofilter(0, 0, len(report.rows), len(header) - 1)
        _summary_sheet(book, report, bold)
    finally:
        book.close()


def _summary_sheet(book: Any, report: ScreeningReport, bold: Any) -> None:
    s = report.summary()
    sheet = book.add_worksheet("Summary")
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 70)
    lines: list[tuple[str, Any]] = [("Rows screened", s["rows"]), ("Matched", s["matched"])]
    lines += [(f"Outcome: {k}", v) for k, v in s["status"].items()]
    lines += [(f"Flag: {k}", v) for k, v in s["flags"].items()]
    lines += [(f"Matched on the {k} list", v) for k, v in s["lists"].items()]
    lines += [(f"Matched with grade {k}", v) for k, v in s["grades"].items()]
    lines += [("Matched natural persons (not scored)", s["natural_persons"])]
    lines += [("Matched, not scored yet", s["not_scored"])]
    stamp = s["stamp"]
    lines += [
        ("", ""),
        ("Screened at", stamp["screened_at"]),
        ("Rule catalogue version(s)", ", ".join(stamp["catalogue_versions"]) or "(no results)"),
        ("Audit log head (seq)", stamp["audit_seq"]),
        ("Audit log head (hash)", stamp["audit_hash"]),
        ("Matcher version", stamp["matcher_version"]),
        ("Index built at", stamp["index_built_at"]),
        ("Index size (names)", stamp["index_names"]),
    ]
    sheet.write_string(0, 0, "What", bold)
    sheet.write_string(0, 1, "Value", bold)
    for r, (what, value) in enumerate(lines, start=1):
        sheet.write(r, 0, what)
        sheet.write(r, 1, value)

"""Ingestion: feed files into the registry, in chunks, idempotently, losing nothing.

:func:`ingest_file` streams a CSV, JSON Lines, Parquet or XLSX feed (entities,
records or record events) into the store, quarantines bad rows with a report, and
rescores what changed in the same transactions. See :mod:`.pipeline` for the
transaction and resume design.
"""

from corpcredit.feeds.read import UnreadableFile
from corpcredit.ingest.batches import ConcurrentIngest
from corpcredit.ingest.checks import KINDS, MAX_FIELD_CHARS
from corpcredit.ingest.pipeline import (
    IngestProgress,
    IngestSummary,
    default_report_path,
    ingest_file,
)
from corpcredit.ingest.records import content_hashes

__all__ = [
    "KINDS",
    "MAX_FIELD_CHARS",
    "ConcurrentIngest",
    "IngestProgress",
    "IngestSummary",
    "UnreadableFile",
    "content_hashes",
    "default_report_path",
    "ingest_file",
]

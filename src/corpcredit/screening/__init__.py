"""Supplier screening: matching organisation names as suppliers write them to the registry.

Names are normalised (:mod:`.normalise`: width, brackets, traditional characters,
legal forms, regions, pinyin), proposed by a candidate index (:mod:`.index`,
n-gram blocking over characters and sounds, saved under ``var/screening`` and
kept current on ingest) and scored (:mod:`.score`, RapidFuzz edit operations on
the normalised forms, a score in [0, 1] and a readable reason). An identifier
matches first (:mod:`.matcher`). :func:`screen_rows` screens a list and adds each
match's credit standing; :mod:`.report` reads and writes spreadsheets; reviewers'
"not this one" decisions (:mod:`.decisions`) are honoured by later screenings;
a long-running process keeps its index current with :class:`LiveIndex`.
"""

from corpcredit.screening.decisions import (
    Decision,
    list_decisions,
    not_this_one,
    rejected_for,
    withdraw,
)
from corpcredit.screening.errors import (
    IndexUnusable,
    ScreeningError,
    ScreeningInputError,
    TooManyRows,
    UnknownDecision,
)
from corpcredit.screening.index import CandidateIndex, IndexManifest
from corpcredit.screening.live import LiveIndex, index_dir_for
from corpcredit.screening.matcher import (
    MATCHER_VERSION,
    THRESHOLD,
    Candidate,
    Matcher,
    MatchResult,
)
from corpcredit.screening.normalise import NameForm, normalise
from corpcredit.screening.report import (
    read_rows,
    read_upload,
    report_bytes,
    summary_path,
    write_report,
)
from corpcredit.screening.rows import IndexedName
from corpcredit.screening.score import Similarity, compare
from corpcredit.screening.service import (
    REPORT_COLUMNS,
    ScreenedRow,
    ScreeningReport,
    Stamp,
    find_columns,
    screen_rows,
)
from corpcredit.screening.source import default_index_dir, entity_rows, open_index, refresh

__all__ = [
    "MATCHER_VERSION",
    "REPORT_COLUMNS",
    "THRESHOLD",
    "Candidate",
    "CandidateIndex",
    "Decision",
    "IndexManifest",
    "IndexUnusable",
    "IndexedName",
    "LiveIndex",
    "MatchResult",
    "Matcher",
    "NameForm",
    "ScreenedRow",
    "ScreeningError",
    "ScreeningInputError",
    "ScreeningReport",
    "Similarity",
    "Stamp",
    "TooManyRows",
    "UnknownDecision",
    "compare",
    "default_index_dir",
    "entity_rows",
    "find_columns",
    "index_dir_for",
    "list_decisions",
    "normalise",
    "not_this_one",
    "open_index",
    "read_rows",
    "read_upload",
    "refresh",
    "rejected_for",
    "report_bytes",
    "screen_rows",
    "summary_path",
    "withdraw",
    "write_report",
]

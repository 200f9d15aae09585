"""Screening a list of suppliers: match every row, add each match's credit standing.

The one service function behind ``corpcredit screen`` and ``POST /api/v1/screen``:
:func:`screen_rows` takes rows (mappings of column → value, with a ``name`` and/or
a ``usci`` column; other columns are carried through), a connection and a
:class:`~corpcredit.screening.matcher.Matcher`, and returns a
:class:`ScreeningReport` — per row the match or none, its score and reason, up to
three close alternatives, the match's status, score, grade, lists and top reason —
with a summary and a stamp naming the data it was made from (rule-catalogue
version, audit-log head, matcher version, index build). The report is written as
a spreadsheet (:mod:`.report`) or as JSON (:meth:`ScreeningReport.to_json`, the
API's answer).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from corpcredit import audit
from corpcredit.screening.credit import Standing, catalogue_versions, standings
from corpcredit.screening.decisions import rejected_for
from corpcredit.screening.errors import ScreeningInputError, TooManyRows
from corpcredit.screening.matcher import MATCHER_VERSION, STATUSES, Candidate, Matcher, MatchResult
from corpcredit.screening.normalise import normalise

__all__ = [
    "NAME_COLUMNS",
    "REPORT_COLUMNS",
    "USCI_COLUMNS",
    "ScreenedRow",
    "ScreeningReport",
    "Stamp",
    "find_columns",
    "screen_rows",
]

#: Accepted headers for the name and identifier columns (case and spaces ignored).
NAME_COLUMNS = ("name", "名称", "企业名称", "单位名称", "供应商名称", "company", "supplier")
USCI_COLUMNS = ("usci", "统一社会信用代码", "信用代码", "credit_code")
#: Columns a report adds after the input's own.
REPORT_COLUMNS = (
    "match_status",
    "match_usci",
    "match_name",
    "match_score",
    "match_via",
    "match_reason",
    "flags",
    "entity_status",
    "credit_score",
    "credit_grade",
    "credit_lists",
    "top_reason",
    "alternatives",
)
_PROGRESS_EVERY = 100


def find_columns(columns: Sequence[str]) -> tuple[str | None, str | None]:
    """The input's name column and identifier column (either may be missing, not both)."""

    def pick(accepted: tuple[str, ...]) -> str | None:
        wanted = {a.casefold() for a in accepted}
        return next((c for c in columns if str(c).strip().casefold() in wanted), None)

    name, usci = pick(NAME_COLUMNS), pick(USCI_COLUMNS)
    if name is None and usci is None:
        raise ScreeningInputError(
            "the input needs a column 'name' or 'usci' (or both); found: "
            + ", ".join(repr(c) for c in columns)
        )
    return name, usci


@dataclass(frozen=True)
class Stamp:
    """Which data a report was made from, so it can be reproduced and trusted."""

    screened_at: str
    catalogue_versions: tuple[str, ...]
    audit_seq: int
    audit_hash: str
    matcher_version: str
    index_built_at: str
    index_names: int

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "catalogue_versions": list(self.catalogue_versions)}


@dataclass(frozen=True)
class ScreenedRow:
    """One input row (``number`` counts from 1) and what screening found."""

    number: int
    values: dict[str, Any]
    result: MatchResult


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _alternative(c: Candidate, standing: Standing | None) -> str:
    lists = f" (lists: {', '.join(standing.lists)})" if standing and standing.lists else ""
    return f"{c.name} [{c.usci}] {c.score:.2f}{lists}"


@dataclass
class ScreeningReport:
    """Screened rows, the standing of every organisation they name, and the stamp."""

    columns: list[str]
    rows: list[ScreenedRow]
    standings: dict[str, Standing]
    stamp: Stamp
    report_columns: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        taken = set(self.columns)
        self.report_columns = []
        for col in REPORT_COLUMNS:
            while col in taken:  # an input column of the same name keeps its name
                col += "_"
            taken.add(col)
            self.report_columns.append(col)

    def record(self, row: ScreenedRow) -> dict[str, Any]:
        """The row as flat report columns (input columns first)."""
        r = row.result
        best = r.best
        standing = self.standings.get(best.usci) if best else None
        values: list[Any] = [
            r.status,
            best.usci if best else None,
            best.name if best else None,
            round(best.score, 3) if best else None,
            best.via if best else None,
            best.reason if best else None,
            ", ".join(r.flags) or None,
            standing.status if standing else None,
            standing.score if standing else None,
            standing.grade if standing else None,
            ", ".join(standing.lists) if standing and standing.lists else None,
            standing.top_reason if standing else None,
            "; ".join(_alternative(c, self.standings.get(c.usci)) for c in r.alternatives) or None,
        ]
        out = {c: row.values.get(c) for c in self.columns}
        out.update(zip(self.report_columns, values, strict=True))
        return out

    def records(self) -> list[dict[str, Any]]:
        return [self.record(row) for row in self.rows]

    def _candidate_json(self, c: Candidate) -> dict[str, Any]:
        standing = self.standings.get(c.usci)
        return {
            "usci": c.usci,
            "name": c.name,
            "matched_name": c.matched,
            "via": c.via,
            "score": round(c.score, 3),
            "reason": c.reason,
            "natural_person": c.natural_person,
            "standing": None if standing is None else _standing_json(standing),
        }

    def row_json(self, row: ScreenedRow) -> dict[str, Any]:
        """One row as JSON: the input, the outcome, the match and its alternatives."""
        r = row.result
        return {
            "row": row.number,
            "input": row.values,
            "status": r.status,
            "match": None if r.best is None else self._candidate_json(r.best),
            "alternatives": [self._candidate_json(c) for c in r.alternatives],
            "flags": list(r.flags),
            "query_key": r.query_key,
        }

    def to_json(self) -> dict[str, Any]:
        """The whole report as JSON: rows, summary and stamp."""
        summary = self.summary()
        stamp = summary.pop("stamp")
        return {
            "rows": [self.row_json(row) for row in self.rows],
            "summary": summary,
            "stamp": stamp,
        }

    def summary(self) -> dict[str, Any]:
        """Counts for the summary sheet, and the stamp."""
        status = Counter({s: 0 for s in STATUSES})
        flags: Counter[str] = Counter()
        lists: Counter[str] = Counter({"black": 0, "red": 0, "abnormal": 0})
        grades: Counter[str] = Counter()
        persons = unscored = 0
        for row in self.rows:
            status[row.result.status] += 1
            flags.update(row.result.flags)
            best = row.result.best
            standing = self.standings.get(best.usci) if best else None
            if standing is None:
                continue
            lists.update(standing.lists)
            if standing.natural_person:
                persons += 1
            elif standing.grade:
                grades[standing.grade] += 1
            else:
                unscored += 1
        return {
            "rows": len(self.rows),
            "matched": status["usci"] + status["name"],
            "status": dict(status),
            "flags": dict(sorted(flags.items())),
            "lists": dict(lists),
            "grades": dict(sorted(grades.items())),
            "natural_persons": persons,
            "not_scored": unscored,
            "stamp": self.stamp.as_dict(),
        }


def _standing_json(s: Standing) -> dict[str, Any]:
    return {
        "status": s.status,
        "score": s.score,
        "grade": s.grade,
        "lists": list(s.lists),
        "top_reason": s.top_reason,
        "as_of": None if s.as_of is None else s.as_of.isoformat(),
    }


def _stamp(conn: Connection, matcher: Matcher) -> Stamp:
    head = audit.head(conn)
    return Stamp(
        screened_at=datetime.now(UTC).isoformat(timespec="seconds"),
        catalogue_versions=tuple(catalogue_versions(conn)),
        audit_seq=head.seq,
        audit_hash=head.hash,
        matcher_version=MATCHER_VERSION,
        index_built_at=matcher.index.manifest.built_at,
        index_names=len(matcher.index),
    )


def screen_rows(
    conn: Connection,
    rows: Sequence[Mapping[str, Any]],
    matcher: Matcher,
    *,
    columns: Sequence[str] | None = None,
    max_rows: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    public: bool = False,
) -> ScreeningReport:
    """Screen ``rows`` against the registry behind ``conn`` (read only).

    ``columns`` orders the carried-through input columns (default: as first seen);
    ``max_rows`` refuses longer inputs with :class:`TooManyRows` (the API allows
    1,000); ``progress`` is called with (rows done, rows in all); ``public`` keeps
    unpublished records out of the top reasons (for screeners outside the
    registry's staff).
    """
    if max_rows is not None and len(rows) > max_rows:
        raise TooManyRows(
            f"{len(rows):,} rows given; at most {max_rows:,} are screened at once: split the list",
            details={"rows": len(rows), "max_rows": max_rows},
        )
    if columns is None:
        columns = list(dict.fromkeys(k for row in rows for k in row))
    name_col, usci_col = find_columns(columns)
    names = [_text(row.get(name_col)) if name_col else None for row in rows]
    keys = {normalise(n).key for n in names if n}
    rejected = rejected_for(conn, keys)
    screened: list[ScreenedRow] = []
    for i, (row, name) in enumerate(zip(rows, names, strict=True), start=1):
        usci = _text(row.get(usci_col)) if usci_col else None
        result = matcher.match(name, usci, rejected)
        screened.append(ScreenedRow(i, {c: row.get(c) for c in columns}, result))
        if progress and (i % _PROGRESS_EVERY == 0 or i == len(rows)):
            progress(i, len(rows))
    named = {
        c.usci
        for s in screened
        for c in ((s.result.best,) if s.result.best else ()) + s.result.alternatives
    }
    return ScreeningReport(
        list(columns), screened, standings(conn, named, public=public), _stamp(conn, matcher)
    )

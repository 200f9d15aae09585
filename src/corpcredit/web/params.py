"""Query parameters shared by the API and the pages, parsed into project errors.

Dates are read strictly as ``YYYY-MM-DD`` (``request.invalid_date``); a knowledge
time is an ISO 8601 timestamp or date, China Standard Time when it has no offset
(``request.invalid_timestamp``); pages are 1-based with at most :data:`MAX_PER_PAGE`
items (``request.invalid_page``); a search text is at most :data:`MAX_QUERY`
characters (``request.query_too_long``).

A page beyond the last one is not an error: it answers an empty page together
with the total, so a client paging with a stale total simply stops.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from corpcredit.scoring.frames import to_utc
from corpcredit.web.errors import InvalidParameter

__all__ = [
    "MAX_PER_PAGE",
    "MAX_QUERY",
    "Paging",
    "parse_day",
    "parse_known_at",
    "parse_paging",
    "parse_query",
]

MAX_PER_PAGE = 50
DEFAULT_PER_PAGE = 20
MAX_QUERY = 200
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EARLIEST, _LATEST = date(1900, 1, 1), date(2999, 12, 31)


def parse_day(value: str | None, name: str) -> date | None:
    """``YYYY-MM-DD`` between 1900 and 2999, or None when absent or empty."""
    if value is None or value == "":
        return None
    day: date | None = None
    if _DAY.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None or not _EARLIEST <= day <= _LATEST:
        raise InvalidParameter(
            f"{name} must be a date YYYY-MM-DD between {_EARLIEST} and {_LATEST}, got {value!r}",
            parameter=name,
            value=value,
            code="request.invalid_date",
        )
    return day


def parse_known_at(value: str | None, name: str = "known_at") -> datetime | None:
    """An ISO 8601 timestamp (or a date: its midnight), China Standard Time without offset."""
    if value is None or value == "":
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        ts = None
    if ts is None or not _EARLIEST.year <= ts.year <= _LATEST.year:
        raise InvalidParameter(
            f"{name} must be an ISO 8601 timestamp such as 2025-03-01T12:00:00+08:00, "
            f"got {value!r}",
            parameter=name,
            value=value,
            code="request.invalid_timestamp",
        )
    return to_utc(ts)


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def pages(self, total: int) -> int:
        return max(1, -(-total // self.per_page))


def _positive(value: str | int | None, name: str, default: int, most: int) -> int:
    if value is None or value == "":
        return default
    text = str(value)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= most:
        raise InvalidParameter(
            f"{name} must be a whole number from 1 to {most}, got {text!r}",
            parameter=name,
            value=text,
            code="request.invalid_page",
        )
    return int(text)


def parse_paging(
    page: str | int | None, per_page: str | int | None, default: int = DEFAULT_PER_PAGE
) -> Paging:
    """1-based page and page size (at most :data:`MAX_PER_PAGE`)."""
    return Paging(
        _positive(page, "page", 1, 10**6), _positive(per_page, "per_page", default, MAX_PER_PAGE)
    )


def parse_query(value: str | None, name: str = "q") -> str:
    """The search text, trimmed; at most :data:`MAX_QUERY` characters."""
    text = (value or "").strip()
    if len(text) > MAX_QUERY:
        raise InvalidParameter(
            f"{name} is {len(text)} characters long; at most {MAX_QUERY} are searched",
            parameter=name,
            value=text,
            code="request.query_too_long",
        )
    return text

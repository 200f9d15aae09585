"""Chinese working days and calendar months, for due-process deadlines.

A day is a **working day** when it is Monday to Friday and not a public holiday,
or when it is a weekend day that the year's holiday arrangement turns into a
working day (调休上班). The source is the State Council General Office's annual
notice on the arrangement of public holidays (国务院办公厅关于××年部分节假日安排的
通知), as compiled by the ``chinesecalendar`` package (import name
``chinese_calendar``): we use it rather than a table of our own (STYLE.md rule 14).

Deadlines of the objection and repair workflow (DOMAIN.md §6; NDRC Order 36 and
SAMR Order 107 count them in working days) run from a starting day that is not
counted, as PRC administrative law counts periods: :func:`add_working_days`
(start, n) is the n-th working day after ``start``.

The package knows only the years whose notices it has compiled (2004–2026 in
release 1.11). The government publishes each year's notice late in the year
before, so a later year cannot be predicted: a date outside the known years
raises :class:`CalendarOutOfRange` (``calendar.out_of_range``) instead of guessing.
Until the package is updated, an operator may enter a published notice as a
:class:`YearNotice` and pass a :class:`WorkingCalendar` that carries it; the
site reads such notices from the TOML file named by ``CORPCREDIT_CALENDAR_NOTICES``
(:func:`load_notices`)::

    # 国务院办公厅关于2027年部分节假日安排的通知
    [[year]]
    year = 2027
    holidays = [2027-01-01, 2027-02-06, 2027-02-07]   # every day off
    workdays = [2027-02-14]                           # weekend days worked
"""

from __future__ import annotations

import calendar as _gregorian
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar

from corpcredit.errors import CorpCreditError

__all__ = [
    "DEFAULT_CALENDAR",
    "CalendarOutOfRange",
    "InvalidWorkingDays",
    "WorkingCalendar",
    "YearNotice",
    "add_months",
    "add_working_days",
    "is_working_day",
    "load_notices",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)


class CalendarOutOfRange(CorpCreditError):
    """A date in a year whose holiday arrangement is not known to the calendar."""

    code = "calendar.out_of_range"
    http_status = 503


class InvalidWorkingDays(CorpCreditError):
    """A negative number of working days, or a malformed year notice."""

    code = "calendar.invalid"
    http_status = 422


@dataclass(frozen=True)
class YearNotice:
    """One year's official arrangement, for a year the package does not cover yet.

    ``holidays``: the days off (weekend days inside a holiday block may be listed
    or not); ``workdays``: the weekend days made working days. Weekdays not listed
    as holidays are working days, weekend days not listed as workdays are not.
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def __post_init__(self) -> None:
        stray = sorted(d for d in self.holidays | self.workdays if d.year != self.year)
        if stray:
            raise InvalidWorkingDays(
                f"the {self.year} notice lists {stray[0].isoformat()}, outside {self.year}"
            )
        both = sorted(self.holidays & self.workdays)
        if both:
            raise InvalidWorkingDays(
                f"the {self.year} notice lists {both[0].isoformat()} as both holiday and workday"
            )

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def _plain(day: date) -> date:
    return day.date() if isinstance(day, datetime) else day


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days from ``chinesecalendar``, plus any operator-entered year notices."""

    notices: tuple[YearNotice, ...] = ()

    def _notice(self, year: int) -> YearNotice | None:
        for notice in self.notices:
            if notice.year == year:
                return notice
        return None

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day; raises :class:`CalendarOutOfRange`."""
        day = _plain(day)
        notice = self._notice(day.year)
        if notice is not None:
            return notice.is_working_day(day)
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError as exc:
            known = sorted({d.year for d in chinese_calendar.holidays})
            raise CalendarOutOfRange(
                f"the working-day calendar has no holiday arrangement for {day.year} "
                f"(it knows {known[0]}–{known[-1]}): update the chinesecalendar package, "
                f"or enter the State Council's {day.year} holiday notice as a YearNotice",
                details={"date": day.isoformat(), "first_year": known[0], "last_year": known[-1]},
            ) from exc

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted).

        ``n == 0`` gives ``start``. This is the last day of an ``n``-working-day
        deadline that starts on ``start``.
        """
        if n < 0:
            raise InvalidWorkingDays(f"a deadline needs a non-negative number of days, got {n}")
        day = _plain(start)
        while n:
            day += _ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``d`` with ``a < d <= b``; negative when ``b`` is before ``a``.

        So ``working_days_between(s, add_working_days(s, n)) == n``, and a case is
        overdue by ``working_days_between(due, today)`` working days when positive.
        """
        a, b = _plain(a), _plain(b)
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += _ONE_DAY
            count += self.is_working_day(day)
        return count


def _days(entry: dict[str, Any], key: str, where: str) -> frozenset[date]:
    values = entry.get(key, [])
    if not isinstance(values, list) or not all(
        isinstance(v, date) and not isinstance(v, datetime) for v in values
    ):
        raise InvalidWorkingDays(f"{where}.{key} must be a list of dates like 2027-01-01")
    return frozenset(values)


def load_notices(path: Path) -> WorkingCalendar:
    """A calendar carrying the year notices of a TOML file (module docstring)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidWorkingDays(f"{path}: cannot read the calendar notices: {exc}") from exc
    entries = data.get("year", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidWorkingDays(f"{path}: expected [[year]] tables")
    notices = []
    for i, entry in enumerate(entries):
        where = f"{path}: year[{i}]"
        year = entry.get("year")
        if not isinstance(year, int):
            raise InvalidWorkingDays(f"{where}.year must be a year like 2027")
        notices.append(
            YearNotice(year, _days(entry, "holidays", where), _days(entry, "workdays", where))
        )
    years = [n.year for n in notices]
    if len(set(years)) != len(years):
        raise InvalidWorkingDays(f"{path}: a year is given twice")
    return WorkingCalendar(tuple(notices))


#: The calendar of the ``chinesecalendar`` package alone.
DEFAULT_CALENDAR = WorkingCalendar()


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a Chinese working day (see the module docstring)."""
    return DEFAULT_CALENDAR.is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start``, ``start`` not counted."""
    return DEFAULT_CALENDAR.add_working_days(start, n)


def working_days_between(a: date, b: date) -> int:
    """Working days in ``(a, b]``; negative when ``b`` is before ``a``."""
    return DEFAULT_CALENDAR.working_days_between(a, b)


def add_months(day: date, months: int) -> date:
    """Calendar months, clipped to the month's last day (2025-01-31 + 1 = 2025-02-28).

    DOMAIN.md §3: periods and repair waits are calendar months; a year is 12.
    """
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, _gregorian.monthrange(year, month)[1]))

"""Chinese working days: holidays, adjusted working weekends, deadlines, coverage."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpcredit.calendar import (
    DEFAULT_CALENDAR,
    CalendarOutOfRange,
    InvalidWorkingDays,
    WorkingCalendar,
    YearNotice,
    add_months,
    add_working_days,
    is_working_day,
    load_notices,
    working_days_between,
)

d = date.fromisoformat

# 2025 Spring Festival (State Council notice of 2024-11-12): 28 Jan – 4 Feb off,
# Sunday 26 Jan and Saturday 8 Feb are working days.
SPRING_OFF = [d("2025-01-28") + timedelta(days=i) for i in range(8)]
# 2025 National Day and Mid-Autumn: 1–8 Oct off, Sunday 28 Sep and Saturday 11 Oct worked.
NATIONAL_OFF = [d("2025-10-01") + timedelta(days=i) for i in range(8)]


def test_spring_festival_days_are_holidays_and_the_adjusted_weekend_days_are_worked() -> None:
    assert not any(is_working_day(x) for x in SPRING_OFF)
    assert is_working_day(d("2025-01-26"))  # a Sunday
    assert is_working_day(d("2025-02-08"))  # a Saturday
    assert not is_working_day(d("2025-01-25"))  # an ordinary Saturday


def test_intake_deadline_across_the_spring_festival() -> None:
    # Friday 24 Jan + 3 working days: Sun 26, Mon 27, then Wed 5 Feb after the holiday.
    assert add_working_days(d("2025-01-24"), 3) == d("2025-02-05")


def test_decision_deadline_across_the_spring_festival_counts_the_working_saturday() -> None:
    # Mon 27 Jan + 7: 5, 6, 7, Sat 8, 10, 11, 12 Feb.
    assert add_working_days(d("2025-01-27"), 7) == d("2025-02-12")


def test_national_day_holidays_and_adjusted_weekend() -> None:
    assert not any(is_working_day(x) for x in NATIONAL_OFF)
    assert is_working_day(d("2025-09-28")) and is_working_day(d("2025-10-11"))
    assert add_working_days(d("2025-09-26"), 3) == d("2025-09-30")  # Sun 28, 29, 30
    assert add_working_days(d("2025-09-30"), 3) == d("2025-10-11")  # 9, 10, Sat 11 Oct


def test_an_extension_of_ten_working_days_across_national_day() -> None:
    # 10 working days after Thu 25 Sep: 26, Sun 28, 29, 30, 9, 10, Sat 11, 13, 14, 15 Oct.
    assert add_working_days(d("2025-09-25"), 10) == d("2025-10-15")


def test_start_day_is_not_counted_and_zero_days_is_the_start() -> None:
    assert add_working_days(d("2025-03-05"), 1) == d("2025-03-06")
    assert add_working_days(d("2025-03-07"), 1) == d("2025-03-10")  # Friday → Monday
    assert add_working_days(d("2025-03-08"), 0) == d("2025-03-08")


def test_negative_days_are_refused() -> None:
    with pytest.raises(InvalidWorkingDays) as caught:
        add_working_days(d("2025-03-05"), -1)
    assert caught.value.code == "calendar.invalid"


def test_working_days_between_counts_the_end_not_the_start() -> None:
    assert working_days_between(d("2025-01-24"), d("2025-02-05")) == 3
    assert working_days_between(d("2025-02-05"), d("2025-01-24")) == -3
    assert working_days_between(d("2025-01-28"), d("2025-02-04")) == 0


def test_a_year_the_package_does_not_cover_is_a_clear_error() -> None:
    last = max(chinese_calendar.holidays).year  # 2026 in chinesecalendar 1.11
    with pytest.raises(CalendarOutOfRange) as caught:
        is_working_day(date(last + 1, 1, 4))
    err = caught.value
    assert err.code == "calendar.out_of_range" and err.details["last_year"] == last
    assert str(last + 1) in err.message and "chinesecalendar" in err.message
    with pytest.raises(CalendarOutOfRange):  # a deadline running into the unknown year
        add_working_days(date(last, 12, 30), 3)


def test_an_operator_entered_notice_covers_a_missing_year() -> None:
    # Invented days, for the mechanism only: not the real 2027 arrangement.
    notice = YearNotice(2027, frozenset({d("2027-01-01")}), frozenset({d("2027-01-02")}))
    cal = WorkingCalendar((notice,))
    assert not cal.is_working_day(d("2027-01-01"))
    assert cal.is_working_day(d("2027-01-02"))  # a Saturday made a working day
    assert not cal.is_working_day(d("2027-01-03"))  # an ordinary Sunday
    assert cal.add_working_days(d("2026-12-30"), 3) == d("2027-01-04")


def test_a_notice_with_stray_or_contradictory_days_is_refused() -> None:
    with pytest.raises(InvalidWorkingDays):
        YearNotice(2027, frozenset({d("2026-12-31")}), frozenset())
    with pytest.raises(InvalidWorkingDays):
        YearNotice(2027, frozenset({d("2027-01-02")}), frozenset({d("2027-01-02")}))


def test_calendar_months_clip_to_the_month_end() -> None:
    assert add_months(d("2025-01-31"), 1) == d("2025-02-28")
    assert add_months(d("2024-02-29"), 12) == d("2025-02-28")
    assert add_months(d("2025-11-30"), 3) == d("2026-02-28")


days = st.dates(min_value=d("2024-01-01"), max_value=d("2026-09-30"))


@given(days, st.integers(min_value=0, max_value=30))
def test_the_deadline_is_n_working_days_later_and_itself_a_working_day(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert working_days_between(start, due) == n
    assert due >= start
    if n:
        assert is_working_day(due)
        assert working_days_between(start, due - timedelta(days=1)) == n - 1


# -- operator-entered notices from a TOML file -----------------------------------------------

NOTICE_2027 = """
# A 2027 arrangement as an operator would enter it from the State Council notice.
[[year]]
year = 2027
holidays = [2027-01-01, 2027-01-04]
workdays = [2027-01-09]
"""


def test_notices_from_a_file_carry_deadlines_into_a_year_the_package_lacks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notices.toml"
    path.write_text(NOTICE_2027, encoding="utf-8")
    cal = load_notices(path)
    with pytest.raises(CalendarOutOfRange):
        DEFAULT_CALENDAR.add_working_days(date(2026, 12, 30), 3)
    # Thu 31 Dec 2026 (package), then Fri 1 Jan off, Mon 4 Jan off (the notice), Tue 5 Jan.
    assert cal.add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 5)
    assert cal.is_working_day(date(2027, 1, 9))  # a Saturday worked
    assert not cal.is_working_day(date(2027, 1, 10))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[year]]\nyear = 2027\nholidays = [2028-01-01]\n", "outside 2027"),
        ("[[year]]\nyear = 2027\nholidays = ['2027-01-01']\n", "list of dates"),
        ("[[year]]\nholidays = []\n", "a year like 2027"),
        ("[[year]]\nyear = 2027\n[[year]]\nyear = 2027\n", "given twice"),
        ("year = 3\n", "[[year]] tables"),
        ("[[year]\n", "cannot read"),
    ],
)
def test_a_bad_notices_file_is_refused_with_its_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "notices.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidWorkingDays, match=re.escape(message)):
        load_notices(path)

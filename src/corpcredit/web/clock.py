"""Today, as the registry counts days: the calendar date in China Standard Time."""

from __future__ import annotations

from datetime import date, datetime

from corpcredit.scoring.frames import CHINA_TZ

__all__ = ["today"]


def today() -> date:
    return datetime.now(CHINA_TZ).date()

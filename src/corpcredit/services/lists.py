"""The black, red and abnormal-operations lists (DOMAIN.md §5), read side.

Two things live here:

- :func:`list_windows`: for one entity, the stretch of each list it is on at a
  date: entry date, scheduled exit, earliest repair date and the records behind it.
  It reads the kernel's prepared records (each with its final end after lifts and
  repairs), so it follows the kernel's in-force rule exactly. Black and abnormal
  status depend only on the entity's own records, so their windows are exact: the
  union of the intervals in which each record keeps the entity on the list. Red
  status also depends on the score; here its window is the stretch of its red
  records (a red-flagged commendation, or a qualifying rating), so its exit is "at
  the latest" (the organisation page computes it exactly with the timeline).
- :func:`list_members`: a page of a public list from the materialised
  ``list_entries`` (history with entered/left dates), joined with names.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.catalogue import Catalogue
from corpcredit.errors import CorpCreditError
from corpcredit.ids import division_full_name
from corpcredit.scoring import prepare_records
from corpcredit.scoring.frames import CHINA_TZ
from corpcredit.store.frames import load_frames
from corpcredit.store.schema import LISTS, entities, list_entries

__all__ = [
    "LISTS",
    "Ground",
    "InvalidListQuery",
    "ListMember",
    "ListName",
    "ListPage",
    "Window",
    "add_months",
    "list_members",
    "list_windows",
    "repair_date",
]

ListName = Literal["black", "red", "abnormal"]


class InvalidListQuery(CorpCreditError):
    """An unknown list, a malformed region code or bad paging."""

    code = "lists.invalid_query"
    http_status = 422


@dataclass(frozen=True)
class Ground:
    """One record keeping an entity on a list, and the rule by which it does.

    ``rule``: ``black_kind`` (the catalogue flags the kind black), ``authority_flag``
    (the record's own black flag), ``abnormal_escalation`` (abnormal operations in
    force for 36 months), ``abnormal``, ``red_flagged`` (a commendation flagged red)
    or ``red_rating`` (a qualifying rating such as tax grade A).
    ``entered_on`` is when this record put the entity on the list; ``ends_on`` is
    the record's exclusive end (None: no automatic end); ``repair_from`` is its
    earliest repair date (None: not repairable, or not a black/abnormal ground).
    """

    source: str
    record_id: str
    rule: str
    entered_on: date
    ends_on: date | None
    repair_from: date | None


@dataclass(frozen=True)
class Window:
    """An entity's stretch on one list around a date.

    ``scheduled_exit`` is the first day off the list if nothing changes (None: no
    scheduled end); ``earliest_repair`` the day from which every ground may be
    repaired (None when one of them cannot be).
    """

    list: str
    entered_on: date
    scheduled_exit: date | None
    earliest_repair: date | None
    grounds: tuple[Ground, ...]


def add_months(day: date, months: int) -> date:
    """Calendar months, clipped to the month's end (2025-01-31 + 1 = 2025-02-28)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _intervals(
    row: Mapping[str, Any], which: str, cat: Catalogue
) -> Iterable[tuple[date, date | None, str]]:
    """``(start, end, rule)`` of each interval in which ``row`` keeps its entity on ``which``."""
    decided: date = row["decided_on"]
    end: date | None = row["end"]
    if which == "black":
        if row["tier_eff"] == "serious" and row["black_kind"]:
            yield decided, end, "black_kind"
        elif row["tier_eff"] == "serious" and row["black"]:
            yield decided, end, "authority_flag"
        if row["abnormal_kind"]:
            start = add_months(decided, cat.lists.abnormal_escalation_months)
            if end is None or start < end:
                yield start, end, "abnormal_escalation"
    elif which == "abnormal" and row["abnormal_kind"]:
        yield decided, end, "abnormal"
    elif which == "red":
        if row["red_if_flagged"] and row["red"]:
            yield decided, end, "red_flagged"
        elif row["red_qualifying"]:
            yield decided, end, "red_rating"


def repair_date(kind: str, tier: str, decided_on: date, cat: Catalogue) -> date | None:
    """The earliest day a repair may be applied for (None: the kind is not repairable)."""
    if not cat.kinds[kind].repairable:
        return None
    return add_months(decided_on, cat.repair_after_months(kind, tier))


@dataclass
class _Stretch:
    start: date
    end: date | None
    members: list[tuple[date, date | None, str, Mapping[str, Any]]]


def _window(
    which: str, rows: Sequence[Mapping[str, Any]], cat: Catalogue, t: date
) -> Window | None:
    spans = sorted(
        (
            (s, e, rule, r)
            for r in rows
            for s, e, rule in _intervals(r, which, cat)
            if e is None or s < e  # a record ended on its decision day never counts
        ),
        key=lambda x: x[0],
    )
    # Merge overlapping or touching intervals into stretches; keep the one holding t.
    stretches: list[_Stretch] = []
    for s, e, rule, r in spans:
        last = stretches[-1] if stretches else None
        if last is not None and (last.end is None or s <= last.end):
            last.end = None if last.end is None or e is None else max(last.end, e)
            last.members.append((s, e, rule, r))
        else:
            stretches.append(_Stretch(s, e, [(s, e, rule, r)]))
    current = next((x for x in stretches if x.start <= t and (x.end is None or t < x.end)), None)
    if current is None:
        return None
    grounds = tuple(
        Ground(
            source=r["source"],
            record_id=r["record_id"],
            rule=rule,
            entered_on=s,
            ends_on=e,
            repair_from=None
            if which == "red"
            else repair_date(r["kind"], r["tier_eff"], r["decided_on"], cat),
        )
        for s, e, rule, r in current.members
        if s <= t and (e is None or t < e)
    )
    repairs = [g.repair_from for g in grounds]
    earliest = None if which == "red" or None in repairs else max(d for d in repairs if d)
    return Window(which, current.start, current.end, earliest, grounds)


def list_windows(
    prepared: pl.DataFrame, cat: Catalogue, t: date, lists: Sequence[str] = LISTS
) -> dict[str, Window]:
    """The windows, at ``t``, of the lists one entity's prepared records put it on.

    ``prepared`` is :func:`corpcredit.scoring.prepare_records` collected, for one
    entity (records decided after ``t`` are ignored: a schedule cannot know them).
    """
    rows = prepared.filter(pl.col("decided_on") <= t).to_dicts()
    found = {which: _window(which, rows, cat, t) for which in lists}
    return {k: v for k, v in found.items() if v is not None}


@dataclass(frozen=True)
class ListMember:
    """One entry of a list page. ``left_on`` is the actual exit when it has
    happened (a past ``as_of``); ``scheduled_exit`` is the current schedule."""

    usci: str
    name: str
    name_en: str | None
    division_code: str | None
    region: str | None
    entered_on: date
    left_on: date | None
    scheduled_exit: date | None
    basis: Any


@dataclass(frozen=True)
class ListPage:
    list: str
    as_of: date | None
    region: str | None
    total: int
    limit: int | None
    offset: int
    members: tuple[ListMember, ...]


def _check(which: str, region: str | None, limit: int | None, offset: int) -> None:
    if which not in LISTS:
        raise InvalidListQuery(
            f"unknown list {which!r}: use one of {', '.join(LISTS)}", details={"list": which}
        )
    if region is not None and not (
        region.isascii() and region.isdigit() and len(region) in (2, 4, 6)
    ):
        raise InvalidListQuery(
            f"region must be a division code prefix of 2, 4 or 6 digits, got {region!r}",
            details={"region": region},
        )
    if offset < 0 or (limit is not None and limit < 1):
        raise InvalidListQuery("limit must be at least 1 and offset at least 0")


def _division() -> sa.ColumnElement[str]:
    # Positions 3-8 of the USCI are the division code when the column is empty.
    return sa.func.coalesce(entities.c.division_code, sa.func.substr(entities.c.usci, 3, 6))


def _basis(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def list_members(
    conn: Connection,
    which: str,
    *,
    as_of: date | None = None,
    region: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
    cat: Catalogue | None = None,
) -> ListPage:
    """A page of the ``which`` list, newest entries first.

    Without ``as_of`` the entries open now; with it, those with ``entered_on <= as_of
    < left_on`` (or still open). ``region`` is a division-code prefix (2, 4 or 6
    digits). ``limit=None`` returns every entry. With ``cat``, the scheduled exit of
    each entry is computed from its records (see :func:`list_windows`).
    """
    _check(which, region, limit, offset)
    le = list_entries
    cond = [le.c.list == which, entities.c.natural_person.is_(False)]
    if as_of is None:
        cond.append(le.c.left_on.is_(None))
    else:
        cond += [le.c.entered_on <= as_of, sa.or_(le.c.left_on.is_(None), le.c.left_on > as_of)]
    if region is not None:
        cond.append(_division().startswith(region))
    base = sa.select(le.c.id).join(entities, entities.c.usci == le.c.usci).where(*cond)
    total = conn.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    q = (
        sa.select(
            le.c.usci,
            entities.c.name,
            entities.c.name_en,
            _division().label("division_code"),
            le.c.entered_on,
            le.c.left_on,
            le.c.basis,
        )
        .join(entities, entities.c.usci == le.c.usci)
        .where(*cond)
        .order_by(le.c.entered_on.desc(), le.c.usci, le.c.id)
        .offset(offset)
    )
    if limit is not None:
        q = q.limit(limit)
    rows = [dict(r) for r in conn.execute(q).mappings()]
    exits = _scheduled_exits(conn, which, rows, as_of, cat) if cat is not None else {}
    members = tuple(
        ListMember(
            usci=r["usci"],
            name=r["name"],
            name_en=r["name_en"],
            division_code=r["division_code"],
            region=division_full_name(r["division_code"]) if r["division_code"] else None,
            entered_on=r["entered_on"],
            left_on=r["left_on"],
            scheduled_exit=exits.get(r["usci"]),
            basis=_basis(r["basis"]),
        )
        for r in rows
    )
    return ListPage(which, as_of, region, total, limit, offset, members)


def _scheduled_exits(
    conn: Connection,
    which: str,
    rows: Sequence[Mapping[str, Any]],
    as_of: date | None,
    cat: Catalogue,
) -> dict[str, date | None]:
    """Scheduled exit per entity on the page, from its own current records."""
    uscis = sorted({r["usci"] for r in rows})
    if not uscis:
        return {}
    inputs = load_frames(conn, uscis, whole_organisations=False)
    prepared = prepare_records(inputs.records, inputs.events, cat, None).collect()
    t = as_of if as_of is not None else datetime.now(CHINA_TZ).date()
    exits: dict[str, date | None] = {}
    for (usci,), own in prepared.partition_by("usci", as_dict=True).items():
        window = list_windows(own, cat, t, (which,)).get(which)
        exits[str(usci)] = window.scheduled_exit if window else None
    return exits

"""The kernel for a few rows (one organisation), in plain Python.

Rescoring after an incremental ingest scores one organisation: a handful of
entities and records, for which Polars' fixed cost per query (about twenty
queries in :func:`corpcredit.scoring.kernel.score`) is most of the time. This
module computes the same results, contributions and warnings row by row, and
:func:`corpcredit.scoring.kernel.score` calls it for inputs within
:data:`MAX_ENTITIES` and :data:`MAX_RECORDS`. Anything unusual (a lazy frame, a
column of another type, duplicate keys, missing keys or dates, dates near the
ends of the calendar) is left to the general path: :func:`score_small` then
returns None. A Hypothesis test holds the two paths equal, frame for frame.

The rules are those of DOMAIN.md §4–5 as the kernel reads them; see its
docstrings for the reasons behind each step.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl

from corpcredit.catalogue import Catalogue
from corpcredit.scoring.frames import (
    CONTRIBUTION_SCHEMA,
    ENTITY_SCHEMA,
    EVENT_SCHEMA,
    RECORD_SCHEMA,
    RESULT_SCHEMA,
    ROLE_ORDER,
    to_utc,
)
from corpcredit.scoring.org import ParentCycleError
from corpcredit.scoring.rules import per_catalogue, rules_frame

__all__ = ["MAX_ENTITIES", "MAX_EVENTS", "MAX_RECORDS", "score_small"]

#: Up to these many rows the plain path serves; beyond, Polars' per-row cost wins.
MAX_ENTITIES = 64
MAX_RECORDS = 512
MAX_EVENTS = 1_024

_ROLES = {code: name for name, code in ROLE_ORDER.items()}
_OWN, _FROM_BRANCH, _FROM_HEAD, _FROM_SIBLING = (
    ROLE_ORDER[r] for r in ("own", "from_branch", "from_head", "from_sibling")
)
# Dates this far from the ends of Python's calendar are left to Polars (which reaches
# further): month offsets and the eight hours of China time stay representable.
_LOW, _HIGH = date(2, 1, 1), date(9000, 1, 1)
_EIGHT_HOURS = timedelta(hours=8)


class _Unsuitable(Exception):
    """The input is outside what the plain path handles: use the general one."""


@dataclass(frozen=True)
class _Rules:
    """The rule table as a dictionary: (kind, key) → its row; graded kinds."""

    rows: dict[tuple[str, str], dict[str, Any]]
    graded: frozenset[str]


def _rules(cat: Catalogue) -> _Rules:
    def build() -> _Rules:
        table = rules_frame(cat)
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for row in table.to_dicts():  # a later row of the same key wins, as in rule_row
            rows[row["kind"], row["key"]] = row
        kinds = set(table.get_column("kind"))
        graded = frozenset(k for k, v in cat.kinds.items() if v.graded and k in kinds)
        return _Rules(rows, graded)

    return per_catalogue(cat, "small_rules", build)


def _columns(
    frame: pl.DataFrame, schema: dict[str, pl.DataType], names: Iterable[str]
) -> dict[str, list[Any]]:
    """``names`` of ``frame`` as lists (all None where absent), each of the schema's type."""
    out: dict[str, list[Any]] = {}
    n = frame.height
    for name in names:
        if name not in frame.columns:
            out[name] = [None] * n
            continue
        series = frame.get_column(name)
        if series.dtype != schema[name]:
            raise _Unsuitable
        out[name] = series.to_list()
    return out


def _day(d: date | None) -> date | None:
    if d is not None and not _LOW <= d < _HIGH:
        raise _Unsuitable
    return d


def _add_months(d: date, n: int) -> date:
    """Calendar months, clipped to the month's end (as Polars' ``offset_by``)."""
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    if not 1 <= y <= 9999:
        raise _Unsuitable
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _midnight_china(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC) - _EIGHT_HOURS


def score_small(
    entities: Any,
    records: Any,
    events: Any,
    cat: Catalogue,
    as_of: date,
    known_at: datetime | None = None,
    *,
    contributions: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]] | None:
    """Results, contributions and warnings as the kernel computes them, or None when
    the input is not one the plain path takes (then use the general path)."""
    if not (
        isinstance(entities, pl.DataFrame)
        and isinstance(records, pl.DataFrame)
        and (events is None or isinstance(events, pl.DataFrame))
        and entities.height <= MAX_ENTITIES
        and records.height <= MAX_RECORDS
        and (events is None or events.height <= MAX_EVENTS)
    ):
        return None
    try:
        return _score(entities, records, events, cat, as_of, known_at, contributions)
    except _Unsuitable:
        return None


def _entities(entities: pl.DataFrame) -> tuple[list[str], list[str | None], list[bool]]:
    """Uscis sorted, their parents and whether each is a natural person."""
    cols = _columns(entities, ENTITY_SCHEMA, ENTITY_SCHEMA)
    if "natural_person" in entities.columns:
        given = entities.get_column("natural_person")
        if given.dtype != pl.Boolean:
            raise _Unsuitable
        flags: list[bool | None] = given.to_list()
    else:
        flags = [None] * entities.height
    uscis = cols["usci"]
    if None in uscis or len(set(uscis)) != len(uscis):
        raise _Unsuitable
    order = sorted(range(len(uscis)), key=uscis.__getitem__)
    usci = [uscis[i] for i in order]
    parent = [cols["parent_usci"][i] for i in order]
    natural = [uscis[i][:2] == "92" if flags[i] is None else bool(flags[i]) for i in order]
    return usci, parent, natural


def _heads(
    usci: list[str], parent: list[str | None], natural: list[bool]
) -> tuple[list[int], list[str]]:
    """Each entity's head office (row) and warnings, as :func:`.org.head_indices`."""
    row = {u: i for i, u in enumerate(usci)}
    up: list[int] = []
    absent: list[tuple[str, str]] = []
    persons = 0
    for i, (u, p) in enumerate(zip(usci, parent, strict=True)):
        if p is None or p == u or natural[i]:
            up.append(-1)
        elif p not in row:
            absent.append((u, p))
            up.append(-1)
        elif natural[row[p]]:
            persons += 1
            up.append(-1)
        else:
            up.append(row[p])
    warnings = []
    if absent:
        sample = ", ".join(f"{u}→{p}" for u, p in absent[:5])
        warnings.append(
            f"{len(absent)} entities name a parent_usci missing from the registry and are "
            f"treated as their own head office (e.g. {sample})"
        )
    if persons:
        warnings.append(
            f"{persons} entities name an individual business as head office; "
            "natural persons belong to no organisation, so they are their own head office"
        )
    heads: list[int] = []
    cyclic: list[str] = []
    for i in range(len(usci)):
        at, steps = i, 0
        while up[at] >= 0 and steps <= len(usci):
            at, steps = up[at], steps + 1
        if up[at] >= 0:
            cyclic.append(usci[i])
        heads.append(at)
    if cyclic:
        raise ParentCycleError(sorted(cyclic))
    return heads, warnings


@dataclass
class _Record:
    """One prepared record: the columns scoring and contribution lines read."""

    eid: int
    source: str
    record_id: str
    kind: str
    tier: str
    decided_on: date
    end: date | None
    points_h: int
    rule: dict[str, Any]
    black: bool
    red: bool
    authority: str | None
    decision_no: str | None
    in_force: bool


def _effects(
    events: pl.DataFrame | None, k: datetime | None
) -> dict[tuple[str, str], tuple[bool, date | None, date | None]]:
    """Per record with seen events: withdrawn?, first lift, first repair not revoked."""
    if events is None or events.is_empty():
        return {}
    cols = _columns(events, EVENT_SCHEMA, EVENT_SCHEMA)
    seen: dict[tuple[str, str], list[tuple[str | None, date | None]]] = {}
    for source, record_id, event, on, at in zip(*cols.values(), strict=True):
        _day(on)
        if k is not None:
            at = at if at is not None else (_midnight_china(on) if on is not None else None)
            if at is None or at > k:
                continue
        if source is None or record_id is None:  # a join never matches a missing key
            continue
        seen.setdefault((source, record_id), []).append((event, on))
    out = {}
    for key, evs in seen.items():
        withdrawn = any(e == "withdrawn" for e, _ in evs)
        lifted = min((d for e, d in evs if e == "lifted" and d is not None), default=None)
        revoked = max((d for e, d in evs if e == "revoked_repair" and d is not None), default=None)
        repaired = min(
            (
                d
                for e, d in evs
                if e == "repaired" and d is not None and (revoked is None or d > revoked)
            ),
            default=None,
        )
        out[key] = (withdrawn, lifted, repaired)
    return out


def _score(
    entities: pl.DataFrame,
    records: pl.DataFrame,
    events: pl.DataFrame | None,
    cat: Catalogue,
    t: date,
    known_at: datetime | None,
    contributions: bool,
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    usci, parent, natural = _entities(entities)
    heads, warnings = _heads(usci, parent, natural)
    eid_of = {u: i for i, u in enumerate(usci)}
    k = to_utc(known_at) if known_at is not None else None
    rules = _rules(cat)
    effects = _effects(events, k)
    cols = _columns(records, RECORD_SCHEMA, RECORD_SCHEMA)
    rows = zip(*cols.values(), strict=True)
    unknown = 0
    keys: set[tuple[str, str]] = set()
    kept: list[_Record] = []
    for (
        source,
        record_id,
        u,
        kind,
        tier,
        decided,
        authority,
        number,
        grade,
        black,
        red,
        ends,
        at,
    ) in rows:
        if decided is None or source is None or record_id is None:
            raise _Unsuitable
        _day(decided), _day(ends)
        if (source, record_id) in keys:
            raise _Unsuitable  # the general path's order between twins is not defined
        keys.add((source, record_id))
        if k is not None and (at if at is not None else _midnight_china(decided)) > k:
            continue
        rule = rules.rows.get((kind, grade if kind in rules.graded else tier))
        if rule is None:
            continue
        eid = eid_of.get(u) if u is not None else None
        if eid is None:
            unknown += 1
            continue
        withdrawn, lifted, repaired = effects.get((source, record_id), (False, None, None))
        if natural[eid] or withdrawn:
            continue
        period = rule["period_months"]
        end = _add_months(decided, period) if period is not None else None
        if end is not None and ends is not None and ends > end:
            end = ends
        candidates = [d for d in (end, lifted, repaired) if d is not None]
        end = min(candidates) if candidates else None
        kept.append(
            _Record(
                eid=eid,
                source=source,
                record_id=record_id,
                kind=kind,
                tier=rule["tier_eff"],
                decided_on=decided,
                end=end,
                points_h=rule["points_h"],
                rule=rule,
                black=bool(black),
                red=bool(red),
                authority=authority,
                decision_no=number,
                in_force=decided <= t and (end is None or t < end),
            )
        )
    if unknown:
        warnings.append(f"{unknown} records name an entity missing from the registry: skipped")
    lines = _lines(kept, heads, natural, cat)
    results = _results(kept, lines, usci, heads, natural, cat, t)
    if not contributions:
        return results, pl.DataFrame(schema=CONTRIBUTION_SCHEMA), warnings
    return results, _contribution_frame(lines, usci), warnings


#: A contribution line: (eid, role, from eid, points in hundredths, the record).
_Line = tuple[int, int, int, int, _Record]


def _lines(
    kept: list[_Record], heads: list[int], natural: list[bool], cat: Catalogue
) -> list[_Line]:
    """Counted records (rule 2: a minor one only after an own in-force serious one) as
    own lines, and the negative ones travelling to the rest of the organisation."""
    serious_since: dict[int, date] = {}
    for r in kept:
        if r.in_force and r.tier == "serious":
            was = serious_since.get(r.eid)
            serious_since[r.eid] = r.decided_on if was is None else min(was, r.decided_on)
    members: dict[int, list[int]] = {}
    for i, h in enumerate(heads):
        if not natural[i]:
            members.setdefault(h, []).append(i)
    w = cat.branches
    lines: list[_Line] = []
    for r in kept:
        if not r.in_force:
            continue
        if r.tier == "minor":
            since = serious_since.get(r.eid)
            if since is None or since > r.decided_on:
                continue
        lines.append((r.eid, _OWN, r.eid, r.points_h, r))
        if r.points_h >= 0:
            continue
        head = heads[r.eid]
        for to in members.get(head, ()):
            if to == r.eid:
                continue
            if r.eid == head:
                role, pct = _FROM_HEAD, w.to_branch_percent
            elif to == head:
                role, pct = _FROM_BRANCH, w.to_head_percent
            else:
                role, pct = _FROM_SIBLING, w.to_sibling_percent
            amount = -((-r.points_h * pct + 50) // 100)  # half away from zero
            if amount:
                lines.append((to, role, r.eid, amount, r))
    return lines


def _results(
    kept: list[_Record],
    lines: list[_Line],
    usci: list[str],
    heads: list[int],
    natural: list[bool],
    cat: Catalogue,
    t: date,
) -> pl.DataFrame:
    n = len(usci)
    own, received = [0] * n, [0] * n
    for eid, role, _, points, _ in lines:
        if role == _OWN:
            own[eid] += points
        else:
            received[eid] += points
    lists = cat.lists
    black, abnormal, flagged, qualifying, recent = ([False] * n for _ in range(5))
    next_change: dict[int, date] = {}
    for r in kept:
        esc = _add_months(r.decided_on, lists.abnormal_escalation_months)
        look = _add_months(r.decided_on, lists.red_lookback_months)
        rule, e = r.rule, r.eid
        if r.in_force:
            serious = r.tier == "serious"
            if (serious and (rule["black_kind"] or r.black)) or (
                rule["abnormal_kind"] and t >= esc
            ):
                black[e] = True
            if rule["abnormal_kind"]:
                abnormal[e] = True
            if rule["red_if_flagged"] and r.red:
                flagged[e] = True
            if rule["red_qualifying"]:
                qualifying[e] = True
        if r.tier in ("general", "serious") and r.decided_on <= t < look:
            recent[e] = True
        later = [d for d in (r.decided_on, r.end, esc, look) if d is not None and d > t]
        if later:
            head, first = heads[e], min(later)
            was = next_change.get(head)
            next_change[head] = first if was is None or first < was else was
    s = cat.score
    out: dict[str, list[Any]] = {name: [] for name in RESULT_SCHEMA}
    for i, u in enumerate(usci):
        person = natural[i]
        total = min(max(s.base * 100 + own[i] + received[i], s.floor * 100), s.ceiling * 100)
        points = (total + 50) // 100
        grade = cat.black_grade.grade if black[i] else _band(cat, points)
        red = not black[i] and (
            flagged[i] or (points >= lists.red_score_threshold and qualifying[i] and not recent[i])
        )
        out["usci"].append(u)
        out["as_of"].append(t)
        out["natural_person"].append(person)
        out["score"].append(None if person else points)
        out["grade"].append(None if person else grade)
        out["black"].append(not person and black[i])
        out["red"].append(not person and red)
        out["abnormal"].append(not person and abnormal[i])
        out["own_points_h"].append(None if person else own[i])
        out["received_points_h"].append(None if person else received[i])
        out["next_change"].append(None if person else next_change.get(heads[i]))
        out["catalogue_version"].append(cat.version)
    return pl.DataFrame(out, schema=RESULT_SCHEMA)


def _band(cat: Catalogue, points: int) -> str | None:
    for band in cat.grades:
        if band.min <= points <= band.max:
            return band.grade
    return None


def _contribution_frame(lines: list[_Line], usci: list[str]) -> pl.DataFrame:
    """The lines in the contribution table's one canonical order."""
    ordered = sorted(lines, key=lambda x: (x[0], x[1], x[2], x[4].source, x[4].record_id))
    out: dict[str, list[Any]] = {name: [] for name in CONTRIBUTION_SCHEMA}
    for eid, role, sender, points, r in ordered:
        out["usci"].append(usci[eid])
        out["record_source"].append(r.source)
        out["record_id"].append(r.record_id)
        out["from_usci"].append(usci[sender])
        out["role"].append(_ROLES[role])
        out["points_h"].append(points)
        out["ends_on"].append(r.end)
        out["kind"].append(r.kind)
        out["tier"].append(r.tier)
        out["authority"].append(r.authority)
        out["decision_no"].append(r.decision_no)
        out["decided_on"].append(r.decided_on)
    return pl.DataFrame(out, schema=CONTRIBUTION_SCHEMA)

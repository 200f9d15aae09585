"""Looking one organisation up: identity, score, lists and exactly why (DOMAIN.md §4, §7).

Two ways to the same answer:

- Today's public view (no ``as_of``, no ``known_at``) is read from the state the
  rescoring service materialised (``results``, ``contributions``, ``result_lists``
  and the records behind them): a handful of indexed queries, no kernel run
  (:func:`current_view`). It is served only while it is current: computed on or
  before today with the catalogue in force, and today before the organisation's
  next change date. Otherwise (a refresh not yet run, a list window missing) the
  kernel answers.
- Any other view is computed on the fly by the kernel from the organisation's
  records (head office and all branches): with a knowledge time the record
  versions and events recorded by then are used, so a past day's page is
  reproduced exactly. A test holds the two ways equal for today.

The public view (``public=True``, DOMAIN.md §7) shows names, the USCI and what it
encodes, status, region, head office and branches, score, grade, list memberships
with their grounds, every contributing line, and in-force records of published
tiers. It never shows minor records (their points are summed into one withheld
amount, so the lines still add up to the score), repaired, expired or withdrawn
records, addresses, fine amounts, or anything about a natural person beyond name
and USCI. ``public=False`` (the organisation's own representative) adds minor
records, the address and fine amounts.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit import ids
from corpcredit.catalogue import Catalogue
from corpcredit.errors import CorpCreditError, NotFound
from corpcredit.ids import Label
from corpcredit.scoring import (
    TOP_REASONS,
    ScoreOutput,
    change_dates,
    explain,
    prepare_records,
    score,
    score_timeline,
)
from corpcredit.scoring.explain import Line
from corpcredit.scoring.frames import CHINA_TZ, ROLE_ORDER, to_utc
from corpcredit.services.lists import LISTS, Ground, Window, list_windows, repair_date
from corpcredit.store.frames import KernelInputs, entity_version_at, load_frames
from corpcredit.store.prepared import Prepared
from corpcredit.store.schema import (
    contributions,
    entities,
    entity_aliases,
    record_events,
    record_versions,
    records,
    result_lists,
    results,
)

__all__ = [
    "ENTITY_NOT_FOUND",
    "ContributionLine",
    "EntityRef",
    "EntityView",
    "HistoryPoint",
    "Identity",
    "InvalidRange",
    "ListMembership",
    "RecordView",
    "current_view",
    "entity_view",
    "format_points",
    "history",
    "resolve",
    "to_jsonable",
]

ENTITY_NOT_FOUND = "entity.not_found"


class InvalidRange(CorpCreditError):
    code = "history.invalid_range"
    http_status = 422


@functools.lru_cache(maxsize=4096)  # a few dozen values, asked several times per view
def format_points(points_h: int) -> str:
    """Hundredths as a signed decimal: ``-4750`` → ``-47.50``, ``3000`` → ``+30.00``."""
    sign = "-" if points_h < 0 else "+" if points_h > 0 else ""
    return f"{sign}{abs(points_h) // 100}.{abs(points_h) % 100:02d}"


@dataclass(frozen=True)
class EntityRef:
    usci: str
    name: str
    name_en: str | None


@dataclass(frozen=True)
class Identity:
    """Who the entity is. ``formatted`` groups the USCI by meaning; ``authority`` and
    ``entity_type`` are what positions 1-2 encode; ``region`` is the GB/T 2260 name
    of the division code. For a natural person in the public view only ``usci``,
    ``formatted``, ``authority``, ``entity_type``, ``natural_person`` and ``name``
    are filled."""

    usci: str
    formatted: str
    authority: Label
    entity_type: Label
    natural_person: bool
    name: str
    name_en: str | None = None
    aliases: tuple[str, ...] = ()
    legal_form: str | None = None
    status: str | None = None
    registered_on: date | None = None
    division_code: str | None = None
    region: str | None = None
    address: str | None = None  # not public


@dataclass(frozen=True)
class RecordView:
    """A record in force. ``ends_on`` is its exclusive end (the first day it no longer
    counts; None: no automatic end); ``repair_from`` the earliest day a repair may
    be applied for; ``points_h`` its own points when it counts (None: it does not,
    e.g. a minor record before any serious one)."""

    source: str
    record_id: str
    kind: Label
    tier: Label
    grade: str | None
    decided_on: date
    authority: str
    decision_no: str | None
    legal_basis: str | None
    summary: str | None
    ends_on: date | None
    repair_from: date | None
    black: bool
    red: bool
    points_h: int | None
    amount_cny: Decimal | None = None  # not public

    @property
    def points(self) -> str | None:
        return None if self.points_h is None else format_points(self.points_h)


@dataclass(frozen=True)
class ContributionLine:
    """One line of the explanation. ``role`` is ``own``, ``from_branch``,
    ``from_head`` or ``from_sibling``; ``source_entity`` names the member whose
    record travelled (the entity itself for ``own``)."""

    record_source: str
    record_id: str
    role: str
    points_h: int
    ends_on: date | None
    kind: Label
    tier: Label
    authority: str | None
    decision_no: str | None
    decided_on: date
    source_entity: EntityRef

    @property
    def points(self) -> str:
        return format_points(self.points_h)


@dataclass(frozen=True)
class ListMembership:
    """Being on one list: since when, until when if nothing changes, from when it can
    be repaired, under which legal bases, and the records behind it (``grounds``
    says by which rule each one counts)."""

    list: str
    entered_on: date
    scheduled_exit: date | None
    earliest_repair: date | None
    legal_basis: tuple[str, ...]
    grounds: tuple[Ground, ...]
    records: tuple[RecordView, ...]


@dataclass(frozen=True)
class EntityView:
    """Everything the organisation page, the API and ``corpcredit show`` present.

    ``top_reasons`` are the four most negative lines; ``lines`` every line, the top
    ones first. ``withheld_points_h`` sums the lines left out of a public view
    (minor records), so ``own + received == sum(lines) + withheld``.
    Score fields are None and tuples empty for natural persons.
    """

    identity: Identity
    as_of: date
    known_at: datetime | None
    public: bool
    catalogue_version: str
    head_office: EntityRef | None = None
    parent: EntityRef | None = None
    branches: tuple[EntityRef, ...] = ()
    score: int | None = None
    grade: Label | None = None
    black: bool = False
    red: bool = False
    abnormal: bool = False
    own_points_h: int | None = None
    received_points_h: int | None = None
    withheld_points_h: int = 0
    next_change: date | None = None
    lists: tuple[ListMembership, ...] = ()
    top_reasons: tuple[ContributionLine, ...] = ()
    lines: tuple[ContributionLine, ...] = ()
    records: tuple[RecordView, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryPoint:
    """The state from ``on`` until the next point."""

    on: date
    score: int | None
    grade: str | None
    black: bool
    red: bool
    abnormal: bool


def to_jsonable(value: Any) -> Any:
    """Dataclasses, dates and decimals as JSON-ready values (formatted points added)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if "points_h" in out:
            out["points"] = to_jsonable(getattr(value, "points", None))
        return out
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def _today() -> date:
    return datetime.now(CHINA_TZ).date()


def resolve(conn: Connection, usci: str) -> tuple[ids.UsciInfo, dict[str, Any]]:
    """The parsed identifier and the entity's row; raises ``InvalidIdentifier`` for an
    invalid USCI (the identifier module's reason) and ``NotFound`` for an unknown one."""
    info = ids.parse(usci)
    row = conn.execute(sa.select(entities).where(entities.c.usci == info.usci)).mappings().first()
    if row is None:
        raise NotFound(
            f"{info.usci} is not in the registry",
            code=ENTITY_NOT_FOUND,
            details={"usci": info.usci},
        )
    return info, dict(row)


_ALIASES = (
    sa.select(entity_aliases.c.alias)
    .where(entity_aliases.c.usci == sa.bindparam("usci"))
    .order_by(entity_aliases.c.alias)
)


def _identity(conn: Connection, info: ids.UsciInfo, row: dict[str, Any], public: bool) -> Identity:
    person = bool(row["natural_person"])
    if public and person:
        return Identity(
            usci=info.usci,
            formatted=ids.format(info.usci),
            authority=info.authority,
            entity_type=info.entity_type,
            natural_person=person,
            name=row["name"],
        )
    aliases = row.get("aliases")
    if aliases is None:
        aliases = conn.execute(_ALIASES, {"usci": info.usci}).scalars()
    division = row["division_code"] or info.division_code
    return Identity(
        usci=info.usci,
        formatted=ids.format(info.usci),
        authority=info.authority,
        entity_type=info.entity_type,
        natural_person=person,
        name=row["name"],
        name_en=row["name_en"],
        aliases=tuple(aliases),
        legal_form=row["legal_form"],
        status=row["status"],
        registered_on=row["registered_on"],
        division_code=division,
        region=ids.division_full_name(division),
        address=None if public else row["address"],
    )


def _version_at(known_at: datetime) -> sa.ColumnElement[bool]:
    """``record_versions`` rows that were the current version at ``known_at``."""
    rv, later = record_versions, record_versions.alias("later")
    newest = (
        sa.select(sa.func.max(later.c.version))
        .where(later.c.record_pk == rv.c.record_pk, later.c.recorded_at <= known_at)
        .scalar_subquery()
    )
    return rv.c.version == newest


def _load(conn: Connection, usci: str, known_at: datetime | None) -> KernelInputs:
    """The organisation's kernel inputs; with ``known_at``, the record versions of then."""
    return load_frames(conn, [usci], known_at=known_at)


def _details(conn: Connection, usci: str, known_at: datetime | None) -> dict[tuple[str, str], Any]:
    """Display fields the kernel does not read, for the entity's own records."""
    t = records if known_at is None else record_versions
    cond = [t.c.usci == usci] + ([] if known_at is None else [_version_at(known_at)])
    q = sa.select(t.c.source, t.c.record_id, t.c.legal_basis, t.c.summary, t.c.amount_cny)
    return {(r.source, r.record_id): r for r in conn.execute(q.where(*cond))}


def _label(code: str, label: Any) -> Label:
    return _named(code, label.en, label.zh)


@functools.lru_cache(maxsize=1024)  # the catalogue's few dozen, met on every view
def _named(code: str, en: str, zh: str) -> Label:
    return Label(code=code, en=en, zh=zh)


def _kind(cat: Catalogue, kind: str) -> Label:
    return _label(kind, cat.kinds[kind].label)


def _tier(cat: Catalogue, tier: str) -> Label:
    return _label(tier, cat.tiers[tier].label) if tier in cat.tiers else Label(tier, tier, tier)


def _published(cat: Catalogue, tier: str | None) -> bool:
    return tier is not None and tier in cat.tiers and cat.tiers[tier].published


def _grade(cat: Catalogue, grade: str | None) -> Label | None:
    if not grade:
        return None
    if grade == cat.black_grade.grade:
        return _label(grade, cat.black_grade.label)
    band = next((g for g in cat.grades if g.grade == grade), None)
    return _label(grade, band.label) if band else Label(grade, grade, grade)


def entity_view(
    conn: Connection,
    usci: str,
    *,
    as_of: date | None = None,
    known_at: datetime | None = None,
    cat: Catalogue,
    public: bool = True,
) -> EntityView:
    """What the registry shows about ``usci`` at ``as_of`` (default: today in China,
    or the day of ``known_at``), knowing what was recorded by ``known_at``.

    Today's public view comes from the materialised state when it is current
    (:func:`current_view`), any other from the kernel."""
    if as_of is None and known_at is None and public:
        current = current_view(conn, usci, cat)
        if current is not None:
            return current
    info, row = resolve(conn, usci)
    known = to_utc(known_at) if known_at is not None else None
    if known is not None:  # names, status and parent as they were known then
        row = {**row, **(entity_version_at(conn, info.usci, known) or {})}
    t = as_of or (known.astimezone(CHINA_TZ).date() if known is not None else _today())
    view = EntityView(
        identity=_identity(conn, info, row, public),
        as_of=t,
        known_at=known,
        public=public,
        catalogue_version=cat.version,
    )
    if row["natural_person"]:
        return view  # never scored, never listed (DOMAIN.md §1)
    inputs = _load(conn, info.usci, known)
    out = score(inputs.entities, inputs.records, inputs.events, cat, t, known)
    result = out.results.filter(pl.col("usci") == info.usci).row(0, named=True)
    prepared = prepare_records(inputs.records, inputs.events, cat, known).collect()
    # In record-key order: list grounds starting on the same day keep that order.
    own = prepared.filter(pl.col("usci") == info.usci).sort("source", "record_id")
    refs = {
        r["usci"]: EntityRef(r["usci"], r["name"], r["name_en"])
        for r in inputs.entities.iter_rows(named=True)
    }
    recs = _record_views(conn, own, out, info.usci, t, known, cat, public)
    hidden = _repaired(inputs.events, known) if public else set()
    if hidden:  # DOMAIN.md §7: a repaired record is never public, not even in a past view
        recs = [r for r in recs if (r.source, r.record_id) not in hidden]
    lines, top, withheld = _lines(out, info.usci, refs, cat, public, hidden)
    return replace(
        view,
        **_organisation(inputs.entities, info.usci, refs),
        score=result["score"],
        grade=_grade(cat, result["grade"]),
        black=result["black"],
        red=result["red"],
        abnormal=result["abnormal"],
        own_points_h=result["own_points_h"],
        received_points_h=result["received_points_h"],
        withheld_points_h=withheld,
        next_change=result["next_change"],
        lists=_memberships(inputs, own, result, recs, cat, t, known),
        top_reasons=top,
        lines=lines,
        records=tuple(r for r in recs if not public or _published(cat, r.tier.code)),
        warnings=tuple(out.warnings),
    )


def _organisation(ents: pl.DataFrame, usci: str, refs: dict[str, EntityRef]) -> dict[str, Any]:
    me = ents.filter(pl.col("usci") == usci).row(0, named=True)
    head = me["head_usci"]
    branches = ents.filter(
        (pl.col("head_usci") == head)
        & (pl.col("usci") != head)
        & (pl.col("usci") != usci)
        & ~pl.col("natural_person")
    ).sort("usci")
    return {
        "head_office": refs.get(head) if head != usci else None,
        "parent": refs.get(me["parent_usci"]) if me["parent_usci"] else None,
        "branches": tuple(refs[u] for u in branches.get_column("usci")),
    }


def _record_views(
    conn: Connection,
    own: pl.DataFrame,
    out: ScoreOutput,
    usci: str,
    t: date,
    known: datetime | None,
    cat: Catalogue,
    public: bool,
) -> list[RecordView]:
    """The entity's records in force at ``t``, newest first (all tiers)."""
    in_force = own.filter(
        (pl.col("decided_on") <= t) & (pl.col("end").is_null() | (pl.col("end") > t))
    ).sort(["decided_on", "source", "record_id"], descending=[True, False, False])
    points = {
        (r["record_source"], r["record_id"]): r["points_h"]
        for r in out.contributions.filter(
            (pl.col("usci") == usci) & (pl.col("role") == "own")
        ).iter_rows(named=True)
    }
    details = _details(conn, usci, known)
    views = []
    for r in in_force.iter_rows(named=True):
        key = (r["source"], r["record_id"])
        d = details.get(key)
        views.append(
            RecordView(
                source=r["source"],
                record_id=r["record_id"],
                kind=_kind(cat, r["kind"]),
                tier=_tier(cat, r["tier_eff"]),
                grade=r["grade"] if r["graded"] else None,
                decided_on=r["decided_on"],
                authority=r["authority"],
                decision_no=r["decision_no"],
                legal_basis=d.legal_basis if d else None,
                summary=d.summary if d else None,
                ends_on=r["end"],
                repair_from=repair_date(r["kind"], r["tier_eff"], r["decided_on"], cat),
                black=bool(r["black"]),
                red=bool(r["red"]),
                points_h=points.get(key),
                amount_cny=None if public or d is None else d.amount_cny,
            )
        )
    return views


def _repaired(events: pl.DataFrame, known: datetime | None) -> set[tuple[str, str]]:
    """Records repaired (and not restored since), as known at ``known``: the rule of
    :func:`_repaired_now` over the kernel path's event frame."""
    ev = events.filter(pl.col("event").is_in(list(_REPAIR_EVENTS)))
    if known is not None:
        ev = ev.filter(pl.col("recorded_at") <= known)
    return _repaired_now([SimpleNamespace(**e) for e in ev.iter_rows(named=True)])


def _lines(
    out: ScoreOutput, usci: str, refs: dict[str, EntityRef], cat: Catalogue, public: bool,
    hidden: set[tuple[str, str]] | None = None,
) -> tuple[tuple[ContributionLine, ...], tuple[ContributionLine, ...], int]:  # fmt: skip
    """Every contributing line (top reasons first), the top four, and the withheld sum
    (of the lines not shown publicly: minor tiers, and ``hidden`` records)."""
    contrib = out.contributions.filter(pl.col("usci") == usci)
    shown = contrib
    if public:
        published = [t for t in cat.tiers if _published(cat, t)]
        shown = contrib.filter(pl.col("tier").is_in(published))
        if hidden:
            keys = pl.DataFrame(
                [list(k) for k in hidden], schema=["record_source", "record_id"], orient="row"
            )
            shown = shown.join(keys, on=["record_source", "record_id"], how="anti")
    withheld = int(contrib["points_h"].sum()) - int(shown["points_h"].sum())
    ex = explain(ScoreOutput(out.results, shown), usci)

    def line(x: Line) -> ContributionLine:
        return ContributionLine(
            record_source=x.record_source,
            record_id=x.record_id,
            role=x.role,
            points_h=x.points_h,
            ends_on=x.ends_on,
            kind=_kind(cat, x.kind),
            tier=_tier(cat, x.tier),
            authority=x.authority,
            decision_no=x.decision_no,
            decided_on=x.decided_on,
            source_entity=refs.get(x.from_usci) or EntityRef(x.from_usci, x.from_usci, None),
        )

    return tuple(map(line, ex.lines)), tuple(map(line, ex.top)), withheld


def _memberships(
    inputs: KernelInputs,
    own: pl.DataFrame,
    result: dict[str, Any],
    recs: list[RecordView],
    cat: Catalogue,
    t: date,
    known: datetime | None,
) -> tuple[ListMembership, ...]:
    """The lists the kernel put the entity on, with entry, exit, repair and grounds."""
    on = [w for w in LISTS if result[w]]
    windows = list_windows(own, cat, t, on)
    if "red" in windows:
        windows["red"] = _red_window(inputs, windows["red"], result["usci"], cat, t, known)
    by_key = {(r.source, r.record_id): r for r in recs}
    out = []
    for which in on:
        w = windows.get(which) or Window(which, t, None, None, ())
        behind = tuple(
            by_key[(g.source, g.record_id)] for g in w.grounds if (g.source, g.record_id) in by_key
        )
        bases = tuple(dict.fromkeys(r.legal_basis for r in behind if r.legal_basis))
        out.append(
            ListMembership(
                which, w.entered_on, w.scheduled_exit, w.earliest_repair, bases, w.grounds, behind
            )
        )
    return tuple(out)


def _red_window(
    inputs: KernelInputs, approx: Window, usci: str, cat: Catalogue, t: date, known: datetime | None
) -> Window:
    """The exact red-list stretch around ``t``. Red also depends on the score, so the
    kernel is asked, day of change by day of change, backwards from ``t`` until the
    entity was not red and forwards until it will not be (seeing only the records
    decided by ``t``: a schedule cannot know later decisions)."""
    recs = inputs.records.filter(pl.col("decided_on") <= t)
    if recs.is_empty():
        return approx
    ends = prepare_records(recs, inputs.events, cat, known).collect().get_column("end")
    start = recs.get_column("decided_on").min()
    horizon = max(t, ends.max() or t)
    assert isinstance(start, date) and isinstance(horizon, date)
    dates = change_dates(recs, inputs.events, cat, start, horizon, known)

    def red_on(day: date) -> bool:
        out = score(inputs.entities, recs, inputs.events, cat, day, known)
        return bool(out.results.filter(pl.col("usci") == usci).get_column("red")[0])

    entered = t
    for day in reversed([d for d in dates if d < t]):  # each state holds until the next day
        if not red_on(day):
            break
        entered = day
    exit_ = next((d for d in dates if d > t and not red_on(d)), None)
    return replace(approx, entered_on=entered, scheduled_exit=exit_)


# -- today's view from the materialised state ---------------------------------------

#: The tier the kernel counts only after a serious record (DOMAIN.md §4 rule 2). Its
#: uncounted records are in no materialised table, so today's view is read from the
#: materialised state only while that tier is not published.
_GATED_TIER = "minor"

_CURRENT = (
    sa.select(
        *[
            entities.c[c]
            for c in (
                "usci",
                "name",
                "name_en",
                "legal_form",
                "status",
                "registered_on",
                "address",
                "natural_person",
                "division_code",
                "head_usci",
                "parent_usci",
            )
        ],
        results.c.as_of,
        results.c.score,
        results.c.grade,
        results.c.black,
        results.c.red,
        results.c.abnormal,
        results.c.own_points_h,
        results.c.received_points_h,
        results.c.next_change,
        results.c.catalogue_version,
        entity_aliases.c.alias,
    )
    # One row per alias (one without): ordered as the kernel path reads them.
    .select_from(
        entities.outerjoin(results, results.c.usci == entities.c.usci).outerjoin(
            entity_aliases, entity_aliases.c.usci == entities.c.usci
        )
    )
    .where(entities.c.usci == sa.bindparam("usci"))
    .order_by(entity_aliases.c.alias)
)
_MEMBERS = sa.select(
    entities.c.usci,
    entities.c.name,
    entities.c.name_en,
    entities.c.natural_person,
).where(entities.c.head_usci == sa.bindparam("head"))
_REPAIR_EVENTS = ("repaired", "revoked_repair")
# The constants written into the SQL: a prepared statement has no expanding IN.
_IS_REPAIR_EVENT = record_events.c.event.in_([sa.literal_column(f"'{e}'") for e in _REPAIR_EVENTS])
_LINES = (
    sa.select(
        contributions.c.record_source,
        contributions.c.record_id,
        contributions.c.from_usci,
        contributions.c.role,
        contributions.c.points_h,
        contributions.c.ends_on,
        contributions.c.kind,
        contributions.c.tier,
        records.c.authority,
        records.c.decision_no,
        records.c.decided_on,
        records.c.grade,
        records.c.legal_basis,
        records.c.summary,
        records.c.black,
        records.c.red,
        sa.exists()
        .where(
            record_events.c.source == contributions.c.record_source,
            record_events.c.record_id == contributions.c.record_id,
            _IS_REPAIR_EVENT,
        )
        .label("repair_events"),
    )
    .select_from(
        contributions.join(
            records,
            sa.and_(
                records.c.source == contributions.c.record_source,
                records.c.record_id == contributions.c.record_id,
            ),
        )
    )
    .where(contributions.c.usci == sa.bindparam("usci"))
)
_WINDOWS = sa.select(
    result_lists.c.list,
    result_lists.c.entered_on,
    result_lists.c.scheduled_exit,
    result_lists.c.earliest_repair,
    result_lists.c.grounds,
).where(result_lists.c.usci == sa.bindparam("usci"))


_REPAIRS = (
    sa.select(
        record_events.c.source,
        record_events.c.record_id,
        record_events.c.event,
        record_events.c.effective_on,
        record_events.c.recorded_at,
    )
    .select_from(
        record_events.join(
            contributions,
            sa.and_(
                contributions.c.record_source == record_events.c.source,
                contributions.c.record_id == record_events.c.record_id,
            ),
        )
    )
    .where(
        contributions.c.usci == sa.bindparam("usci"),
        _IS_REPAIR_EVENT,
    )
)

# Today's view reads these for every page: compiled once, run on SQLite's cursor.
_READ_CURRENT, _READ_MEMBERS, _READ_LINES, _READ_WINDOWS, _READ_REPAIRS = (
    Prepared(_CURRENT),
    Prepared(_MEMBERS),
    Prepared(_LINES),
    Prepared(_WINDOWS),
    Prepared(_REPAIRS),
)


def _repaired_now(events: Sequence[Any]) -> set[tuple[str, str]]:
    """Records whose latest repair decision stands (not revoked), even one taking
    effect later: never public (DOMAIN.md §7), as the kernel path hides them."""
    latest: dict[tuple[str, str], Any] = {}
    for e in sorted(events, key=lambda e: (e.recorded_at, e.effective_on)):
        latest[(e.source, e.record_id)] = e
    return {k for k, e in latest.items() if e.event == "repaired"}


def _current(row: Any, cat: Catalogue, t: date) -> bool:
    """Whether the materialised result holds today: computed by today with this
    catalogue, and nothing of the organisation changes between then and today."""
    return (
        row.as_of is not None
        and row.as_of <= t
        and (row.next_change is None or t < row.next_change)
        and row.catalogue_version == cat.version
        and not _published(cat, _GATED_TIER)
    )


def current_view(
    conn: Connection, usci: str, cat: Catalogue, *, today: date | None = None
) -> EntityView | None:
    """Today's public view of ``usci`` from the materialised state, without the kernel;
    None when that state does not hold today (see the module docstring). Raises as
    :func:`resolve` does for an invalid or unknown identifier."""
    info = ids.parse(usci)
    t = today or _today()
    rows = _READ_CURRENT.rows(conn, {"usci": info.usci})
    if not rows:
        raise NotFound(
            f"{info.usci} is not in the registry",
            code=ENTITY_NOT_FOUND,
            details={"usci": info.usci},
        )
    row = rows[0]
    person = bool(row.natural_person)
    if not person and not _current(row, cat, t):
        return None
    identity = _identity(
        conn,
        info,
        {**row._asdict(), "aliases": [r.alias for r in rows if r.alias is not None]},
        True,
    )
    if person:  # never scored, never listed (DOMAIN.md §1)
        return EntityView(identity, t, None, True, cat.version)
    members = _READ_MEMBERS.rows(conn, {"head": row.head_usci})
    refs = {m.usci: EntityRef(m.usci, m.name, m.name_en) for m in members}
    lines = _READ_LINES.rows(conn, {"usci": info.usci})
    hidden = (
        _repaired_now(_READ_REPAIRS.rows(conn, {"usci": info.usci}))
        if any(x.repair_events for x in lines)
        else set()
    )
    recs = [r for r in _materialised_records(lines, cat) if (r.source, r.record_id) not in hidden]
    on = [w for w in LISTS if getattr(row, w)]
    lists = _materialised_lists(conn, info.usci, on, recs, hidden) if on else ()
    if lists is None:
        return None
    shown, top, withheld = _materialised_lines(lines, refs, cat, hidden)
    # Built in one go: dataclasses.replace costs as much as a read here.
    return EntityView(
        identity=identity,
        as_of=t,
        known_at=None,
        public=True,
        catalogue_version=cat.version,
        **_materialised_organisation(row, members, refs),
        score=row.score,
        grade=_grade(cat, row.grade),
        black=bool(row.black),
        red=bool(row.red),
        abnormal=bool(row.abnormal),
        own_points_h=row.own_points_h,
        received_points_h=row.received_points_h,
        withheld_points_h=withheld,
        next_change=row.next_change,
        lists=lists,
        top_reasons=top,
        lines=shown,
        records=tuple(r for r in recs if _published(cat, r.tier.code)),
    )


def _materialised_organisation(
    row: Any, members: Sequence[Any], refs: dict[str, EntityRef]
) -> dict[str, Any]:
    """Head office, parent and branches, as :func:`_organisation` gives them."""
    me, head = row.usci, row.head_usci
    branches = sorted(m.usci for m in members if m.usci not in (head, me) and not m.natural_person)
    return {
        "head_office": refs.get(head) if head != me else None,
        "parent": refs.get(row.parent_usci) if row.parent_usci else None,
        "branches": tuple(refs[u] for u in branches),
    }


def _materialised_records(lines: Sequence[Any], cat: Catalogue) -> list[RecordView]:
    """The entity's records in force (every one it counts), newest first, as
    :func:`_record_views` gives them."""
    views = [
        RecordView(
            source=x.record_source,
            record_id=x.record_id,
            kind=_kind(cat, x.kind),
            tier=_tier(cat, x.tier),
            grade=x.grade if cat.kinds[x.kind].graded else None,
            decided_on=x.decided_on,
            authority=x.authority,
            decision_no=x.decision_no,
            legal_basis=x.legal_basis,
            summary=x.summary,
            ends_on=x.ends_on,
            repair_from=repair_date(x.kind, x.tier, x.decided_on, cat),
            black=bool(x.black),
            red=bool(x.red),
            points_h=x.points_h,
        )
        for x in lines
        if x.role == "own"
    ]
    views.sort(key=lambda r: (r.source, r.record_id))
    views.sort(key=lambda r: r.decided_on, reverse=True)
    return views


def _materialised_lines(
    lines: Sequence[Any], refs: dict[str, EntityRef], cat: Catalogue, hidden: set[tuple[str, str]]
) -> tuple[tuple[ContributionLine, ...], tuple[ContributionLine, ...], int]:
    """The public lines (top reasons first), the top four and the withheld sum, as
    :func:`_lines` gives them: the kernel's order, then the explanation's ranking."""
    shown = [
        x for x in lines if _published(cat, x.tier) and (x.record_source, x.record_id) not in hidden
    ]
    withheld = sum(x.points_h for x in lines) - sum(x.points_h for x in shown)
    shown.sort(key=lambda x: (ROLE_ORDER[x.role], x.from_usci, x.record_source, x.record_id))
    negative = [x for x in shown if x.points_h < 0]
    negative.sort(key=lambda x: (x.record_source, x.record_id, x.from_usci))
    negative.sort(key=lambda x: x.decided_on, reverse=True)
    negative.sort(key=lambda x: x.points_h)
    top = negative[:TOP_REASONS]
    rest = [x for x in shown if not any(x is y for y in top)]

    def line(x: Any) -> ContributionLine:
        return ContributionLine(
            record_source=x.record_source,
            record_id=x.record_id,
            role=x.role,
            points_h=x.points_h,
            ends_on=x.ends_on,
            kind=_kind(cat, x.kind),
            tier=_tier(cat, x.tier),
            authority=x.authority,
            decision_no=x.decision_no,
            decided_on=x.decided_on,
            source_entity=refs.get(x.from_usci) or EntityRef(x.from_usci, x.from_usci, None),
        )

    return tuple(map(line, top + rest)), tuple(map(line, top)), withheld


def _day_or_none(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _materialised_lists(
    conn: Connection,
    usci: str,
    on: list[str],
    recs: list[RecordView],
    hidden: set[tuple[str, str]],
) -> tuple[ListMembership, ...] | None:
    """The memberships from ``result_lists``, as :func:`_memberships` gives them (the
    ``hidden`` records left out); None when a list has no window there or a ground is
    not among the counted records."""
    windows = {w.list: w for w in _READ_WINDOWS.rows(conn, {"usci": usci})}
    by_key = {(r.source, r.record_id): r for r in recs}
    out = []
    for which in on:
        w = windows.get(which)
        if w is None:
            return None
        grounds = tuple(
            Ground(
                source=g["source"],
                record_id=g["record_id"],
                rule=g["rule"],
                entered_on=date.fromisoformat(g["entered_on"]),
                ends_on=_day_or_none(g["ends_on"]),
                repair_from=_day_or_none(g["repair_from"]),
            )
            for g in (json.loads(w.grounds) if isinstance(w.grounds, str) else w.grounds)
        )
        keys = [(g.source, g.record_id) for g in grounds if (g.source, g.record_id) not in hidden]
        if any(k not in by_key for k in keys):
            return None
        behind = tuple(by_key[k] for k in keys)
        bases = tuple(dict.fromkeys(r.legal_basis for r in behind if r.legal_basis))
        out.append(
            ListMembership(
                which, w.entered_on, w.scheduled_exit, w.earliest_repair, bases, grounds, behind
            )
        )
    return tuple(out)


def history(
    conn: Connection,
    usci: str,
    start: date,
    end: date,
    cat: Catalogue,
    *,
    known_at: datetime | None = None,
) -> list[HistoryPoint]:
    """Score, grade and list status from ``start`` to ``end``: one point per change
    (and one at each end of the range). Empty for natural persons."""
    if start > end:
        raise InvalidRange(
            f"the history range starts ({start}) after it ends ({end})",
            details={"from": start.isoformat(), "to": end.isoformat()},
        )
    info, row = resolve(conn, usci)
    if row["natural_person"]:
        return []
    known = to_utc(known_at) if known_at is not None else None
    inputs = _load(conn, info.usci, known)
    dates = change_dates(inputs.records, inputs.events, cat, start, end, known)
    tl = score_timeline(inputs.entities, inputs.records, inputs.events, cat, dates, known)
    rows = tl.results.filter(pl.col("usci") == info.usci).sort("as_of")
    points: list[HistoryPoint] = []
    for r in rows.iter_rows(named=True):
        p = HistoryPoint(r["as_of"], r["score"], r["grade"], r["black"], r["red"], r["abnormal"])
        # Only days on which something visible changes (the range's ends always).
        if points and replace(points[-1], on=p.on) == p and p.on != end:
            continue
        points.append(p)
    return points

"""The scoring kernel: one pure function over Polars tables (DOMAIN.md §4–5).

Every engine calls :func:`score` — the service on one organisation, the in-process
bulk runner on shards of the registry, the Spark runner on Arrow batches — so the
rules live here once. All points are integer hundredths; rounding happens once, on
the clamped total, half-up.

The steps, in the order of DOMAIN.md §4:

1. what is seen (knowledge time) and what is withdrawn, lifted, repaired;
2. each record's end and whether it is in force at ``as_of``;
3. minor-record gating on the entity's own in-force serious records;
4. own points, and negative points travelling inside the organisation;
5. clamp, round, grade; the black, abnormal and red lists;
6. the next date on which anything of the organisation changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import polars as pl

from corpcredit.catalogue import Catalogue
from corpcredit.scoring.frames import (
    CONTRIBUTION_SCHEMA,
    ENTITY_SCHEMA,
    EVENT_SCHEMA,
    RECORD_SCHEMA,
    RESULT_SCHEMA,
    ROLE_ORDER,
    conform,
    conformed,
    midnight_china,
    to_utc,
)
from corpcredit.scoring.keys import maybe_matching
from corpcredit.scoring.org import head_indices
from corpcredit.scoring.rules import per_catalogue, rule_row, rules_frame
from corpcredit.scoring.small import score_small

__all__ = ["ScoreOutput", "prepare_records", "score", "sorted_by_usci"]

Frame = pl.DataFrame | pl.LazyFrame


@dataclass(frozen=True)
class ScoreOutput:
    """Per-entity results and per-record contributions, with any warnings."""

    results: pl.DataFrame
    contributions: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    #: With ``score(..., keep_prepared=True)``: :func:`prepare_records` of every record
    #: (withdrawn ones too, flagged ``withdrawn``) as the kernel saw them, for a caller
    #: that needs them again, and ``eid``: the row of ``results`` of each record's
    #: entity (null: not in the registry). None where the kernel did not prepare them
    #: in one frame.
    prepared: pl.DataFrame | None = None


# Beyond this many (day, month count) pairs the table would cost more than it saves.
_MONTH_TABLE_LIMIT = 2_000_000


def _add_months(
    dates: pl.Series, months: pl.Series | int, *, table: bool | None = None
) -> pl.Series:
    """Calendar-month arithmetic clipped to the month's end (2025-01-31 + 1 = 02-28).

    Millions of records share a few thousand decision days and a handful of periods,
    and Polars' month offset is costly per row (more so with a per-row period, which
    it reads as text). So each (day, months) pair in range is computed once, in a
    dense table, and every row gathers its value by position. The table serves only
    within :data:`_MONTH_TABLE_LIMIT`; ``table``: use it there (True) or never
    (False); by default, when it is smaller than the rows.
    """
    n = len(dates)
    days = dates.cast(pl.Int32)
    # Series reductions, not a select: a few rows (one organisation) pay a query each.
    d_lo, d_hi = days.min(), days.max()
    m = None if isinstance(months, int) else months.cast(pl.Int32)
    m_lo, m_hi = (months, months) if m is None else (m.min(), m.max())
    if d_lo is None or m_lo is None:
        return pl.Series(dates.name, [None] * n, dtype=pl.Date)
    assert isinstance(d_lo, int) and isinstance(d_hi, int)
    assert isinstance(m_lo, int) and isinstance(m_hi, int)
    width = m_hi - m_lo + 1
    size = (d_hi - d_lo + 1) * width
    if size > _MONTH_TABLE_LIMIT or not (size <= n if table is None else table):
        if m is None:
            return dates.dt.offset_by(f"{months}mo")
        frame = pl.DataFrame({"day": days, "m": m})
        per_row = pl.col("day").cast(pl.Date).dt.offset_by(pl.format("{}mo", "m"))
        return frame.select(per_row).to_series().alias(dates.name)
    i = pl.int_range(size, dtype=pl.Int64)
    offsets = pl.select(
        (i // width + d_lo)
        .cast(pl.Int32)
        .cast(pl.Date)
        .dt.offset_by(pl.format("{}mo", i % width + m_lo))
    ).to_series()
    at = (days.cast(pl.Int64) - d_lo) * width
    if m is not None:
        at = at + (m - m_lo)
    return offsets.gather(at).alias(dates.name)


def _entities_frame(entities: Frame) -> pl.DataFrame:
    """Entities in :data:`ENTITY_SCHEMA` with ``natural_person`` (given, or from the
    usci), sorted by usci."""
    return _sorted_entities(entities, with_order=False)[0]


def _sorted_entities(
    entities: Frame, *, with_order: bool, parents: bool = True
) -> tuple[pl.DataFrame, pl.Series | None]:
    """:func:`_entities_frame`, and with ``with_order`` the row of ``entities`` each
    row came from (None otherwise). Without ``parents``, ``parent_usci`` is left out
    (a caller that has the head offices already need not reorder a million of them).
    """
    if isinstance(entities, pl.DataFrame):
        names = entities.columns
    else:
        names = entities.collect_schema().names()
    np_expr = pl.col("usci").cast(pl.Utf8).str.slice(0, 2) == "92"
    if "natural_person" in names:
        np_expr = pl.coalesce(pl.col("natural_person").cast(pl.Boolean), np_expr)
    schema = ENTITY_SCHEMA if parents else {"usci": ENTITY_SCHEMA["usci"]}
    query = entities.lazy().select(*conformed(names, schema), np_expr.alias("natural_person"))
    if not with_order and isinstance(entities, pl.DataFrame) and entities.height < _KEYED_SORT_FROM:
        return query.sort("usci").collect(), None
    frame = query.collect()
    usci = frame.get_column("usci")
    if usci.null_count() == 0 and usci.is_sorted():  # as a caller that sorted them gives
        same = pl.int_range(frame.height, dtype=pl.UInt32, eager=True)
        return frame, same if with_order else None
    order = _usci_order(usci) if frame.height >= _KEYED_SORT_FROM else None
    if order is None:
        if not with_order:
            return frame.sort("usci"), None
        order = usci.arg_sort()
    return frame.gather(order), order if with_order else None


def _heads_in_order(rows: np.ndarray, order: pl.Series) -> np.ndarray:
    """Head offices found for entities in their given order (``rows``: the head's row
    of each) as rows of the same entities reordered by ``order`` (the given row of each
    new one)."""
    at = order.to_numpy().astype(np.int64)
    new_row = np.empty(len(at), dtype=np.int64)
    new_row[at] = np.arange(len(at), dtype=np.int64)
    heads: np.ndarray = new_row[rows[at]]
    return heads


# From this many entities the usci order is found by integer keys (:func:`_usci_order`).
_KEYED_SORT_FROM = 10_000
_USCI_BYTES = 18


def sorted_by_usci(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` in the order of its ``usci`` column (as ``frame.sort("usci")``), by
    integer keys (:func:`_usci_order`) where that is cheaper."""
    order = _usci_order(frame.get_column("usci")) if frame.height >= _KEYED_SORT_FROM else None
    return frame.sort("usci") if order is None else frame.gather(order)


def _usci_order(usci: pl.Series) -> pl.Series | None:
    """The row order that sorts ``usci`` when every value has 18 bytes; else None.

    Polars orders text by its bytes. Eighteen bytes read as two big-endian 64-bit
    integers and a 16-bit one order alike, and sorting three integer columns costs
    under half of sorting the text (a million: 0.41 s of processor time against 0.96 s).
    """
    if usci.null_count() or not (usci.str.len_bytes() == _USCI_BYTES).all():
        return None
    b = pl.col("b")

    def word(start: int, width: int, dtype: pl.DataType) -> pl.Expr:
        return b.bin.slice(start, width).bin.reinterpret(dtype=dtype, endianness="big")

    keys = pl.DataFrame({"b": usci.cast(pl.Binary)}).select(
        word(0, 8, pl.UInt64()).alias("k0"),
        word(8, 8, pl.UInt64()).alias("k1"),
        word(16, 2, pl.UInt16()).alias("k2"),
    )
    return keys.with_row_index("_i").sort("k0", "k1", "k2").get_column("_i")


def prepare_records(
    records: Frame,
    events: Frame | None,
    cat: Catalogue,
    known_at: datetime | None,
    *,
    drop_withdrawn: bool = True,
) -> pl.LazyFrame:
    """Records as seen at ``known_at``, with rule columns and their final end date.

    Withdrawn records are dropped (retroactively, once seen). The end is the earliest
    of the default end (``ends_on`` when strictly later), the first lift, and the first
    repair not cancelled by a later-or-same-day ``revoked_repair``.

    Performance: millions of rows flow through here, so nothing wide is joined. The
    rule of each record is found by integer codes and its columns gathered from the
    small rule table; event effects are computed on the few records that have events
    and scattered back by row position.
    """
    return _prepare(records, events, cat, known_at, drop_withdrawn=drop_withdrawn, full=True)


#: The rule columns the kernel itself reads (the key and whether it was a grade only
#: go to callers of :func:`prepare_records`).
_UNSCORED_RULE_COLUMNS = ("key", "graded")


def _prepare(
    records: Frame,
    events: Frame | None,
    cat: Catalogue,
    known_at: datetime | None,
    *,
    drop_withdrawn: bool,
    full: bool,
    rule_rows: pl.Series | None = None,
) -> pl.LazyFrame:
    """:func:`prepare_records`; without ``full``, only what the kernel reads: no
    ``key`` or ``graded``, and ``recorded_at`` as given unless a knowledge time needs
    its default (4.9 M records each gathered or computed for nothing otherwise).
    ``rule_rows``: each record's rule, if found already (see :func:`score`)."""
    rec = conform(records, RECORD_SCHEMA)
    if rule_rows is not None:
        # Before any filter, while the rows are still those of ``records``.
        rec = rec.with_columns(pl.lit(rule_rows.cast(pl.Int64)).alias("_rule"))
    k = to_utc(known_at) if known_at is not None else None
    if full or k is not None:
        rec = rec.with_columns(
            pl.coalesce("recorded_at", midnight_china("decided_on")).alias("recorded_at")
        )
    if k is not None:
        rec = rec.filter(pl.col("recorded_at") <= k)
    # Most organisations have no events: then no record has an effect, and the steps
    # that find the effects are skipped (a few rows would pay a query for each).
    eventless = events is None or (isinstance(events, pl.DataFrame) and events.is_empty())
    rules = rules_frame(cat)
    skip = () if full else _UNSCORED_RULE_COLUMNS
    if rule_rows is None:
        rec = rec.with_columns(rule_row(cat, rules).alias("_rule"))
    rec = rec.with_columns(
        per_catalogue(cat, f"rule_columns{skip}", lambda: _rule_columns(rules, skip))
    )
    if eventless:
        rec = rec.with_columns(_NO_EFFECTS)
    frame = rec.collect()
    if frame.get_column("_rule").null_count():
        frame = frame.filter(pl.col("_rule").is_not_null())
    if not eventless:
        assert events is not None
        ev = conform(events, EVENT_SCHEMA).with_columns(
            pl.coalesce("recorded_at", midnight_china("effective_on")).alias("recorded_at")
        )
        if k is not None:
            ev = ev.filter(pl.col("recorded_at") <= k)
        frame = _with_event_effects(frame, _event_effects(ev), drop_withdrawn=drop_withdrawn)
    # Null where the kind has no period, so such a record has no default end. Taken as
    # Series: a when/then over a literal column (``ends_on`` set to one date for every
    # record) inside min_horizontal comes out one row long in Polars 1.44.
    default_end = _add_months(frame.get_column("decided_on"), frame.get_column("period_months"))
    ends_on = frame.get_column("ends_on")
    later = (ends_on > default_end).fill_null(False)
    frame = frame.hstack([ends_on.zip_with(later, default_end).alias("_base_end")])
    return (
        frame.lazy()
        .with_columns(pl.min_horizontal("_base_end", "lifted", "repaired").alias("end"))
        .drop("_rule", "_base_end")
    )


def _rule_columns(rules: pl.DataFrame, skip: tuple[str, ...] = ()) -> list[pl.Expr]:
    """Each record's rule columns but ``skip``, gathered from the rule table by its row
    ``_rule`` (null where it has none)."""
    return [
        pl.lit(rules.get_column(c)).gather(pl.col("_rule")).alias(c)
        for c in rules.columns
        if c != "kind" and c not in skip
    ]


#: The effect columns of a record without events.
_NO_EFFECTS = (
    pl.lit(False).alias("withdrawn"),
    pl.lit(None, pl.Date).alias("lifted"),
    pl.lit(None, pl.Date).alias("repaired"),
)


def _with_event_effects(
    frame: pl.DataFrame, effects: pl.DataFrame, *, drop_withdrawn: bool
) -> pl.DataFrame:
    """``withdrawn``, ``lifted`` and ``repaired`` of each record, scattered by position."""
    n = frame.height
    if not effects.height:
        return frame.with_columns(_NO_EFFECTS)
    keys = ["source", "record_id"]
    rows = frame.select(keys).with_row_index("_i")
    # Only the records whose key hash an effect shares can have one (see .keys).
    rows = rows.filter(maybe_matching(rows, effects, keys))
    hit = rows.join(effects, on=keys, how="inner")
    idx = hit.get_column("_i")
    frame = frame.with_columns(
        pl.repeat(False, n, dtype=pl.Boolean, eager=True)
        .scatter(idx, hit.get_column("withdrawn"))
        .alias("withdrawn"),
        *[
            pl.repeat(None, n, dtype=pl.Date, eager=True).scatter(idx, hit.get_column(c)).alias(c)
            for c in ("lifted", "repaired")
        ],
    )
    if drop_withdrawn and hit.get_column("withdrawn").any():
        frame = frame.filter(~pl.col("withdrawn"))
    return frame


def _event_effects(ev: pl.LazyFrame) -> pl.DataFrame:
    """Per record with events: withdrawn?, first lift, first repair not revoked."""

    def first(event: str, how: str) -> pl.Expr:
        e = pl.when(pl.col("event") == event).then(pl.col("effective_on"))
        return (e.min() if how == "min" else e.max()).alias(event)

    keys = ["source", "record_id"]
    per_record = ev.group_by(keys).agg(
        (pl.col("event") == "withdrawn").any().alias("withdrawn"),
        first("lifted", "min"),
        first("revoked_repair", "max"),
    )
    repairs = (
        ev.filter(pl.col("event") == "repaired")
        .join(per_record.select(*keys, "revoked_repair"), on=keys, how="left")
        .filter(
            pl.col("revoked_repair").is_null() | (pl.col("effective_on") > pl.col("revoked_repair"))
        )
        .group_by(keys)
        .agg(pl.col("effective_on").min().alias("repaired"))
    )
    return (
        per_record.join(repairs, on=keys, how="left")
        .select(*keys, "withdrawn", "lifted", "repaired")
        .collect()
    )


_ROLES = {code: name for name, code in ROLE_ORDER.items()}
_U32 = pl.UInt32


def _travel(counted: pl.LazyFrame, members: pl.LazyFrame, cat: Catalogue) -> pl.LazyFrame:
    """Counted negative records of organisation members, as received by the others.

    Rows are keyed by integers: ``eid`` receives, ``from_eid`` sent, ``rid`` the record.
    """
    w = cat.branches
    neg = counted.filter(pl.col("points_h") < 0).select("eid", "head", "rid", "points_h", "end")
    fan = neg.join(members, on="head", how="inner").filter(pl.col("to") != pl.col("eid"))
    role = (
        pl.when(pl.col("eid") == pl.col("head"))
        .then(pl.lit(ROLE_ORDER["from_head"], pl.UInt8))
        .when(pl.col("to") == pl.col("head"))
        .then(pl.lit(ROLE_ORDER["from_branch"], pl.UInt8))
        .otherwise(pl.lit(ROLE_ORDER["from_sibling"], pl.UInt8))
    )
    pct = (
        pl.when(pl.col("role") == ROLE_ORDER["from_head"])
        .then(w.to_branch_percent)
        .when(pl.col("role") == ROLE_ORDER["from_branch"])
        .then(w.to_head_percent)
        .otherwise(w.to_sibling_percent)
    )
    # Half away from zero in integer arithmetic; exact for whole-point defaults.
    amount = -((-pl.col("points_h") * pct + 50) // 100)
    return (
        fan.with_columns(role.alias("role"))
        .select(
            pl.col("to").alias("eid"),
            "role",
            pl.col("eid").alias("from_eid"),
            "rid",
            amount.alias("points_h"),
            "end",
        )
        .filter(pl.col("points_h") != 0)
    )


def score(
    entities: Frame,
    records: Frame,
    events: Frame | None,
    cat: Catalogue,
    as_of: date,
    known_at: datetime | None = None,
    *,
    contributions: bool = True,
    keep_prepared: bool = False,
    heads: tuple[np.ndarray, list[str]] | None = None,
    rule_rows: pl.Series | None = None,
) -> ScoreOutput:
    """Score every entity of ``entities`` at ``as_of``, as known at ``known_at``.

    With ``contributions=False`` the contribution table is left empty: the results are
    the same, and a caller that writes none is spared building and sorting it.
    ``keep_prepared``: hand back the prepared records too (:attr:`ScoreOutput.prepared`;
    it holds them in memory for as long as the output lives).
    ``heads``: :func:`~corpcredit.scoring.org.head_indices` of ``entities`` (a frame,
    in its rows' order), when the caller has found them already (batch scoring does,
    to refuse a cycle before scoring): they are not resolved again.
    ``rule_rows``: each record's rule as its row of
    :func:`~corpcredit.scoring.rules.rules_frame` of ``cat`` (null where it has
    none), one per row of ``records`` and in their order, when the caller has found
    them already (:func:`~corpcredit.feeds.check_records` does, as
    :attr:`~corpcredit.feeds.Checked.rule_rows`): they are not looked up again.

    A few rows (one organisation) are scored in plain Python (:mod:`.small`), where
    Polars' fixed cost per query would be most of the time; the same results.
    """
    # The plain path prepares no frame of records to hand back.
    small = (
        None
        if keep_prepared
        else score_small(
            entities, records, events, cat, as_of, known_at, contributions=contributions
        )
    )
    if small is not None:
        results, lines, warnings = small
        return ScoreOutput(results=results, contributions=lines, warnings=warnings)
    return _score_polars(
        entities,
        records,
        events,
        cat,
        as_of,
        known_at,
        contributions=contributions,
        keep_prepared=keep_prepared,
        heads=heads,
        rule_rows=rule_rows,
    )


def _score_polars(
    entities: Frame,
    records: Frame,
    events: Frame | None,
    cat: Catalogue,
    as_of: date,
    known_at: datetime | None = None,
    *,
    contributions: bool = True,
    keep_prepared: bool = False,
    heads: tuple[np.ndarray, list[str]] | None = None,
    rule_rows: pl.Series | None = None,
) -> ScoreOutput:
    """:func:`score` by Polars queries, for any number of rows."""
    if (
        rule_rows is not None
        and isinstance(records, pl.DataFrame)
        and rule_rows.len() != records.height
    ):
        raise ValueError(f"{rule_rows.len()} rule rows for {records.height} records")
    ent, order = _sorted_entities(entities, with_order=heads is not None, parents=heads is None)
    if heads is None or order is None:
        head_idx, warnings = head_indices(ent)
    else:
        head_idx, warnings = _heads_in_order(heads[0], order), list(heads[1])
    usci = ent.get_column("usci")
    ids = pl.DataFrame(
        [
            usci,
            pl.Series("eid", np.arange(ent.height, dtype=np.uint32)),
            pl.Series("head", head_idx, dtype=_U32),
            ent.get_column("natural_person"),
        ]
    )
    t = pl.lit(as_of, dtype=pl.Date)

    prep = _prepare(
        records,
        events,
        cat,
        known_at,
        drop_withdrawn=False,
        full=keep_prepared,
        rule_rows=rule_rows,
    ).collect()
    # A narrow join finds each record's entity; the wide frame is never joined. The
    # frames below are put together from columns, not queried: a few records (one
    # organisation) would pay Polars' fixed cost per query for each.
    where = (
        prep.lazy()
        .select("usci")
        .join(ids.lazy(), on="usci", how="left", maintain_order="left")
        .collect()
    )
    take = prep.get_column
    # The record's text, for contribution rows only: kept apart, so that scoring
    # neither filters nor carries it.
    detail = pl.DataFrame(
        [
            take("source").alias("record_source"),
            take("record_id"),
            take("kind"),
            take("tier_eff").alias("tier"),
            take("authority"),
            take("decision_no"),
            take("decided_on"),
        ]
    )
    rec = pl.DataFrame([take(c) for c in _SCORED] + [where.get_column(c) for c in ("eid", "head")])
    eid, natural, withdrawn = (
        where.get_column("eid"),
        where.get_column("natural_person"),
        take("withdrawn"),
    )
    # With each record's entity number (its row of the results; null: not in the
    # registry), for a caller that picks records by entity.
    prepared = prep.with_columns(where.get_column("eid")) if keep_prepared else None
    del prep, where
    unknown = eid.null_count()
    if unknown:
        warnings.append(f"{unknown} records name an entity missing from the registry: skipped")
    # What the kernel never counts (unknown entities, natural persons, and withdrawn
    # records: retroactively gone, once seen) is marked, not filtered out: a filter
    # copied every record (at a million organisations 0.25 s of fresh memory, where
    # the queries below read what they need anyway). A record is row ``rid`` of
    # ``detail`` too.
    counts: pl.Expr = pl.lit(True)
    if unknown or natural.any() or withdrawn.any():
        rec = rec.hstack([(eid.is_not_null() & ~natural & ~withdrawn).alias("_counts")])
        counts = pl.col("_counts")
    decided = rec.get_column("decided_on")
    rec = rec.hstack(
        [
            pl.Series("rid", np.arange(rec.height, dtype=np.uint32)),
            *[_add_months(decided, m).alias(f"_m{m}") for m in _horizons(cat)],
        ]
    )
    in_force = (pl.col("decided_on") <= t) & (pl.col("end").is_null() | (t < pl.col("end")))
    core = rec.lazy().select(
        counts.alias("counts"),
        "rid",
        "eid",
        "head",
        "decided_on",
        "end",
        "tier_eff",
        "points_h",
        (counts & in_force).alias("in_force"),
        "black_kind",
        "black",
        "abnormal_kind",
        "red_if_flagged",
        "red",
        "red_qualifying",
        *[f"_m{m}" for m in _horizons(cat)],
    )

    # Rule 2: a minor record counts only after an own in-force serious record.
    gate = (
        core.filter(pl.col("in_force") & (pl.col("tier_eff") == "serious"))
        .group_by("eid")
        .agg(pl.col("decided_on").min().alias("serious_since"))
    )
    counted = (
        core.filter(pl.col("in_force"))
        .join(gate, on="eid", how="left")
        .filter((pl.col("tier_eff") != "minor") | (pl.col("serious_since") <= pl.col("decided_on")))
    )
    own = counted.select(
        "eid",
        pl.lit(ROLE_ORDER["own"], pl.UInt8).alias("role"),
        pl.col("eid").alias("from_eid"),
        "rid",
        "points_h",
        "end",
    )
    members = ids.lazy().filter(~pl.col("natural_person")).select(pl.col("eid").alias("to"), "head")
    contrib = pl.concat([own, _travel(counted, members, cat)])

    # Own and received points as two plain sums (a filter inside the aggregation
    # costs a selection per group); a missing amount adds nothing.
    own_h = pl.when(pl.col("role") == 0).then(pl.col("points_h")).otherwise(0)
    sums = contrib.select(
        "eid",
        own_h.fill_null(0).alias("own_points_h"),
        (pl.col("points_h") - own_h).fill_null(0).alias("received_points_h"),
    )
    s = cat.score
    total = pl.lit(s.base * 100) + pl.col("own_points_h") + pl.col("received_points_h")
    clamped = pl.min_horizontal(
        pl.max_horizontal(total, pl.lit(s.floor * 100)), pl.lit(s.ceiling * 100)
    )
    grade_expr: Any = pl.when(pl.col("black")).then(pl.lit(cat.black_grade.grade))
    for band in cat.grades:
        grade_expr = grade_expr.when(pl.col("score").is_between(band.min, band.max)).then(
            pl.lit(band.grade)
        )
    red_rule = cat.lists
    flags = ["black", "abnormal", "red_flagged", "red_qualifying", "recent_bad"]
    # The rows that bear on each entity's sums, lists and next change are collected
    # (one query, sharing the counted records with the contribution lines) and added
    # up, or-ed, or their minimum taken straight into arrays indexed by entity (or head
    # office) number, which is the row of ``ids``: no join, no sort to restore the
    # entities' order, and no grouping. At a million organisations (processor time,
    # under load): the list conditions 0.41-0.50 s grouped, 0.11-0.13 s this way; the
    # next change 0.52-0.78 s grouped, 0.18-0.27 s this way.
    queries = [sums, _lists(core, cat, t), _next_change(core, cat, t)]
    per_eid, per_flag, per_head, *lines = pl.collect_all(
        [*queries, contrib] if contributions else queries
    )
    n = ids.height
    placed = ids.with_columns(
        _summed(per_eid, "own_points_h", n),
        _summed(per_eid, "received_points_h", n),
        *[_any_of(per_flag, f, n) for f in flags],
        _earliest(per_head, n).gather(ids.get_column("head")),
    )
    results = (
        placed.lazy()
        .with_columns(((clamped + 50) // 100).alias("score"))
        .with_columns(
            (
                ~pl.col("black")
                & (
                    pl.col("red_flagged")
                    | (
                        (pl.col("score") >= red_rule.red_score_threshold)
                        & pl.col("red_qualifying")
                        & ~pl.col("recent_bad")
                    )
                )
            ).alias("red")
        )
        .with_columns(grade_expr.alias("grade"))
    )
    np_ = pl.col("natural_person")
    res = (
        results.select(
            "usci",
            t.alias("as_of"),
            np_,
            pl.when(np_).then(None).otherwise(pl.col("score")).alias("score"),
            pl.when(np_).then(None).otherwise(pl.col("grade")).alias("grade"),
            *[(~np_ & pl.col(c)).alias(c) for c in ("black", "red", "abnormal")],
            *[
                pl.when(np_).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("own_points_h", "received_points_h", "next_change")
            ],
            pl.lit(cat.version).alias("catalogue_version"),
        )
        .select(conformed(RESULT_SCHEMA, RESULT_SCHEMA))  # the columns above, typed
        .collect()
    )
    if not contributions:
        return ScoreOutput(
            results=res,
            contributions=pl.DataFrame(schema=CONTRIBUTION_SCHEMA),
            warnings=warnings,
            prepared=prepared,
        )
    return ScoreOutput(
        results=res,
        contributions=_contribution_rows(lines[0], detail, usci),
        warnings=warnings,
        prepared=prepared,
    )


def _summed(rows: pl.DataFrame, col: str, n: int) -> pl.Series:
    """The sum of ``col`` over the rows of each entity number ``eid`` (below ``n``), as a
    column of ``n`` rows in entity order; 0 for an entity without rows."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, rows.get_column("eid").to_numpy(), rows.get_column(col).to_numpy())
    return pl.Series(col, out)


def _any_of(rows: pl.DataFrame, col: str, n: int) -> pl.Series:
    """Whether any row of each entity number ``eid`` (below ``n``) has ``col`` true, as
    a column of ``n`` rows in entity order."""
    out = np.zeros(n, dtype=bool)
    out[rows.get_column("eid").filter(rows.get_column(col)).to_numpy()] = True
    return pl.Series(col, out)


def _earliest(rows: pl.DataFrame, n: int) -> pl.Series:
    """The earliest ``_day`` (a day number) of each head office number ``head`` (below
    ``n``) as the date ``next_change``, in head office order; null without rows."""
    day = np.full(n, _NOT_AFTER, dtype=np.int64)
    np.minimum.at(day, rows.get_column("head").to_numpy(), rows.get_column("_day").to_numpy())
    found = day < _NOT_AFTER
    dates = pl.Series("next_change", np.where(found, day, 0).astype(np.int32)).cast(pl.Date)
    # A null repeated from a one-value Series: pl.repeat is a query, which one
    # organisation's few entities would pay for.
    none = pl.Series("next_change", [None], dtype=pl.Date).new_from_index(0, n)
    return dates.zip_with(pl.Series(found), none)


#: The prepared records' columns that scoring reads.
_SCORED = (
    "tier_eff",
    "decided_on",
    "end",
    "points_h",
    "black_kind",
    "black",
    "abnormal_kind",
    "red_if_flagged",
    "red",
    "red_qualifying",
)


def _contribution_rows(lines: pl.DataFrame, detail: pl.DataFrame, usci: pl.Series) -> pl.DataFrame:
    """Integer-keyed lines → the contribution table, in its one canonical order.

    ``detail`` holds each record's text: record ``rid`` is its row ``rid``.
    """
    at = lines.get_column("rid")
    col = lines.get_column
    # Built from Series, then one query: a few lines (one organisation) pay per query.
    base = pl.DataFrame(
        [
            usci.gather(col("eid")).alias("usci"),
            usci.gather(col("from_eid")).alias("from_usci"),
            col("eid"),
            col("role"),
            col("from_eid"),
            col("points_h"),
            col("end").alias("ends_on"),
        ]
    )
    out = base.hstack(detail.gather(at) if at.len() else detail.clear())
    # A stable sort: Polars' unstable one of these five keys takes over half as long
    # again (1.6 M lines at a million organisations: 0.45-0.56 s of processor time
    # against 0.27-0.30 s, under load). A record's key is unique, so no two lines tie
    # and either sort gives one order.
    return (
        out.lazy()
        .sort("eid", "role", "from_eid", "record_source", "record_id", maintain_order=True)
        .with_columns(pl.col("role").replace_strict(_ROLES, return_dtype=pl.Utf8))
        .select(conformed(CONTRIBUTION_SCHEMA, CONTRIBUTION_SCHEMA))
        .collect()
    )


def _horizons(cat: Catalogue) -> list[int]:
    """Month offsets from a decision at which list status may change (36 by default)."""
    return sorted({cat.lists.abnormal_escalation_months, cat.lists.red_lookback_months})


def _lists(rec: pl.LazyFrame, cat: Catalogue, t: pl.Expr) -> pl.LazyFrame:
    """Black, abnormal and red-list conditions of records (DOMAIN.md §5): ``eid`` and
    one column per condition, for the records meeting any.

    Each condition is decided per record (a null counts as not met); an entity meets
    one when any of its records does, and an entity without such records is absent
    (the caller reads absent as not met). Grouping millions of records with five
    filtered aggregates each cost over a second at a million organisations. A record
    the kernel does not count (``counts`` false; ``in_force`` is then false too) meets
    none.
    """
    esc = pl.col(f"_m{cat.lists.abnormal_escalation_months}")
    look = pl.col(f"_m{cat.lists.red_lookback_months}")
    f = pl.col("in_force")
    serious = pl.col("tier_eff") == "serious"
    conditions = {
        "black": f
        & (
            (serious & (pl.col("black_kind") | pl.col("black").fill_null(False)))
            | (pl.col("abnormal_kind") & (t >= esc))
        ),
        "abnormal": f & pl.col("abnormal_kind"),
        "red_flagged": f & pl.col("red_if_flagged") & pl.col("red").fill_null(False),
        "red_qualifying": f & pl.col("red_qualifying"),
        "recent_bad": pl.col("counts")
        & pl.col("tier_eff").is_in(["general", "serious"])
        & (pl.col("decided_on") <= t)
        & (t < look),
    }
    names = list(conditions)
    return rec.select("eid", *[c.fill_null(False).alias(n) for n, c in conditions.items()]).filter(
        pl.any_horizontal(names)
    )


# Added to a day that is not after the evaluation date, so that it loses every minimum.
_NOT_AFTER = 1 << 40


def _next_change(rec: pl.LazyFrame, cat: Catalogue, t: pl.Expr) -> pl.LazyFrame:
    """Records' earliest dates after ``t`` on which they change state: ``head`` and
    ``_day`` (a day number) of each record that has one (nulls skipped). The
    organisation's next change is the earliest of its records'.

    In day numbers: a when/then per candidate inside ``min_horizontal`` comes out one
    row long in Polars 1.44 when a column is one literal value (see
    :func:`prepare_records`).
    """
    candidates = [pl.col("decided_on"), pl.col("end")] + [pl.col(f"_m{m}") for m in _horizons(cat)]
    day = [c.cast(pl.Int64) + (c <= t).cast(pl.Int64) * _NOT_AFTER for c in candidates]
    first = pl.min_horizontal(day).alias("_day")
    # A record the kernel does not count (``counts`` false) gets a day past every other,
    # and goes with those not after ``t``.
    ignored = (~pl.col("counts")).cast(pl.Int64) * _NOT_AFTER
    return rec.select("head", (first + ignored).alias("_day")).filter(pl.col("_day") < _NOT_AFTER)

"""List windows in bulk, materialised with the results (DOMAIN.md §5, issue 4).

The organisation page shows, for every list an entity is on, since when, until
when if nothing changes, from when it can be repaired, and the records behind it
(:class:`corpcredit.services.lists.Window`). :func:`corpcredit.services.lists.list_windows`
computes that for one entity from its prepared records; here the same rules run
over every listed entity of a rescore at once, and the result is written to
``result_lists`` beside ``results``, so a lookup of today's page reads one row
instead of running the kernel.

- Black and abnormal windows depend only on the entity's own records: intervals
  per record and rule, merged into stretches where they overlap or touch, the
  stretch holding the evaluation date kept (the rules of ``lists._intervals``,
  vectorised; ties in start date ordered by record key, as the lookup orders them).
- Red also depends on the score. Its window is the stretch of the entity's red
  records, narrowed to the days on which the entity is red: on each change day of
  its organisation inside that stretch, the kernel's red rule is evaluated over
  the lines of one kernel run (:func:`_red_days`), as the lookup asks the kernel
  one day at a time. Days it need not ask about: the last change day up to the
  evaluation date (nothing changes from then to that date), the days before the
  stretch (no red record is in force) and the stretch's end.

A window holds from the evaluation date until the organisation's next change
date (``results.next_change``): nothing it depends on can change before then.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.catalogue import Catalogue
from corpcredit.scoring import ScoreOutput, score
from corpcredit.scoring.frames import RECORD_SCHEMA
from corpcredit.services.ingest_sql import insert_frame, synced
from corpcredit.services.materialise import MEMBERS, listed, prepare_listed, replace_rows
from corpcredit.store.frames import KernelInputs
from corpcredit.store.schema import result_lists

__all__ = ["WINDOWS_QUERY", "WINDOW_SCHEMA", "list_windows_frame", "replace_list_windows"]

WINDOW_SCHEMA: dict[str, pl.DataType] = {
    "usci": pl.Utf8(),
    "list": pl.Utf8(),
    "entered_on": pl.Date(),
    "scheduled_exit": pl.Date(),
    "earliest_repair": pl.Date(),
    "grounds": pl.Utf8(),  # JSON text
}
#: The rows of ``result_lists`` as they stand, in :data:`WINDOW_SCHEMA`: a full
#: rescore reads them ahead with the registry, to write only the windows that change.
WINDOWS_QUERY = sa.select(*[result_lists.c[c] for c in WINDOW_SCHEMA])
_KEYS = ["usci", "list"]
_FAR = date.max  # "no end" while merging stretches
_GROUP_LIFT = 10**7  # more days than any date holds since 1970 (date.max is 2.9 million)
_DAY0 = 719_163  # days from date.min to 1970-01-01: every date counts from 0
_DAYS = 1 << 22  # more days than date.min to date.max


def replace_list_windows(
    conn: Connection,
    frames: KernelInputs,
    out: ScoreOutput,
    cat: Catalogue,
    as_of: date,
    *,
    scoped: bool,
    windows: pl.DataFrame | None = None,
    prep: pl.DataFrame | None = None,
    on_lists: pl.DataFrame | None = None,
    current: pl.DataFrame | None = None,
) -> int:
    """Replace the ``result_lists`` rows of :data:`MEMBERS` (or of everyone) with the
    windows of the lists ``out`` puts them on; returns how many there are.

    ``windows``: :func:`list_windows_frame` of the same arguments, when the caller
    has computed it already (a full rescore computes it while it writes results);
    ``prep``, ``on_lists``: see :func:`list_windows_frame`. ``current``: for a
    whole-registry replace, every row of ``result_lists`` as it stood before this
    transaction wrote (:data:`WINDOWS_QUERY`); only the entities whose windows
    differ from it are rewritten.
    """
    if windows is None:
        windows = list_windows_frame(frames, out, cat, as_of, prep, on_lists)
    rows = windows
    rows = rows.select([c.name for c in result_lists.columns])
    if not scoped and current is not None:
        now = current.select(rows.columns).cast(rows.schema)
        differ = pl.concat(
            [
                rows.join(now, on=rows.columns, how="anti", nulls_equal=True).select("usci"),
                now.join(rows, on=_KEYS, how="anti").select("usci"),
            ]
        )
        replace_rows(conn, result_lists, differ, rows, out.results.height)
        return rows.height
    if not scoped and synced(conn, result_lists, rows):  # only what differs (SQLite)
        return rows.height
    if scoped:
        conn.execute(
            result_lists.delete().where(result_lists.c.usci.in_(sa.select(MEMBERS.c.usci)))
        )
    else:
        conn.execute(result_lists.delete())
    return insert_frame(conn, result_lists, rows)


def list_windows_frame(
    frames: KernelInputs,
    out: ScoreOutput,
    cat: Catalogue,
    as_of: date,
    prep: pl.DataFrame | None = None,
    on_lists: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per (entity, list) the kernel put it on at ``as_of``: entered_on,
    scheduled_exit, earliest_repair and the grounds as JSON (see the module doc).

    ``prep``: :func:`corpcredit.services.materialise.prepare_listed` of the same
    output, when the caller has it (list entries need it too); ``on_lists``:
    :func:`corpcredit.services.materialise.listed` of ``out``, likewise.

    An entity flagged on a list without any window (which the rules do not allow)
    gets no row; the lookup then falls back to the kernel.
    """
    if on_lists is None:
        on_lists = listed(out)
    if on_lists.is_empty():
        return pl.DataFrame(schema=WINDOW_SCHEMA)
    if prep is None:
        prep = prepare_listed(frames, out, cat)
    windows = _windows(_spans(prep.lazy(), on_lists, cat, as_of), cat, as_of)
    red = windows.filter(pl.col("list") == "red")
    if red.height:
        exact = _exact_red(
            frames, red.select("usci", "entered_on", "scheduled_exit"), prep, cat, as_of
        )
        windows = windows.update(
            exact.with_columns(pl.lit("red").alias("list")), on=_KEYS, include_nulls=True
        )
    return windows.select(list(WINDOW_SCHEMA)).cast(WINDOW_SCHEMA)  # type: ignore[arg-type]


def _spans(prep: pl.LazyFrame, on_lists: pl.DataFrame, cat: Catalogue, t: date) -> pl.DataFrame:
    """Each interval in which a record keeps its entity on a list (``lists._intervals``),
    for the (usci, list) pairs of ``on_lists``.

    Lazily: only the columns the spans need are gathered from the prepared records.
    The intervals are matched to ``on_lists``, not the prepared records (1 M registry:
    0.4 M rows instead of 2 M), and those of a list the entity is not on (a third of
    them there) are left out before they are sorted and merged.
    """
    rows = prep.filter(pl.col("decided_on") <= t)
    serious = pl.col("tier_eff") == "serious"
    flagged = pl.col("red_if_flagged") & pl.col("red").fill_null(False)
    decided = pl.col("decided_on")
    escalation = decided.dt.offset_by(f"{cat.lists.abnormal_escalation_months}mo")
    rules = [  # list, rule, condition, start, order among one record's intervals
        ("black", "black_kind", serious & pl.col("black_kind"), decided, 0),
        (
            "black",
            "authority_flag",
            serious & ~pl.col("black_kind") & pl.col("black").fill_null(False),
            decided,
            0,
        ),
        ("black", "abnormal_escalation", pl.col("abnormal_kind"), escalation, 1),
        ("abnormal", "abnormal", pl.col("abnormal_kind"), decided, 0),
        ("red", "red_flagged", flagged, decided, 0),
        ("red", "red_rating", ~flagged & pl.col("red_qualifying"), decided, 0),
    ]
    parts = [
        rows.filter(cond).select(
            "usci",
            pl.lit(which).alias("list"),
            "source",
            "record_id",
            "kind",
            "tier_eff",
            "decided_on",
            start.alias("start"),
            "end",
            pl.lit(rule).alias("rule"),
            pl.lit(k, dtype=pl.Int8).alias("_k"),
        )
        for which, rule, cond, start, k in rules
    ]
    spans = pl.concat(parts)
    # A record ended on the day it would have put the entity on a list never counts.
    counted = spans.filter(pl.col("end").is_null() | (pl.col("start") < pl.col("end")))
    return counted.join(on_lists.lazy(), on=_KEYS, how="semi").collect()


def _repair_months(spans: pl.DataFrame, cat: Catalogue) -> pl.DataFrame:
    """(kind, tier_eff, months) for the pairs present; months null: not repairable."""
    pairs = spans.select("kind", "tier_eff").unique().rows()
    return pl.DataFrame(
        [
            (k, tier, cat.repair_after_months(k, tier) if cat.kinds[k].repairable else None)
            for k, tier in pairs
        ],
        schema={"kind": pl.Utf8, "tier_eff": pl.Utf8, "_months": pl.Int64},
        orient="row",
    )


def _windows(spans: pl.DataFrame, cat: Catalogue, t: date) -> pl.DataFrame:
    """Merge each entity's intervals per list into stretches; keep the one holding ``t``."""
    if spans.is_empty():
        return pl.DataFrame(schema=WINDOW_SCHEMA)
    day = pl.lit(t, dtype=pl.Date)
    s = spans.sort(*_KEYS, "start", "source", "record_id", "_k")
    first = (pl.col("usci") != pl.col("usci").shift()) | (pl.col("list") != pl.col("list").shift())
    s = s.with_columns(
        first.fill_null(True).alias("_first"),
        pl.col("end").fill_null(_FAR).alias("_end"),
    )
    # The latest end so far within each (entity, list), without a window function
    # over hundreds of thousands of groups: group numbers lift each group's ends
    # above every earlier group's, so one running maximum over the frame serves.
    lift = pl.col("_first").cum_sum().cast(pl.Int64) * _GROUP_LIFT
    latest = (lift + pl.col("_end").cast(pl.Int64)).cum_max() - lift
    previous = pl.when(pl.col("_first")).then(None).otherwise(latest.shift(1))
    s = s.with_columns(
        (pl.col("_first") | (pl.col("start").cast(pl.Int64) > previous)).cum_sum().alias("_n")
    )
    bounds = s.group_by("_n").agg(
        pl.col("start").min().alias("_from"), pl.col("_end").max().alias("_to")
    )
    s = s.join(bounds, on="_n", maintain_order="left").filter(
        (pl.col("_from") <= day) & (day < pl.col("_to"))
    )
    grounds = s.filter((pl.col("start") <= day) & (day < pl.col("_end")))
    months = _repair_months(grounds, cat)
    red = pl.col("list") == "red"
    grounds = grounds.join(months, on=["kind", "tier_eff"], how="left", maintain_order="left")
    grounds = grounds.with_columns(
        pl.when(red)
        .then(None)
        .otherwise(pl.col("decided_on").dt.offset_by(pl.format("{}mo", pl.col("_months"))))
        .alias("repair_from")
    )
    encoded = pl.struct(
        "source",
        "record_id",
        "rule",
        pl.col("start").cast(pl.Utf8).alias("entered_on"),
        pl.col("end").cast(pl.Utf8).alias("ends_on"),
        pl.col("repair_from").cast(pl.Utf8),
    ).struct.json_encode()
    # Encoded before grouping: in the aggregation, the encoding costs three times more.
    grounds = grounds.with_columns(encoded.alias("_json"))
    # Most windows rest on one record (six in seven, 1 M registry): those rows are
    # windows as they stand, and only the others are grouped (this function 1.08 s
    # to 0.93 s of processor time there, medians of 5 alternating runs under load).
    n = pl.col("_n")
    alone = (n != n.shift(1)).fill_null(True) & (n != n.shift(-1)).fill_null(True)
    exit_on = pl.when(pl.col("_to") == _FAR).then(None).otherwise(pl.col("_to"))
    single = grounds.filter(alone).select(
        "_n",
        "usci",
        "list",
        pl.col("_from").alias("entered_on"),
        exit_on.alias("scheduled_exit"),
        pl.when(red).then(None).otherwise(pl.col("repair_from")).alias("earliest_repair"),
        (pl.lit("[") + pl.col("_json") + pl.lit("]")).alias("grounds"),
    )
    several = (
        grounds.filter(~alone)
        .group_by("_n", maintain_order=True)
        .agg(
            pl.col("usci").first(),
            pl.col("list").first(),
            pl.col("_from").first().alias("entered_on"),
            exit_on.first().alias("scheduled_exit"),
            pl.when(red.first() | pl.col("repair_from").is_null().any())
            .then(None)
            .otherwise(pl.col("repair_from").max())
            .alias("earliest_repair"),
            (pl.lit("[") + pl.col("_json").str.join(",") + pl.lit("]")).alias("grounds"),
        )
    )
    return pl.concat([single, several]).sort("_n")


def _change_days(prep: pl.LazyFrame, first: pl.LazyFrame, cat: Catalogue, t: date) -> pl.LazyFrame:
    """(h, d): the days in [first decision, horizon] on which a record of organisation
    number ``h`` starts, ends or crosses a list horizon (``scoring.change_dates``).

    ``prep``: the organisations' prepared records decided by ``t`` (h, decided_on, end);
    ``first``: each organisation's first decision (h, _start).
    """
    months = sorted({cat.lists.abnormal_escalation_months, cat.lists.red_lookback_months})
    decided, end = pl.col("decided_on"), pl.col("end")
    days = pl.concat(
        [
            prep.select("h", day.alias("d"))
            for day in [decided, end, *(decided.dt.offset_by(f"{m}mo") for m in months)]
        ]
    ).drop_nulls("d")
    last = prep.group_by("h").agg(end.max().alias("_end"))
    bounds = first.join(last, on="h", how="left").with_columns(
        pl.max_horizontal(pl.col("_end").fill_null(t), pl.lit(t, dtype=pl.Date)).alias("_end")
    )
    inside = days.join(bounds, on="h").filter(pl.col("d").is_between("_start", "_end"))
    # Made unique as one integer per (organisation, day): a million pairs of columns
    # cost several times more to compare than one column.
    every = pl.concat(
        [
            inside.select(_day_key("h", "d")),
            bounds.select(_day_key("h", "_start")),
            bounds.select(_day_key("h", "_end")),
        ]
    ).unique()
    return every.select(
        (pl.col("_key") // _DAYS).cast(pl.Int32).alias("h"),
        (pl.col("_key") % _DAYS - _DAY0).cast(pl.Int32).cast(pl.Date).alias("d"),
    )


def _day_key(number: str, day: str) -> pl.Expr:
    """One integer for (a number, a day): ordered by number, then day."""
    at = pl.col(day).cast(pl.Int64) + _DAY0
    return (pl.col(number).cast(pl.Int64) * _DAYS + at).alias("_key")


def _red_days(
    asks: pl.DataFrame,
    members: pl.DataFrame,
    prep: pl.DataFrame,
    cat: Catalogue,
    t: date,
) -> pl.DataFrame:
    """The asked ``(e, d)`` on which entity number ``e`` is red, seeing the records
    decided by ``t``: the kernel's red rule evaluated on many days at once.

    ``members``: the entities of the organisations asked about, numbered ``e``;
    ``prep``: their prepared records decided by ``t``, with their ``e``.

    The lines and their amounts (own points, shares travelling inside the
    organisation) come from one kernel run in which every record decided by ``t``
    stays in force; a line counts while its record is in force and, for a minor
    record, while its owner has an in-force serious record decided no later
    (DOMAIN.md §4 rule 2). Score and list flags then follow the kernel's steps 5.

    Each line and each flag holds over one interval of days, so an entity's state on
    a day is a running sum over the starts and ends up to that day: one sort of
    starts, ends and asked days, rather than every asked day against every line.
    """
    if asks.is_empty():
        return asks
    # The records as the registry holds them (prepared ones carry them unchanged; a
    # withdrawn one or one the catalogue does not know is not among them).
    keys = ["source", "record_id"]
    kept = prep.select([c for c in RECORD_SCHEMA if c != "ends_on"])
    forever = kept.with_columns(pl.lit(_FAR, dtype=pl.Date).alias("ends_on"))
    entities = members.drop("e")
    lines = score(entities, forever, None, cat, t).contributions.lazy()
    # Entities by number, so the sort and joins below are on integers.
    numbers = members.lazy().select("usci", "e")
    own = prep.lazy()
    decided, ends = pl.col("decided_on"), pl.col("end").fill_null(_FAR)
    # A minor record counts while a serious record of its owner decided no later is
    # in force. Those start no later than it does, so from its decision on they
    # cover it until the latest of their ends.
    serious = own.filter(pl.col("tier_eff") == "serious").select(
        "e", decided.alias("_serious_from"), ends.alias("_cap")
    )
    caps = (
        own.filter(pl.col("tier_eff") == "minor")
        .select(*keys, "e", "decided_on")
        .join(serious, on="e")
        .filter(pl.col("_serious_from") <= decided)
        .group_by(keys)
        .agg(pl.col("_cap").max())
    )
    spans = (
        own.select(*keys, "decided_on", ends.alias("_to"), "tier_eff")
        .join(caps, on=keys, how="left")
        .select(
            *keys,
            decided.alias("_from"),
            pl.when(pl.col("tier_eff") == "minor")
            .then(pl.min_horizontal("_to", "_cap"))  # no serious record: null, never counts
            .otherwise(pl.col("_to"))
            .alias("_to"),
        )
    )
    lists = cat.lists
    serious_tier = pl.col("tier_eff") == "serious"
    counters = {  # what is counted on a day: (the rows that count, from, until)
        "black": [
            (serious_tier & (pl.col("black_kind") | pl.col("black").fill_null(False)), decided),
            (
                pl.col("abnormal_kind"),
                decided.dt.offset_by(f"{lists.abnormal_escalation_months}mo"),
            ),
        ],
        "flagged": [(pl.col("red_if_flagged") & pl.col("red").fill_null(False), decided)],
        "qualifying": [(pl.col("red_qualifying"), decided)],
    }
    zero = pl.lit(0, dtype=pl.Int64)
    values = ["points_h", *counters, "recent_bad"]

    def counting(name: str) -> list[pl.Expr]:
        return [(pl.lit(1, dtype=pl.Int64) if v == name else zero).alias(v) for v in values]

    # Lines meet their records' spans on a hash of the record key (equal keys hash
    # alike), the keys compared after: a join on two text columns costs twice as much.
    spans = spans.with_columns(_pair_hash(*keys)).rename({k: f"_{k}" for k in keys})
    intervals = [
        lines.select("usci", pl.col("record_source").alias("source"), "record_id", "points_h")
        .with_columns(_pair_hash(*keys))
        .join(spans, on="_hash")
        .filter(pl.all_horizontal(pl.col(k) == pl.col(f"_{k}") for k in keys))
        .join(numbers, on="usci")
        .select(
            "e", "_from", "_to", pl.col("points_h").cast(pl.Int64).fill_null(0), *counting("")[1:]
        ),
        *(
            own.filter(rows).select("e", start.alias("_from"), ends.alias("_to"), *counting(name))
            for name, spec in counters.items()
            for rows, start in spec
        ),
        own.filter(pl.col("tier_eff").is_in(["general", "serious"])).select(
            "e",
            decided.alias("_from"),
            decided.dt.offset_by(f"{lists.red_lookback_months}mo").alias("_to"),
            *counting("recent_bad"),
        ),
    ]
    spells = pl.concat(intervals).filter(pl.col("_from") < pl.col("_to"))

    # One integer orders the rows by entity, then day, the day's changes before the
    # asked day itself; running sums within each entity then give its state that day.
    def key(day: pl.Expr, asked: int) -> pl.Expr:
        at = day.cast(pl.Int64) + _DAY0
        return ((pl.col("e").cast(pl.Int64) * _DAYS + at) * 2 + asked).alias("_key")

    rows = pl.concat(
        [
            spells.select(key(pl.col("_from"), 0), *values),
            spells.filter(pl.col("_to") < _FAR).select(
                key(pl.col("_to"), 0), *[-pl.col(v) for v in values]
            ),
            asks.lazy().select(key(pl.col("d"), 1), *[zero.alias(v) for v in values]),
        ]
    ).sort("_key")
    entity = pl.col("_key") // (2 * _DAYS)
    first = (entity != entity.shift()).fill_null(True)
    running = [
        pl.col(v).cum_sum() - pl.when(first).then(pl.col(v).cum_sum() - pl.col(v)).forward_fill()
        for v in values
    ]
    state = (
        rows.with_columns(running)
        .filter(pl.col("_key") % 2 == 1)
        .select(
            entity.cast(pl.Int32).alias("e"),
            ((pl.col("_key") // 2) % _DAYS - _DAY0).cast(pl.Int32).cast(pl.Date).alias("d"),
            *values,
        )
    )
    s = cat.score
    total = pl.lit(s.base * 100) + pl.col("points_h")
    clamped = pl.min_horizontal(
        pl.max_horizontal(total, pl.lit(s.floor * 100)), pl.lit(s.ceiling * 100)
    )
    red = (pl.col("black") == 0) & (
        (pl.col("flagged") > 0)
        | (
            ((clamped + 50) // 100 >= lists.red_score_threshold)
            & (pl.col("qualifying") > 0)
            & (pl.col("recent_bad") == 0)
        )
    )
    return state.filter(red).select("e", "d").collect()


def _pair_hash(first: str, second: str) -> pl.Expr:
    return (pl.col(first).hash(1) ^ pl.col(second).hash(2)).alias("_hash")


def _exact_red(
    frames: KernelInputs, red: pl.DataFrame, listed_prep: pl.DataFrame, cat: Catalogue, t: date
) -> pl.DataFrame:
    """(usci, entered_on, scheduled_exit) of each red window, exact (see the module doc).

    ``listed_prep`` holds the prepared records of every member of the organisations
    of ``red`` (:func:`corpcredit.services.materialise.prepare_listed`).
    """
    # Organisations (h) and their members (e) by number, so that the days below are
    # joined, grouped and sorted as integers, not text.
    heads = frames.entities.select("usci", "head_usci")
    orgs = (
        red.select("usci")
        .join(heads, on="usci")
        .select("head_usci")
        .unique()
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int32).alias("h"))
    )
    members = frames.entities.join(orgs, on="head_usci").with_columns(
        pl.int_range(pl.len(), dtype=pl.Int32).alias("e")
    )
    red = red.join(members.select("usci", "e", "h"), on="usci")
    # Each organisation's first decision, withdrawn records and all: only the two
    # columns it needs are taken from the registry's records.
    first = (
        frames.records.lazy()
        .select("usci", "decided_on")
        .filter(pl.col("decided_on") <= t)
        .join(members.lazy().select("usci", "h"), on="usci")
        .group_by("h")
        .agg(pl.col("decided_on").min().alias("_start"))
    )
    # Records are prepared one by one: those decided by t of these members are theirs.
    # Joined before filtered: the join keeps a quarter of the rows, so the filter
    # copies a quarter as much text (0.33 s to 0.25 s of processor time, 1 M registry).
    prep = listed_prep.join(members.select("usci", "e", "h"), on="usci").filter(
        pl.col("decided_on") <= t
    )
    days = _change_days(prep.lazy(), first, cat, t).collect().lazy()  # read twice below
    # Each red entity with every change day of its organisation, and the last one
    # up to t (the state of t holds from then). The entity's usci stays out of the
    # million rows below (text costs more to copy), and the last day is found per
    # organisation before the days are joined to the entities.
    d, start, end = pl.col("d"), pl.col("entered_on"), pl.col("scheduled_exit")
    day = pl.lit(t, dtype=pl.Date)
    last = days.filter(d <= day).group_by("h").agg(d.max().alias("_last"))
    per = (
        red.lazy()
        .select("e", "h", "entered_on", "scheduled_exit")
        .join(last, on="h")
        .join(days, on="h")
        .with_columns(_day_key("e", "d"))
        .collect()
    )
    ask = ((start <= d) & (d < day) & (d != pl.col("_last"))) | (
        (day < d) & (end.is_null() | (d < end))
    )
    red_on = _red_days(per.filter(ask).select("e", "d"), members.drop("h"), prep, cat, t)
    # Met as one integer per (entity, day): a set of integers, not a join on two columns.
    red_keys = red_on.select(_day_key("e", "d")).to_series().implode()
    # Before the red records' stretch, and from its end, the entity is not red.
    # (A column before grouping: inside the groups, the set would be one per group.)
    per = per.with_columns(
        (
            (pl.col("_key").is_in(red_keys) | (d == pl.col("_last")))
            & (start <= d)
            & (end.is_null() | (d < end))
        ).alias("_is_red")
    )
    is_red = pl.col("_is_red")
    # Walking back from t: the run of red days ends below at the last day not red.
    not_red_before = d.filter((d < day) & ~is_red).max()
    windows = per.group_by("e").agg(
        d.filter((d < day) & (not_red_before.is_null() | (d > not_red_before)))
        .min()
        .fill_null(day)
        .alias("entered_on"),
        d.filter((d > day) & ~is_red).min().alias("scheduled_exit"),
    )
    return red.select("usci", "e").join(windows, on="e").drop("e")

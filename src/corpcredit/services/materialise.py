"""Materialised views: current results and contributions, and the list-entry history.

The kernel's output for a set of entities replaces their rows in ``results`` and
``contributions`` (with the head office, the computation time and the catalogue
version). ``list_entries`` is history, never rewritten: an entry is opened when an
entity enters a list and closed (``left_on``) when it leaves.

Dates of an entry, as close to the facts as the records allow:

- ``entered_on``: the decision date of the earliest in-force record behind the
  entry, or for an abnormal-operations record that escalated to the black list,
  the escalation date (decision + 36 months by default). The red list by score
  (no flagged commendation behind it) enters on the evaluation date. Never before
  the same list's previous exit, so the history does not overlap.
- ``left_on``: the latest end (expiry, lifting, approved repair) of the records
  that were behind the entry, when all of them have ended by the evaluation date;
  otherwise (a withdrawn record, or a score that fell) the evaluation date.
- ``basis``: the records behind the entry, ``[{"source": …, "record_id": …}]``,
  kept current while the entry is open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.catalogue import Catalogue
from corpcredit.scoring import ScoreOutput, prepare_records
from corpcredit.scoring.frames import CONTRIBUTION_SCHEMA
from corpcredit.services.ingest_sql import (
    fetch_frame,
    insert_frame,
    reset_temp,
    synced,
    temp_table,
)
from corpcredit.store.frames import KernelInputs
from corpcredit.store.schema import LISTS, contributions, list_entries, results

__all__ = [
    "COMPARED",
    "CURRENT_QUERY",
    "CURRENT_SCHEMA",
    "DIGESTED",
    "MEMBERS",
    "OPEN_QUERY",
    "OPEN_SCHEMA",
    "STAMPS",
    "ListChanges",
    "lines_digests",
    "list_basis",
    "listed",
    "open_entries",
    "prepare_listed",
    "replace_results",
    "replace_rows",
    "row_digest",
    "update_list_entries",
    "utc_literal",
]

#: The entities being materialised (filled by the loader); ``scoped`` writes touch
#: only these, unscoped ones the whole registry.
MEMBERS = temp_table("_cc_rescore_members", sa.Column("usci", sa.String(18), primary_key=True))
_SCOPE = sa.select(MEMBERS.c.usci)

_BASIS_SCHEMA: dict[str, pl.DataType] = {
    "usci": pl.Utf8(),
    "list": pl.Utf8(),
    "source": pl.Utf8(),
    "record_id": pl.Utf8(),
    "start": pl.Date(),
}


@dataclass(frozen=True)
class ListChanges:
    """How many list entries were opened and closed."""

    entered: int = 0
    left: int = 0


#: Result columns a rescore stamps rather than computes: they never make a row differ.
#: The evaluation date is set on every row; the time of computation changes with it
#: or with the row's contents, so a rescore at the same date that changes nothing
#: writes nothing (it is never read back; it says when the row was last computed).
STAMPS = ("as_of", "computed_at")
#: Result columns compared before a whole-registry rescore, to find what changed.
COMPARED = tuple(c.name for c in results.columns if c.name not in STAMPS)
#: The :data:`COMPARED` columns a row's digest covers: all but the digest itself.
DIGESTED = tuple(c for c in COMPARED if c != "row_digest")
#: What a whole-registry rescore reads back of each stored result: its two digests,
#: and the evaluation date (to skip the stamps when no date differs). Reading every
#: compared column of a million rows cost four times more processor time (1.3 s
#: against 0.3 s, in the reader processes, while the kernel scores beside them).
CURRENT_SCHEMA: dict[str, pl.DataType] = {
    "usci": pl.Utf8(),
    "row_digest": pl.Int64(),
    "lines_digest": pl.Int64(),
    "as_of": pl.Date(),
}
CURRENT_QUERY = sa.select(*[results.c[c] for c in CURRENT_SCHEMA])
_SYNC_KEYS = temp_table("_cc_sync_keys", sa.Column("usci", sa.String(18), primary_key=True))


def lines_digests(lines: pl.DataFrame) -> pl.DataFrame:
    """``usci``, ``lines_digest``: the sum (wrapping, as a signed 64-bit integer) of a
    hash of each of an entity's contribution lines, exactly as they are stored.

    Lines are unique per entity (their key is in them), so the sum is a digest of the
    set: equal digests mean equal lines, short of a 2⁻⁶⁴ accident. Polars keeps its
    hashes stable within a version only: after an upgrade of Polars every digest
    differs once, and the next full rescore rewrites every line, which is correct.
    """
    return _digests(lines.lazy()).collect()


def row_digest() -> pl.Expr:
    """``row_digest``: a hash of a result row's :data:`DIGESTED` columns as they are
    written, as a signed 64-bit integer. Equal digests mean equal rows, short of a
    2⁻⁶⁴ accident; like :func:`lines_digests`, it is stable within a version of Polars
    only, and after an upgrade the next full rescore rewrites every row once.

    The digest is of what this module wrote: a row edited in place by other means
    keeps it, and a full rescore takes the row as written. A migration that edits
    results must clear ``row_digest`` (as 0008 cleared ``lines_digest``)."""
    return pl.struct(DIGESTED).hash(seed=0).reinterpret(signed=True).alias("row_digest")


def _digests(lines: pl.LazyFrame) -> pl.LazyFrame:
    return (
        lines.select("usci", pl.struct(pl.all()).hash(seed=0).alias("h"))
        .group_by("usci")
        .agg(pl.col("h").sum().reinterpret(signed=True).alias("lines_digest"))
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def utc_literal(ts: datetime) -> pl.Expr:
    """``pl.lit(ts).cast(pl.Datetime("us", "UTC"))`` (a naive ``ts`` read as UTC), made
    from its microseconds: Polars builds a Series for a literal with a time zone, which
    cost half a millisecond of each rescore of one organisation."""
    aware = ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)
    micros = (aware - _EPOCH) // _MICROSECOND
    return pl.lit(micros, dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))


def replace_results(
    conn: Connection,
    out: ScoreOutput,
    heads: pl.DataFrame,
    computed_at: datetime,
    *,
    scoped: bool,
    current: pl.DataFrame | None = None,
) -> None:
    """Replace the results and contributions of :data:`MEMBERS` (or of everyone).

    ``heads`` maps ``usci`` to ``head_usci``; ``out`` must cover every entity in
    scope, so no stale row survives. For a whole-registry replace, ``current`` (the
    :data:`CURRENT_SCHEMA` columns of every row of ``results``, read before anything
    was written) lets it write only what changed: the results whose row digest
    differs, the lines of entities whose lines digest differs, and the stamps.
    Without it, a SQLite file with scratch space has SQLite compare every row
    (:func:`.ingest_sql.synced`), and other databases rewrite both tables.
    """
    version = out.results.get_column("catalogue_version")
    lines_plan = (
        out.contributions.lazy()
        .with_columns(
            pl.lit(version[0] if len(version) else None, dtype=pl.Utf8).alias("catalogue_version")
        )
        .select([c.name for c in contributions.columns])
        .cast(_LINE_TYPES)  # type: ignore[arg-type]
    )
    res_plan = (
        _with_heads(out.results, heads)
        .join(_digests(lines_plan), on="usci", how="left")
        .with_columns(
            pl.col("lines_digest").fill_null(0),
            utc_literal(computed_at).alias("computed_at"),
        )
        .select([c.name for c in results.columns if c.name != "row_digest"])
        .with_columns(row_digest())
    )
    # One query for both (one organisation's few rows would pay Polars' cost per step).
    lines, res = pl.collect_all([lines_plan, res_plan])
    if not scoped and current is not None:
        _replace_changed(conn, res, lines, current)
        return
    if not scoped and synced(conn, results, res, stamps=STAMPS):
        if not synced(conn, contributions, lines):
            conn.execute(contributions.delete())
            insert_frame(conn, contributions, lines)
        return
    if scoped:
        conn.execute(contributions.delete().where(contributions.c.usci.in_(_SCOPE)))
        conn.execute(results.delete().where(results.c.usci.in_(_SCOPE)))
    else:
        conn.execute(contributions.delete())
        conn.execute(results.delete())
    insert_frame(conn, results, res)
    insert_frame(conn, contributions, lines)


def _with_heads(results: pl.DataFrame, heads: pl.DataFrame) -> pl.LazyFrame:
    """``results`` with the ``head_usci`` of each entity from ``heads``."""
    usci = results.get_column("usci")
    if usci.equals(heads.get_column("usci")):  # the same entities in the same order
        return results.lazy().with_columns(heads.get_column("head_usci"))
    return results.lazy().join(heads.lazy().select("usci", "head_usci"), on="usci", how="left")


#: The contribution lines as stored (and hashed): the kernel's, with the catalogue version
#: and without the record's text (its authority and decision number, read from
#: ``records`` where a line is shown).
_LINE_TYPES: dict[str, pl.DataType] = {
    **{k: v for k, v in CONTRIBUTION_SCHEMA.items() if k in contributions.c},
    "catalogue_version": pl.Utf8(),
}


def _replace_changed(
    conn: Connection, res: pl.DataFrame, lines: pl.DataFrame, current: pl.DataFrame
) -> None:
    """The whole registry's results and lines, writing only what differs from ``current``."""
    dates = current.get_column("as_of")
    rewrite, relined = differences(res, current)
    replace_rows(conn, results, rewrite, res, res.height)
    replace_rows(conn, contributions, relined, lines, res.height)
    stamps = res.select(STAMPS).unique()
    # Read with the rest: the rows are all scanned only when some date differs.
    if stamps.height == 1 and not (dates == stamps.item(0, "as_of")).all():
        as_of, at = stamps.row(0)
        conn.execute(
            results.update()
            .where(results.c.as_of.is_distinct_from(as_of))
            .values(as_of=as_of, computed_at=at)
        )


def differences(res: pl.DataFrame, current: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The entities (``usci``) whose result row, and those whose contribution lines,
    must be rewritten for the stored rows ``current`` to become ``res`` (both with
    their ``row_digest`` and ``lines_digest``): those whose row digest (a row stored
    without one, before digests were kept, differs from any), or whose lines digest
    differs, respectively; those with no stored row; and, in both, those stored but
    no longer in ``res``."""
    digests = ["usci", "row_digest", "lines_digest"]
    current = current.select(digests).cast(res.select(digests).schema)
    # Each result meets the row stored for its entity in one join on usci (the key of
    # both), then the digests are compared side by side.
    paired = (
        res.lazy()
        .select(digests)
        .join(
            current.lazy().with_columns(pl.lit(True).alias("_stored")),
            on="usci",
            how="left",
            suffix="_was",
        )
    )
    new = pl.col("_stored").is_null()
    flags = paired.select(
        "usci",
        (new | pl.col("row_digest").ne_missing(pl.col("row_digest_was"))).alias("_changed"),
        (new | pl.col("lines_digest").ne_missing(pl.col("lines_digest_was"))).alias("_stale"),
        (~new).alias("_kept"),
    ).collect()
    # Rows stored for entities no longer scored (each stored row is one entity's).
    kept = int(flags.get_column("_kept").sum())
    gone = (
        current.join(res, on="usci", how="anti").select("usci")
        if kept < current.height
        else current.clear().select("usci")
    )
    return (
        pl.concat([gone, flags.filter("_changed").select("usci")]),
        pl.concat([gone, flags.filter("_stale").select("usci")]),
    )


def replace_rows(
    conn: Connection, table: sa.Table, keys: pl.DataFrame, rows: pl.DataFrame, entities: int
) -> None:
    """Delete ``table``'s rows of the entities in ``keys`` and insert theirs from
    ``rows`` (the whole table as it should be); when most entities are in ``keys``,
    every row is rewritten instead."""
    if keys.is_empty():
        return
    if keys.height * 2 > entities:
        conn.execute(table.delete())
        insert_frame(conn, table, rows)
        return
    reset_temp(conn, _SYNC_KEYS)
    insert_frame(conn, _SYNC_KEYS, keys.unique())
    scope = sa.select(_SYNC_KEYS.c.usci)
    conn.execute(table.delete().where(table.c.usci.in_(scope)))
    insert_frame(conn, table, rows.join(keys, on="usci", how="semi"))


def list_basis(
    frames: KernelInputs,
    cat: Catalogue,
    as_of: date,
    prep: pl.DataFrame | pl.LazyFrame | None = None,
) -> pl.DataFrame:
    """The in-force records behind each possible list entry, with the date each starts it.

    Rows ``(usci, list, source, record_id, start)``; the kernel's flags decide which
    entries exist, this only explains them. ``red`` rows come from flagged
    commendations (start: decision date) and, for the red list by score, from the
    qualifying records (start: null, meaning the evaluation date). ``prep`` is
    :func:`corpcredit.scoring.prepare_records` of ``frames``, when already at hand.
    """
    if prep is None:
        prep = prepare_records(frames.records, frames.events, cat, None)
    # Lazily: each list's rows are gathered with only the columns the basis keeps.
    prep = prep.lazy()
    t = pl.lit(as_of, dtype=pl.Date)
    months = cat.lists.abnormal_escalation_months
    escalation = pl.col("decided_on").dt.offset_by(f"{months}mo")
    f = (pl.col("decided_on") <= t) & (pl.col("end").is_null() | (t < pl.col("end")))
    serious = pl.col("tier_eff") == "serious"
    black_flag = pl.col("black_kind") | pl.col("black").fill_null(False)
    parts = {
        "black": (f & serious & black_flag, pl.col("decided_on")),
        "black_escalated": (f & pl.col("abnormal_kind") & (t >= escalation), escalation),
        "abnormal": (f & pl.col("abnormal_kind"), pl.col("decided_on")),
        "red": (
            f & pl.col("red_if_flagged") & pl.col("red").fill_null(False),
            pl.col("decided_on"),
        ),
        "red_score": (f & pl.col("red_qualifying"), pl.lit(None, dtype=pl.Date)),
    }
    frames_out = [
        prep.filter(mask).select(
            "usci",
            pl.lit(name.split("_")[0]).alias("list"),
            "source",
            "record_id",
            start.alias("start"),
        )
        for name, (mask, start) in parts.items()
    ]
    return pl.concat(frames_out).cast(_BASIS_SCHEMA).collect()  # type: ignore[arg-type]


#: Up to this many results (one organisation), list flags are read in Python.
_FEW_RESULTS = 64
_LISTED_SCHEMA = {"usci": pl.Utf8(), "list": pl.Utf8()}


def listed(out: ScoreOutput) -> pl.DataFrame:
    """(usci, list) for every list flag the kernel set, list by list."""
    results = out.results
    if results.height > _FEW_RESULTS:
        return _listed_by_query(results)
    usci = results.get_column("usci").to_list()
    rows = [
        (u, name)
        for name in LISTS
        for u, flag in zip(usci, results.get_column(name).to_list(), strict=True)
        if flag
    ]
    return pl.DataFrame(rows, schema=_LISTED_SCHEMA, orient="row")


def _listed_by_query(results: pl.DataFrame) -> pl.DataFrame:
    return (
        results.lazy()
        .select("usci", *LISTS)
        .unpivot(index="usci", variable_name="list")
        .filter(pl.col("value"))
        .select("usci", "list")
        .collect()
    )


def _kept_rows(
    frames: KernelInputs, out: ScoreOutput, also: pl.DataFrame | None
) -> pl.Series | None:
    """The rows of the kept prepared records :func:`prepare_listed` takes, found by
    entity number (a record's row of the results) rather than by text: the entities
    wanted are marked once, and each record looks its entity up (at a million
    organisations, a test of 4.9 M identifiers against 200,000 cost 0.9 s of processor
    time). None where the numbers cannot serve: the results do not list the entities
    of ``frames`` in their order."""
    prepared, results = out.prepared, out.results
    if (
        prepared is None
        or "eid" not in prepared.columns
        or results.is_empty()
        or not results.get_column("usci").equals(frames.entities.get_column("usci"))
    ):
        return None
    heads = frames.entities.get_column("head_usci")
    entity = results.select(pl.any_horizontal(*LISTS)).to_series() | heads.is_in(
        heads.filter(results.get_column("red")).implode()
    )
    if also is not None:
        entity = entity | results.get_column("usci").is_in(also.get_column("usci").implode())
    eid = prepared.get_column("eid")
    rows = pl.Series(entity.to_numpy()[eid.fill_null(0).to_numpy()])
    if eid.null_count():  # records of an entity not in the registry: by identifier
        unknown = eid.is_null()
        if also is not None:
            asked = prepared.get_column("usci").is_in(also.get_column("usci").implode())
            rows = (rows & ~unknown) | (unknown & asked)
        else:
            rows = rows & ~unknown
    return rows & ~prepared.get_column("withdrawn")


def prepare_listed(
    frames: KernelInputs, out: ScoreOutput, cat: Catalogue, also: pl.DataFrame | None = None
) -> pl.DataFrame:
    """:func:`corpcredit.scoring.prepare_records` of the records that lists need: those
    of every entity the kernel put on a list, of every member of an organisation with
    an entity on the red list (its window follows the organisation's score), and of
    the entities in ``also`` (a ``usci`` column: those with open entries).

    Each record is prepared on its own, so one frame serves every list computation
    of a rescore (:func:`update_list_entries`,
    :func:`corpcredit.services.windows.list_windows_frame`), each filtering its rows.
    When the kernel kept the records it prepared (``score(..., keep_prepared=True)``,
    without a knowledge time), they are taken from there instead of prepared again.
    """
    results = out.results.lazy()
    red_heads = results.filter(pl.col("red")).join(
        frames.entities.lazy().select("usci", "head_usci"), on="usci"
    )
    wanted = [
        results.filter(pl.any_horizontal(*LISTS)).select("usci"),
        frames.entities.lazy()
        .join(red_heads.select("head_usci").unique(), on="head_usci", how="semi")
        .select("usci"),
    ]
    if also is not None:
        wanted.append(also.lazy().select("usci"))
    scope = pl.concat(wanted).unique()
    if out.prepared is not None:  # one filter: the kept records are copied once
        prepared = out.prepared
        rows = _kept_rows(frames, out, also)
        if rows is None:
            wanted_usci = scope.collect().get_column("usci").implode()
            rows = prepared.select(
                ~pl.col("withdrawn") & pl.col("usci").is_in(wanted_usci)
            ).to_series()
        return prepared.filter(rows).drop("eid", strict=False)
    records = frames.records.lazy().join(scope, on="usci", how="semi")
    events = frames.events.lazy().join(
        records.select("source", "record_id"), on=["source", "record_id"], how="semi"
    )
    return prepare_records(records, events, cat, None).collect()


def _entries(
    frames: KernelInputs,
    listed: pl.DataFrame,
    prep: pl.LazyFrame,
    cat: Catalogue,
    as_of: date,
) -> pl.DataFrame:
    """The entries the lists should have now: usci, list, start, basis (JSON text)."""
    basis = list_basis(frames, cat, as_of, prep).join(listed, on=["usci", "list"], how="semi")
    # A flagged commendation explains a red entry better than the red list by score.
    flagged = basis.filter(pl.col("start").is_not_null())
    basis = pl.concat(
        [
            flagged,
            basis.filter(pl.col("start").is_null()).join(
                flagged.select("usci", "list"), on=["usci", "list"], how="anti"
            ),
        ]
    )
    # The basis as JSON text, built in Polars: [{"source":…,"record_id":…}, …] sorted.
    keys = (
        basis.unique(["usci", "list", "source", "record_id"])
        .sort("usci", "list", "source", "record_id")
        .with_columns(pl.struct("source", "record_id").struct.json_encode().alias("key"))
    )
    grouped = keys.group_by("usci", "list").agg(
        pl.col("start").min(),
        (pl.lit("[") + pl.col("key").str.join(",") + pl.lit("]")).alias("basis"),
    )
    entries = listed.join(grouped, on=["usci", "list"], how="left")
    return entries.with_columns(pl.col("start").fill_null(as_of), pl.col("basis").fill_null("[]"))


def _ends(prep: pl.LazyFrame) -> dict[tuple[str, str], date | None]:
    rows = prep.select("source", "record_id", "end").collect().iter_rows()
    return {(s, r): e for s, r, e in rows}


def _left_on(
    basis: list[dict[str, Any]],
    entered_on: date,
    ends: dict[tuple[str, str], date | None],
    as_of: date,
) -> date:
    keys = [(k["source"], k["record_id"]) for k in basis]
    found = [ends.get(k) for k in keys]
    if keys and all(e is not None and e <= as_of for e in found):
        left = max(e for e in found if e is not None)
    else:
        left = as_of
    return min(max(left, entered_on), as_of) if entered_on <= as_of else entered_on


OPEN_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "usci": pl.Utf8(),
    "list": pl.Utf8(),
    "entered_on": pl.Date(),
    "old_basis": pl.Utf8(),
}
_LAST_SCHEMA: dict[str, pl.DataType] = {
    "usci": pl.Utf8(),
    "list": pl.Utf8(),
    "last_left": pl.Date(),
}


def _open_query(scoped: bool) -> sa.Select[Any]:
    c = list_entries.c
    q = sa.select(c.id, c.usci, c.list, c.entered_on, sa.cast(c.basis, sa.Text)).where(
        c.left_on.is_(None)
    )
    return q.where(c.usci.in_(_SCOPE)) if scoped else q


_QUERIES = {scoped: _open_query(scoped) for scoped in (True, False)}
#: The open list entries of the whole registry, read as :data:`OPEN_SCHEMA`.
OPEN_QUERY = _QUERIES[False]
_c = list_entries.c
#: When each entity of :data:`_SYNC_KEYS` last left each list it has left.
_LAST_LEFT = (
    sa.select(_c.usci, _c.list, sa.func.max(_c.left_on))
    .where(_c.left_on.is_not(None), _c.usci.in_(sa.select(_SYNC_KEYS.c.usci)))
    .group_by(_c.usci, _c.list)
)


def open_entries(conn: Connection, *, scoped: bool) -> pl.DataFrame:
    """The open list entries of :data:`MEMBERS` (or of everyone), as :data:`OPEN_SCHEMA`."""
    return fetch_frame(conn, _QUERIES[scoped], OPEN_SCHEMA, static=True)


def _last_left(conn: Connection, entering: pl.DataFrame) -> pl.DataFrame:
    """(usci, list, last_left) for the entities of ``entering``: the day each last left
    each list. Only theirs are looked up, through the index on ``usci``: grouping every
    closed entry of the registry's history (1.3 million after a few years of daily
    changes) took 2.3 s of each full rescore that opened entries."""
    reset_temp(conn, _SYNC_KEYS)
    insert_frame(conn, _SYNC_KEYS, entering.select("usci").unique())
    return fetch_frame(conn, _LAST_LEFT, _LAST_SCHEMA, static=True)


def update_list_entries(
    conn: Connection,
    frames: KernelInputs,
    out: ScoreOutput,
    cat: Catalogue,
    as_of: date,
    *,
    scoped: bool,
    current: pl.DataFrame | None = None,
    prep: pl.DataFrame | None = None,
    on_lists: pl.DataFrame | None = None,
) -> ListChanges:
    """Open entries for entities that entered a list, close those that left.

    ``scoped``: the output covers :data:`MEMBERS` only (else the whole registry).
    ``current``: the open entries in scope (:data:`OPEN_QUERY`, :data:`OPEN_SCHEMA`),
    when read already; ``prep``: :func:`prepare_listed` with those entries, and
    ``on_lists``: :func:`listed` of ``out``, when at hand.
    """
    if current is None:
        current = open_entries(conn, scoped=scoped)
    if on_lists is None:
        on_lists = listed(out)
    if on_lists.is_empty() and current.is_empty():
        return ListChanges()
    # Only entities on a list, now or before, need the records behind their entries.
    if prep is None:
        prep = prepare_listed(frames, out, cat, current)
    relevant = pl.concat([on_lists.select("usci"), current.select("usci")]).unique()
    # Lazily: the prepared records are wide, and only a few of their columns are used.
    own = prep.lazy().join(relevant.lazy(), on="usci", how="semi")
    wanted = _entries(frames, on_lists, own, cat, as_of)
    keys = ["usci", "list"]
    entering = wanted.join(current, on=keys, how="anti")
    if entering.height:
        last_left = _last_left(conn, entering)
        entering = entering.join(last_left, on=keys, how="left").select(
            "usci",
            "list",
            pl.max_horizontal("start", "last_left").alias("entered_on"),
            pl.lit(None, dtype=pl.Date).alias("left_on"),
            "basis",
        )
        insert_frame(conn, list_entries, entering)
    cols = list_entries.c
    leaving = current.join(wanted, on=keys, how="anti")
    if leaving.height:
        bases = [
            (i, e, json.loads(b or "[]"))
            for i, e, b in leaving.select("id", "entered_on", "old_basis").iter_rows()
        ]
        cited = pl.DataFrame(
            [(k["source"], k["record_id"]) for _, _, basis in bases for k in basis],
            schema={"source": pl.Utf8, "record_id": pl.Utf8},
            orient="row",
        )
        # The ends of the records the bases cite, of the leaving entities: a dictionary
        # of all their records cost a second at a few tens of thousands of entries.
        ends = _ends(
            own.join(leaving.lazy().select("usci").unique(), on="usci", how="semi").join(
                cited.lazy().unique(), on=["source", "record_id"], how="semi"
            )
        )
        params = [{"_id": i, "_left": _left_on(b, e, ends, as_of)} for i, e, b in bases]
        conn.execute(
            list_entries.update()
            .where(cols.id == sa.bindparam("_id"))
            .values(left_on=sa.bindparam("_left")),
            params,
        )
    staying = current.join(wanted.select(*keys, "basis"), on=keys, how="inner")
    # Same text means same basis. SQLite keeps the text written, so a differing one is
    # written as this text, and compares equal from then on; elsewhere the text read
    # back is the database's own, and only a basis that parses differently is written.
    differ = staying.filter(pl.col("old_basis").ne_missing(pl.col("basis")))
    rows = differ.select("id", "old_basis", "basis").iter_rows()
    if conn.dialect.name == "sqlite":
        changed = [{"_id": i, "_basis": new} for i, _, new in rows]
        value = sa.bindparam("_basis", type_=sa.Text())
    else:
        changed = [
            {"_id": i, "_basis": json.loads(new)}
            for i, old, new in rows
            if json.loads(old or "[]") != json.loads(new)
        ]
        value = sa.bindparam("_basis", type_=sa.JSON())
    if changed:
        conn.execute(
            list_entries.update().where(cols.id == sa.bindparam("_id")).values(basis=value),
            changed,
        )
    return ListChanges(entered=entering.height, left=leaving.height)

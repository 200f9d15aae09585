"""Read the registry into the kernel's table shapes (entities, records, events).

The kernel scores whole organisations, so every loader here widens a set of
identifiers to their organisations: the head office and all its branches. With a
knowledge time the record and entity versions current at that moment are read
instead of the current ones (names, parent links and so head offices as they were),
so a past day's page can be reproduced exactly. Feeds give no recording time for
entities: an entity's first version counts as always known, later versions from
when they were ingested. Organisations are widened by today's structure, then
scored by the past one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.scoring.frames import EVENT_SCHEMA, RECORD_SCHEMA
from corpcredit.scoring.org import resolve_heads
from corpcredit.store.schema import (
    entities,
    entity_versions,
    record_events,
    record_versions,
    records,
)

__all__ = ["KernelInputs", "entity_version_at", "load_frames", "organisation_of"]

ENTITY_COLUMNS = ("usci", "parent_usci", "natural_person", "head_usci", "name", "name_en")
_CHUNK = 500  # identifiers per IN (...) list: well under every backend's parameter limit


@dataclass(frozen=True)
class KernelInputs:
    entities: pl.DataFrame
    records: pl.DataFrame
    events: pl.DataFrame


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def organisation_of(conn: Connection, uscis: Sequence[str]) -> list[str]:
    """Every member of the organisations of ``uscis`` (head offices and all branches)."""
    heads: set[str] = set()
    for part in _chunks(sorted(set(uscis))):
        q = sa.select(entities.c.head_usci).where(entities.c.usci.in_(part))
        heads.update(conn.execute(q).scalars())
    members: set[str] = set(uscis)
    for part in _chunks(sorted(heads)):
        q = sa.select(entities.c.usci).where(entities.c.head_usci.in_(part))
        members.update(conn.execute(q).scalars())
    return sorted(members)


def _frame(
    conn: Connection, query: sa.Select[tuple[object, ...]], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    rows = conn.execute(query).mappings().all()
    return (
        pl.DataFrame([dict(r) for r in rows], schema=schema, orient="row")
        if rows
        else pl.DataFrame(schema=schema)
    )


def load_frames(
    conn: Connection,
    uscis: Sequence[str] | None = None,
    *,
    known_at: datetime | None = None,
    whole_organisations: bool = True,
) -> KernelInputs:
    """Entities, records and events of ``uscis``' organisations (all when None)."""
    members: list[str] | None = None
    if uscis is not None:
        members = organisation_of(conn, uscis) if whole_organisations else sorted(set(uscis))
    ent_schema = {
        "usci": pl.Utf8(),
        "parent_usci": pl.Utf8(),
        "natural_person": pl.Boolean(),
        "head_usci": pl.Utf8(),
        "name": pl.Utf8(),
        "name_en": pl.Utf8(),
    }
    src = record_versions if known_at is not None else records
    cols = [src.c[c] for c in RECORD_SCHEMA]
    ev_cols = [record_events.c[c] for c in EVENT_SCHEMA]

    def scoped(
        q: sa.Select[tuple[object, ...]], col: sa.ColumnElement[str], part: Sequence[str] | None
    ) -> sa.Select[tuple[object, ...]]:
        return q if part is None else q.where(col.in_(part))

    parts: list[Sequence[str] | None] = [None] if members is None else [*_chunks(members)]
    ent_frames, rec_frames, ev_frames = [], [], []
    for part in parts:
        if known_at is None:
            eq = sa.select(*[entities.c[c] for c in ENTITY_COLUMNS])
            ent_frames.append(_frame(conn, scoped(eq, entities.c.usci, part), ent_schema))
        else:
            ent_frames.append(
                _frame(conn, scoped(_entities_known_at(known_at), entities.c.usci, part),
                       {c: t for c, t in ent_schema.items() if c != "head_usci"})
            )  # fmt: skip
        rq = scoped(sa.select(*cols), src.c.usci, part)
        if known_at is not None:
            # The version current at known_at: the newest one recorded by then. The
            # inner table is an alias so that the subquery is correlated per record
            # (on the same table SQLAlchemy would not correlate it, and the maximum
            # would be taken over every record's versions).
            inner = record_versions.alias("newest_version")
            newest = (
                sa.select(sa.func.max(inner.c.version))
                .where(
                    inner.c.record_pk == src.c.record_pk,
                    inner.c.recorded_at <= known_at,
                )
                .scalar_subquery()
            )
            rq = rq.where(src.c.version == newest)
        rec_frames.append(_frame(conn, rq, RECORD_SCHEMA))
        eq = sa.select(*ev_cols).join(
            records,
            sa.and_(
                records.c.source == record_events.c.source,
                records.c.record_id == record_events.c.record_id,
            ),
        )
        ev_frames.append(_frame(conn, scoped(eq, records.c.usci, part), EVENT_SCHEMA))
    if not parts:  # an empty list of identifiers: empty frames, not a concat error
        return KernelInputs(
            entities=pl.DataFrame(schema=ent_schema),
            records=pl.DataFrame(schema=RECORD_SCHEMA),
            events=pl.DataFrame(schema=EVENT_SCHEMA),
        )
    ents = pl.concat(ent_frames).sort("usci")
    if known_at is not None:  # head offices as the parent links were then
        heads, _ = resolve_heads(ents)
        ents = ents.join(heads.select("usci", "head_usci"), on="usci").select(list(ent_schema))
    return KernelInputs(
        entities=ents,
        records=pl.concat(rec_frames),
        events=pl.concat(ev_frames),
    )


def _entities_known_at(known_at: datetime) -> sa.Select[tuple[object, ...]]:
    """Each entity as its version current at ``known_at`` has it: the newest version
    recorded by then, else its first; an entity with no versions at all (written
    by other means than ingestion) as it is now."""
    v = entity_versions.alias("known_version")
    inner = entity_versions.alias("newest_entity_version")
    newest = sa.func.coalesce(
        sa.select(sa.func.max(inner.c.version))
        .where(inner.c.usci == entities.c.usci, inner.c.recorded_at <= known_at)
        .scalar_subquery(),
        1,
    )
    joined = entities.outerjoin(v, sa.and_(v.c.usci == entities.c.usci, v.c.version == newest))
    cols = [
        entities.c.usci,
        *[
            sa.case((v.c.usci.is_(None), entities.c[c]), else_=v.c[c]).label(c)
            for c in ("parent_usci", "natural_person", "name", "name_en")
        ],
    ]
    return sa.select(*cols).select_from(joined)


_VERSION_FIELDS = ("name", "name_en", "legal_form", "status", "parent_usci", "natural_person")


def entity_version_at(conn: Connection, usci: str, known_at: datetime) -> dict[str, object] | None:
    """The entity's content as known at ``known_at`` (its newest version recorded by
    then, else its first), with ``aliases`` as a tuple; None when it has no versions."""
    v = entity_versions
    newest = sa.func.coalesce(
        sa.select(sa.func.max(v.c.version))
        .where(v.c.usci == usci, v.c.recorded_at <= known_at)
        .scalar_subquery(),
        1,
    )
    row = (
        conn.execute(
            sa.select(*[v.c[c] for c in _VERSION_FIELDS], v.c.aliases).where(
                v.c.usci == usci, v.c.version == newest
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    out: dict[str, object] = {c: row[c] for c in _VERSION_FIELDS}
    out["aliases"] = tuple(row["aliases"].split("|")) if row["aliases"] else ()
    return out

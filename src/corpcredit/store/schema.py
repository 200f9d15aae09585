"""The registry's tables: SQLAlchemy Core, one ``MetaData``, portable SQLite/PostgreSQL.

Conventions:

- Instants are :class:`~corpcredit.store.types.UTCDateTime` (aware, UTC); dates are
  ``Date``; identifiers (USCI) are stored normalised, 18 characters.
- Points are **integer hundredths** (``*_points_h``, ``points_h``): the kernel
  computes in hundredths so every engine agrees to the bit, and storing them the
  same way keeps that promise through the database (``-47.50`` is ``-4750``).
- Aliases live in their own table (``entity_aliases``), not in a JSON column: the
  name search looks them up through an index, which JSON text cannot offer
  portably, and adding or removing one alias is a single row.
- ``parent_usci`` has no foreign key: a branch may arrive before its head office.
- Records are never deleted. ``records`` holds the current version per
  ``(source, record_id)``; ``record_versions`` holds every version, the current one
  included (``superseded_at`` is null), so a past day can be reproduced.
- ``result_lists`` and the ``search_*`` tables are derived, like ``results``: the
  rescoring service rewrites them, and the public lookups and name search read
  them instead of recomputing (``services/windows.py``, ``services/name_index.py``).
- The audit log's ``seq`` is assigned by the appender (head + 1), not by the
  database, so two writers that ever raced would collide on the key instead of
  forking the chain.

Any change here needs a new migration in ``store/migrations/versions``; a test
fails while the two disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from corpcredit.store.types import BigId, UTCDateTime

__all__ = [
    "LISTS",
    "audit_log",
    "contributions",
    "entities",
    "entity_aliases",
    "entity_versions",
    "ingest_batches",
    "list_entries",
    "metadata",
    "quarantine",
    "record_events",
    "record_versions",
    "records",
    "result_lists",
    "results",
    "search_grams",
    "search_names",
]

#: Deterministic constraint names, so migrations can refer to them on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The lists an entity can be on (DOMAIN.md §5).
LISTS = ("black", "red", "abnormal")

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

_Usci = sa.String(18)
_Hash = sa.String(64)


def _now() -> datetime:
    return datetime.now(UTC)


def _batch_ref() -> sa.Column[int]:
    return sa.Column("batch_id", BigId, sa.ForeignKey("ingest_batches.id"), nullable=True)


ingest_batches = sa.Table(
    "ingest_batches",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("kind", sa.String(), nullable=False),  # entities | records | events
    sa.Column("file", sa.Text(), nullable=False),
    sa.Column("file_sha256", _Hash, nullable=False, index=True),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("counts", sa.JSON(), nullable=True),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("batch_id", BigId, sa.ForeignKey("ingest_batches.id"), nullable=False, index=True),
    sa.Column("file", sa.Text(), nullable=False),
    sa.Column("row", sa.Integer(), nullable=False),
    sa.Column("column", sa.String(), nullable=False),
    sa.Column("value", sa.Text(), nullable=False),
    sa.Column("code", sa.String(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
)

entities = sa.Table(
    "entities",
    metadata,
    sa.Column("usci", _Usci, primary_key=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("name_en", sa.Text(), nullable=True),
    sa.Column("legal_form", sa.String(), nullable=True),
    sa.Column("status", sa.String(), nullable=False, default="active"),
    sa.Column("registered_on", sa.Date(), nullable=True),
    sa.Column("address", sa.Text(), nullable=True),
    sa.Column("parent_usci", _Usci, nullable=True, index=True),
    # The resolved head office: itself for a head office, a natural person, or a
    # branch whose parent is not (yet) in the registry. Bulk scoring shards on it.
    sa.Column("head_usci", _Usci, nullable=False, index=True),
    sa.Column("natural_person", sa.Boolean(), nullable=False, default=False),
    sa.Column("division_code", sa.String(6), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("updated_at", UTCDateTime(), nullable=False, default=_now),
)

entity_aliases = sa.Table(
    "entity_aliases",
    metadata,
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), primary_key=True),
    sa.Column("alias", sa.Text(), primary_key=True),
    sa.Index(None, "alias"),
)


#: Every content an entity has had, so a view "as known at" a past moment shows the
#: names, status and parent of then. Version 1 of an entity that predates
#: versioning (migration 0006) is dated to its creation.
entity_versions = sa.Table(
    "entity_versions",
    metadata,
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), primary_key=True),
    sa.Column("version", sa.Integer(), primary_key=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("name_en", sa.Text(), nullable=True),
    sa.Column("legal_form", sa.String(), nullable=True),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("parent_usci", _Usci, nullable=True),
    sa.Column("natural_person", sa.Boolean(), nullable=False),
    sa.Column("aliases", sa.Text(), nullable=True),  # sorted, joined with "|"
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
)


def _record_fields() -> list[sa.Column[Any]]:
    """The records-feed columns, shared by ``records`` and ``record_versions``."""
    return [
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("tier", sa.String(), nullable=True),  # empty for tax_grade
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("authority", sa.Text(), nullable=False),
        sa.Column("decision_no", sa.Text(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("amount_cny", sa.Numeric(18, 2), nullable=True),
        sa.Column("grade", sa.String(1), nullable=True),
        sa.Column("black", sa.Boolean(), nullable=False, default=False),
        sa.Column("red", sa.Boolean(), nullable=False, default=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    ]


records = sa.Table(
    "records",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("record_id", sa.String(), nullable=False),
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), nullable=False, index=True),
    *_record_fields(),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("content_hash", _Hash, nullable=False),
    _batch_ref(),
    sa.UniqueConstraint("source", "record_id"),
)

record_versions = sa.Table(
    "record_versions",
    metadata,
    sa.Column("record_pk", BigId, sa.ForeignKey("records.id"), primary_key=True),
    sa.Column("version", sa.Integer(), primary_key=True),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("record_id", sa.String(), nullable=False),
    sa.Column("usci", _Usci, nullable=False),
    *_record_fields(),
    sa.Column("content_hash", _Hash, nullable=False),
    _batch_ref(),
    sa.Column("superseded_at", UTCDateTime(), nullable=True),
)

record_events = sa.Table(
    "record_events",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("record_id", sa.String(), nullable=False),
    sa.Column("event", sa.String(), nullable=False),  # lifted | repaired | withdrawn | ...
    sa.Column("effective_on", sa.Date(), nullable=False),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
    _batch_ref(),
    sa.UniqueConstraint("source", "record_id", "event", "effective_on"),
    sa.ForeignKeyConstraint(["source", "record_id"], ["records.source", "records.record_id"]),
)

results = sa.Table(
    "results",
    metadata,
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), primary_key=True),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("natural_person", sa.Boolean(), nullable=False),
    sa.Column("score", sa.Integer(), nullable=True),  # null for natural persons
    sa.Column("grade", sa.String(3), nullable=True),
    sa.Column("black", sa.Boolean(), nullable=False),
    sa.Column("red", sa.Boolean(), nullable=False),
    sa.Column("abnormal", sa.Boolean(), nullable=False),
    sa.Column("own_points_h", sa.BigInteger(), nullable=True),
    sa.Column("received_points_h", sa.BigInteger(), nullable=True),
    sa.Column("next_change", sa.Date(), nullable=True, index=True),
    sa.Column("catalogue_version", sa.String(), nullable=False),
    # When the row was last computed to hold what it holds, at its ``as_of``.
    sa.Column("computed_at", UTCDateTime(), nullable=False),
    sa.Column("head_usci", _Usci, nullable=True, index=True),
    # The sum (mod 2^64, as a signed integer) of a hash of each of the entity's
    # contribution lines as stored: a full rescore rewrites the lines of the
    # entities whose digest changed (``services/materialise.py``).
    sa.Column("lines_digest", sa.BigInteger(), nullable=True),
    # A hash of the row's other columns but the two stamps (``as_of``, ``computed_at``):
    # a full rescore reads it back instead of every column to find the rows that
    # changed (``services/materialise.py``).
    sa.Column("row_digest", sa.BigInteger(), nullable=True),
)

contributions = sa.Table(
    "contributions",
    metadata,
    # One line per (entity, record): a record counts once for its own entity and
    # travels at most once to each other member of the organisation.
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), primary_key=True),
    sa.Column("record_source", sa.String(), primary_key=True),
    sa.Column("record_id", sa.String(), primary_key=True),
    sa.Column("from_usci", _Usci, nullable=False),
    sa.Column("role", sa.String(), nullable=False),  # own | from_branch | from_head | ...
    sa.Column("points_h", sa.BigInteger(), nullable=False),
    sa.Column("ends_on", sa.Date(), nullable=True),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("tier", sa.String(), nullable=True),
    # The record's authority and decision number are read from ``records`` where
    # shown: a retitled record changes no line, and no rescore reads or hashes them.
    sa.Column("catalogue_version", sa.String(), nullable=False),
)

list_entries = sa.Table(
    "list_entries",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), nullable=False, index=True),
    sa.Column("list", sa.String(), nullable=False),
    sa.Column("entered_on", sa.Date(), nullable=False),
    sa.Column("left_on", sa.Date(), nullable=True),  # null while on the list
    sa.Column("basis", sa.JSON(), nullable=True),  # the records behind the entry
    sa.CheckConstraint(sa.column("list").in_(LISTS), name="list"),
    sa.Index(None, "list", "left_on"),
)

result_lists = sa.Table(
    "result_lists",
    metadata,
    # One row per list a materialised result is on: its stretch on the list at the
    # result's date (``services.lists.Window``), so a lookup needs no kernel run.
    # ``grounds``: [{"source", "record_id", "rule", "entered_on", "ends_on",
    # "repair_from"}], dates ISO. Rewritten with ``results``.
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), primary_key=True),
    sa.Column("list", sa.String(), primary_key=True),
    sa.Column("entered_on", sa.Date(), nullable=False),
    sa.Column("scheduled_exit", sa.Date(), nullable=True),
    sa.Column("earliest_repair", sa.Date(), nullable=True),
    sa.Column("grounds", sa.JSON(), nullable=False),
    sa.CheckConstraint(sa.column("list").in_(LISTS), name="list"),
)

search_names = sa.Table(
    "search_names",
    metadata,
    # Every searchable name folded (NFKC, simplified characters, lower case):
    # a registered name, and for organisations their English name and aliases.
    # ``stamp`` is the entity's ``updated_at`` when its names were indexed, so the
    # index catches up with exactly the entities that changed since.
    sa.Column("id", BigId, primary_key=True, autoincrement=False),
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), nullable=False, index=True),
    sa.Column("field", sa.String(), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("stamp", UTCDateTime(), nullable=False),
    sa.CheckConstraint(sa.column("field").in_(["name", "name_en", "alias"]), name="field"),
)

search_grams = sa.Table(
    "search_grams",
    metadata,
    # The n-grams of each search name, as integers (``services/name_index.py``):
    # the primary key is the posting list of each gram. No foreign key: millions
    # of rows are written in bulk, and their names are deleted by the same code.
    sa.Column("gram", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("name_id", sa.BigInteger(), primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", BigId, primary_key=True, autoincrement=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.String(), nullable=False),
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("object_type", sa.String(), nullable=False),
    sa.Column("object_id", sa.String(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),  # canonical JSON, hashed byte for byte
    sa.Column("prev_hash", _Hash, nullable=False),
    sa.Column("hash", _Hash, nullable=False),
    sa.Index(None, "object_type", "object_id"),
)

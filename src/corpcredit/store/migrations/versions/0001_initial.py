"""Initial schema: every table of the registry.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Frozen: it uses plain SQLAlchemy types and imports nothing from corpcredit, so later
changes to ``store/schema.py`` need a new revision rather than an edit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> Any:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _usci() -> sa.String:
    return sa.String(length=18)


def _hash() -> sa.String:
    return sa.String(length=64)


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _record_fields() -> list[sa.Column[Any]]:
    return [
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("tier", sa.String(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("authority", sa.Text(), nullable=False),
        sa.Column("decision_no", sa.Text(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("amount_cny", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("black", sa.Boolean(), nullable=False),
        sa.Column("red", sa.Boolean(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", _instant(), nullable=False),
    ]


def _batch_ref(table: str) -> list[Any]:
    return [
        sa.Column("batch_id", _id(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=f"fk_{table}_batch_id_ingest_batches"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "ingest_batches",
        sa.Column("id", _id(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("file_sha256", _hash(), nullable=False),
        sa.Column("started_at", _instant(), nullable=False),
        sa.Column("finished_at", _instant(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_batches"),
    )
    op.create_index("ix_ingest_batches_file_sha256", "ingest_batches", ["file_sha256"])

    op.create_table(
        "quarantine",
        sa.Column("id", _id(), nullable=False),
        sa.Column("batch_id", _id(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name="fk_quarantine_batch_id_ingest_batches"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_quarantine"),
    )
    op.create_index("ix_quarantine_batch_id", "quarantine", ["batch_id"])

    op.create_table(
        "entities",
        sa.Column("usci", _usci(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("legal_form", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("parent_usci", _usci(), nullable=True),
        sa.Column("head_usci", _usci(), nullable=False),
        sa.Column("natural_person", sa.Boolean(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("usci", name="pk_entities"),
    )
    op.create_index("ix_entities_head_usci", "entities", ["head_usci"])
    op.create_index("ix_entities_parent_usci", "entities", ["parent_usci"])

    op.create_table(
        "entity_aliases",
        sa.Column("usci", _usci(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["usci"], ["entities.usci"], name="fk_entity_aliases_usci_entities"
        ),
        sa.PrimaryKeyConstraint("usci", "alias", name="pk_entity_aliases"),
    )
    op.create_index("ix_entity_aliases_alias", "entity_aliases", ["alias"])

    op.create_table(
        "records",
        sa.Column("id", _id(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("usci", _usci(), nullable=False),
        *_record_fields(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", _hash(), nullable=False),
        *_batch_ref("records"),
        sa.ForeignKeyConstraint(["usci"], ["entities.usci"], name="fk_records_usci_entities"),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint("source", "record_id", name="uq_records_source_record_id"),
    )
    op.create_index("ix_records_usci", "records", ["usci"])

    op.create_table(
        "record_versions",
        sa.Column("record_pk", _id(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("usci", _usci(), nullable=False),
        *_record_fields(),
        sa.Column("content_hash", _hash(), nullable=False),
        *_batch_ref("record_versions"),
        sa.Column("superseded_at", _instant(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_pk"], ["records.id"], name="fk_record_versions_record_pk_records"
        ),
        sa.PrimaryKeyConstraint("record_pk", "version", name="pk_record_versions"),
    )

    op.create_table(
        "record_events",
        sa.Column("id", _id(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", _instant(), nullable=False),
        *_batch_ref("record_events"),
        sa.ForeignKeyConstraint(
            ["source", "record_id"],
            ["records.source", "records.record_id"],
            name="fk_record_events_source_record_id_records",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_record_events"),
        sa.UniqueConstraint(
            "source",
            "record_id",
            "event",
            "effective_on",
            name="uq_record_events_source_record_id_event_effective_on",
        ),
    )

    op.create_table(
        "results",
        sa.Column("usci", _usci(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("natural_person", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(length=3), nullable=True),
        sa.Column("black", sa.Boolean(), nullable=False),
        sa.Column("red", sa.Boolean(), nullable=False),
        sa.Column("abnormal", sa.Boolean(), nullable=False),
        sa.Column("own_points_h", sa.BigInteger(), nullable=True),
        sa.Column("received_points_h", sa.BigInteger(), nullable=True),
        sa.Column("next_change", sa.Date(), nullable=True),
        sa.Column("catalogue_version", sa.String(), nullable=False),
        sa.Column("computed_at", _instant(), nullable=False),
        sa.Column("head_usci", _usci(), nullable=True),
        sa.ForeignKeyConstraint(["usci"], ["entities.usci"], name="fk_results_usci_entities"),
        sa.PrimaryKeyConstraint("usci", name="pk_results"),
    )
    op.create_index("ix_results_head_usci", "results", ["head_usci"])
    op.create_index("ix_results_next_change", "results", ["next_change"])

    op.create_table(
        "contributions",
        sa.Column("usci", _usci(), nullable=False),
        sa.Column("record_source", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("from_usci", _usci(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("points_h", sa.BigInteger(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("tier", sa.String(), nullable=True),
        sa.Column("authority", sa.Text(), nullable=False),
        sa.Column("decision_no", sa.Text(), nullable=True),
        sa.Column("catalogue_version", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["usci"], ["entities.usci"], name="fk_contributions_usci_entities"),
        sa.PrimaryKeyConstraint("usci", "record_source", "record_id", name="pk_contributions"),
    )

    op.create_table(
        "list_entries",
        sa.Column("id", _id(), nullable=False),
        sa.Column("usci", _usci(), nullable=False),
        sa.Column("list", sa.String(), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("basis", sa.JSON(), nullable=True),
        sa.CheckConstraint("list IN ('black', 'red', 'abnormal')", name="ck_list_entries_list"),
        sa.ForeignKeyConstraint(["usci"], ["entities.usci"], name="fk_list_entries_usci_entities"),
        sa.PrimaryKeyConstraint("id", name="pk_list_entries"),
    )
    op.create_index("ix_list_entries_list_left_on", "list_entries", ["list", "left_on"])
    op.create_index("ix_list_entries_usci", "list_entries", ["usci"])

    op.create_table(
        "audit_log",
        sa.Column("seq", _id(), autoincrement=False, nullable=False),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("object_type", sa.String(), nullable=False),
        sa.Column("object_id", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", _hash(), nullable=False),
        sa.Column("hash", _hash(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_object_type_object_id", "audit_log", ["object_type", "object_id"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "list_entries",
        "contributions",
        "results",
        "record_events",
        "record_versions",
        "records",
        "entity_aliases",
        "entities",
        "quarantine",
        "ingest_batches",
    ):
        op.drop_table(table)

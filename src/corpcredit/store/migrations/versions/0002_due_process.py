"""Due process and accounts: repair cases, objections, their events and evidence,
accounts and API tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Frozen like ``0001_initial.py``: plain SQLAlchemy types, no imports from corpcredit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REPAIR_STATES = (
    "'submitted', 'accepted', 'refused_at_intake', 'approved', 'rejected', 'withdrawn', 'revoked'"
)
_OBJECTION_STATES = "'filed', 'corrected', 'withdrawn', 'dismissed'"
_CASE_TYPES = "'repair', 'objection'"
_ROLES = "'representative', 'reviewer', 'operator'"


def _id() -> Any:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _usci() -> sa.String:
    return sa.String(length=18)


def _hash() -> sa.String:
    return sa.String(length=64)


def _case_id() -> sa.String:
    return sa.String(length=32)


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _case_head(table: str) -> list[Any]:
    """Case id, organisation and record key, with their constraints."""
    return [
        sa.Column("case_id", _case_id(), nullable=False),
        sa.Column("usci", _usci(), nullable=False),
        sa.Column("record_source", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(["usci"], ["entities.usci"], name=f"fk_{table}_usci_entities"),
        sa.ForeignKeyConstraint(
            ["record_source", "record_id"],
            ["records.source", "records.record_id"],
            name=f"fk_{table}_record_source_record_id_records",
        ),
    ]


def _case_indexes(table: str) -> None:
    op.create_index(f"ix_{table}_usci", table, ["usci"])
    op.create_index(f"ix_{table}_state", table, ["state"])
    op.create_index(f"ix_{table}_record_source_record_id", table, ["record_source", "record_id"])


def upgrade() -> None:
    op.create_table(
        "repair_cases",
        *_case_head("repair_cases"),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_by", sa.String(), nullable=False),
        sa.Column("intake_due", sa.Date(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("decision_due", sa.Date(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("commitment_text", sa.Text(), nullable=False),
        sa.Column("commitment_sha256", _hash(), nullable=False),
        sa.Column("commitment_template", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.CheckConstraint(f"state IN ({_REPAIR_STATES})", name="ck_repair_cases_state"),
    )
    _case_indexes("repair_cases")
    op.create_index("ix_repair_cases_due_on", "repair_cases", ["due_on"])

    op.create_table(
        "objections",
        *_case_head("objections"),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filed_by", sa.String(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.CheckConstraint(f"state IN ({_OBJECTION_STATES})", name="ck_objections_state"),
    )
    _case_indexes("objections")

    op.create_table(
        "case_events",
        sa.Column("id", _id(), nullable=False),
        sa.Column("case_type", sa.String(), nullable=False),
        sa.Column("case_id", _case_id(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("actor_role", sa.String(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("from_state", sa.String(), nullable=True),
        sa.Column("to_state", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("record_event", sa.String(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
        sa.CheckConstraint(f"case_type IN ({_CASE_TYPES})", name="ck_case_events_case_type"),
        sa.UniqueConstraint(
            "case_type", "case_id", "seq", name="uq_case_events_case_type_case_id_seq"
        ),
    )

    op.create_table(
        "case_evidence",
        sa.Column("id", _id(), nullable=False),
        sa.Column("case_type", sa.String(), nullable=False),
        sa.Column("case_id", _case_id(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", _hash(), nullable=False),
        sa.Column("storage_path", sa.Text(), nullable=False),
        sa.Column("uploaded_at", _instant(), nullable=False),
        sa.Column("uploaded_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_evidence"),
        sa.CheckConstraint(f"case_type IN ({_CASE_TYPES})", name="ck_case_evidence_case_type"),
        sa.UniqueConstraint(
            "case_type", "case_id", "sha256", name="uq_case_evidence_case_type_case_id_sha256"
        ),
    )

    op.create_table(
        "accounts",
        sa.Column("id", _id(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("usci", _usci(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _instant(), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.CheckConstraint(f"role IN ({_ROLES})", name="ck_accounts_role"),
        sa.UniqueConstraint("username", name="uq_accounts_username"),
        sa.ForeignKeyConstraint(["usci"], ["entities.usci"], name="fk_accounts_usci_entities"),
    )

    op.create_table(
        "api_tokens",
        sa.Column("id", _id(), nullable=False),
        sa.Column("token_sha256", _hash(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("usci", _usci(), nullable=True),
        sa.Column("account_id", _id(), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("expires_at", _instant(), nullable=True),
        sa.Column("revoked_at", _instant(), nullable=True),
        sa.Column("last_used_at", _instant(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.CheckConstraint(f"role IN ({_ROLES})", name="ck_api_tokens_role"),
        sa.UniqueConstraint("token_sha256", name="uq_api_tokens_token_sha256"),
        sa.ForeignKeyConstraint(["usci"], ["entities.usci"], name="fk_api_tokens_usci_entities"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_api_tokens_account_id_accounts"
        ),
    )


def downgrade() -> None:
    for table in (
        "api_tokens",
        "accounts",
        "case_evidence",
        "case_events",
        "objections",
        "repair_cases",
    ):
        op.drop_table(table)

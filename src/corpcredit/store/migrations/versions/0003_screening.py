"""Supplier screening and monitoring: reviewers' "not this one" decisions,
watchlists, watched organisations' last seen state, change events, webhooks and
their deliveries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Frozen like ``0001_initial.py``: plain SQLAlchemy types, no imports from corpcredit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> Any:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _usci() -> sa.String:
    return sa.String(length=18)


def _monitoring() -> None:
    op.create_table(
        "watchlist_entries",
        sa.Column("account_id", _id(), nullable=False),
        sa.Column("usci", _usci(), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("added_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "usci", name="pk_watchlist_entries"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_watchlist_entries_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["usci"], ["entities.usci"], name="fk_watchlist_entries_usci_entities"
        ),
    )
    op.create_index("ix_watchlist_entries_usci", "watchlist_entries", ["usci"])
    op.create_table(
        "watch_states",
        sa.Column("usci", _usci(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("seen_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("usci", name="pk_watch_states"),
        sa.ForeignKeyConstraint(["usci"], ["entities.usci"], name="fk_watch_states_usci_entities"),
    )
    op.create_table(
        "monitor_events",
        sa.Column("id", _id(), nullable=False),
        sa.Column("usci", _usci(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("occurred_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monitor_events"),
        sa.ForeignKeyConstraint(
            ["usci"], ["entities.usci"], name="fk_monitor_events_usci_entities"
        ),
    )
    op.create_index("ix_monitor_events_usci", "monitor_events", ["usci"])
    op.create_table(
        "webhooks",
        sa.Column("id", _id(), nullable=False),
        sa.Column("account_id", _id(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("disabled_at", _instant(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhooks"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_webhooks_account_id_accounts"
        ),
    )
    op.create_index("ix_webhooks_account_id", "webhooks", ["account_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", _id(), nullable=False),
        sa.Column("webhook_id", _id(), nullable=False),
        sa.Column("event_id", _id(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _instant(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", _instant(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint(
            "webhook_id", "event_id", name="uq_webhook_deliveries_webhook_id_event_id"
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'delivered', 'parked')", name="ck_webhook_deliveries_state"
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"], ["webhooks.id"], name="fk_webhook_deliveries_webhook_id_webhooks"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["monitor_events.id"],
            name="fk_webhook_deliveries_event_id_monitor_events",
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_state_next_attempt_at",
        "webhook_deliveries",
        ["state", "next_attempt_at"],
    )


def upgrade() -> None:
    op.create_table(
        "screening_decisions",
        sa.Column("id", _id(), nullable=False),
        sa.Column("query_key", sa.Text(), nullable=False),
        sa.Column("usci", sa.String(length=18), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_screening_decisions"),
        sa.UniqueConstraint("query_key", "usci", name="uq_screening_decisions_query_key_usci"),
        sa.CheckConstraint("decision IN ('not_this_one')", name="ck_screening_decisions_decision"),
        sa.ForeignKeyConstraint(
            ["usci"], ["entities.usci"], name="fk_screening_decisions_usci_entities"
        ),
    )

    _monitoring()


def downgrade() -> None:
    for table in (
        "webhook_deliveries",
        "webhooks",
        "monitor_events",
        "watch_states",
        "watchlist_entries",
        "screening_decisions",
    ):
        op.drop_table(table)

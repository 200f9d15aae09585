"""Materialised read side (issue 4, performance): list windows of the current results,
and the n-gram index of searchable names.

Both tables are derived: they start empty and are filled by the next rescore
(``corpcredit score``, ``corpcredit refresh``, or ingestion of the entities
concerned). Until then lookups fall back to the kernel, and search to the names
indexed so far.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Frozen like ``0001_initial.py``: plain SQLAlchemy types, no imports from corpcredit.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "result_lists",
        sa.Column("usci", sa.String(length=18), nullable=False),
        sa.Column("list", sa.String(), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("scheduled_exit", sa.Date(), nullable=True),
        sa.Column("earliest_repair", sa.Date(), nullable=True),
        sa.Column("grounds", sa.JSON(), nullable=False),
        sa.CheckConstraint("list IN ('black', 'red', 'abnormal')", name="ck_result_lists_list"),
        sa.ForeignKeyConstraint(["usci"], ["entities.usci"], name="fk_result_lists_usci_entities"),
        sa.PrimaryKeyConstraint("usci", "list", name="pk_result_lists"),
    )
    op.create_table(
        "search_names",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("usci", sa.String(length=18), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stamp", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("field IN ('name', 'name_en', 'alias')", name="ck_search_names_field"),
        sa.ForeignKeyConstraint(["usci"], ["entities.usci"], name="fk_search_names_usci_entities"),
        sa.PrimaryKeyConstraint("id", name="pk_search_names"),
    )
    op.create_index("ix_search_names_usci", "search_names", ["usci"])
    op.create_table(
        "search_grams",
        sa.Column("gram", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("gram", "name_id", name="pk_search_grams"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for table in ("search_grams", "search_names", "result_lists"):
        op.drop_table(table)

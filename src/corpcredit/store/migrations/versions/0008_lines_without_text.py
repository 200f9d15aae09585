"""Contribution lines without the record's text (issue 3): a line's authority and
decision number are read from ``records`` where the line is shown.

Every line repeated its record's two longest texts: a full rescore read them from
every record, hashed them into each result's lines digest and rewrote the lines of
every entity a retitled record travels to. The digests of existing results covered
those texts, so they are cleared: the next full rescore rewrites every entity's lines
once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

Frozen like ``0001_initial.py``: plain SQLAlchemy types, no imports from corpcredit.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contributions") as batch:
        batch.drop_column("decision_no")
        batch.drop_column("authority")
    op.execute("UPDATE results SET lines_digest = NULL")


def downgrade() -> None:
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(sa.Column("authority", sa.Text(), nullable=True))
        batch.add_column(sa.Column("decision_no", sa.Text(), nullable=True))
    for column in ("authority", "decision_no"):
        op.execute(
            f"UPDATE contributions SET {column} = (SELECT r.{column} FROM records AS r "
            "WHERE r.source = contributions.record_source "
            "AND r.record_id = contributions.record_id)"
        )
    with op.batch_alter_table("contributions") as batch:
        batch.alter_column("authority", existing_type=sa.Text(), nullable=False)
    op.execute("UPDATE results SET lines_digest = NULL")

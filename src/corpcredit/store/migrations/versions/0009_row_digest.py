"""A digest of each result row (issue 3), so a full rescore reads back two digests per
organisation instead of every column to find the results that changed.

Existing results get no digest: the next full rescore finds every row changed and
rewrites them all once, with their digests.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28

Frozen like ``0001_initial.py``: plain SQLAlchemy types, no imports from corpcredit.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("results", sa.Column("row_digest", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.drop_column("row_digest")

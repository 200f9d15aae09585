"""A digest of each result's contribution lines (issue 3), so a full rescore rewrites
the lines of only the entities whose lines changed.

Existing results get no digest: the next full rescore finds every one changed and
rewrites all lines once, as it did before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

Frozen like ``0001_initial.py``: plain SQLAlchemy types, no imports from corpcredit.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("results", sa.Column("lines_digest", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.drop_column("lines_digest")

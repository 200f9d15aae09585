"""Entity versions (issue 3): names, status, parent and aliases as they were, so a
view "as known at" a past moment shows the organisation of then.

Entities that exist when this migration runs get version 1 with their present
content, dated to their creation: what they were before was not kept.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

Frozen like ``0001_initial.py``: plain SQLAlchemy types, no imports from corpcredit.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entity_versions",
        sa.Column("usci", sa.String(length=18), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("legal_form", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("parent_usci", sa.String(length=18), nullable=True),
        sa.Column("natural_person", sa.Boolean(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("usci", "version", name="pk_entity_versions"),
        sa.ForeignKeyConstraint(
            ["usci"], ["entities.usci"], name="fk_entity_versions_usci_entities"
        ),
    )
    entities = sa.table(
        "entities",
        *[sa.column(c) for c in ("usci", "name", "name_en", "legal_form", "status",
                                 "parent_usci", "natural_person", "created_at")],
    )  # fmt: skip
    aliases = sa.table("entity_aliases", sa.column("usci"), sa.column("alias"))
    versions = sa.table(
        "entity_versions",
        *[sa.column(c) for c in ("usci", "version", "name", "name_en", "legal_form", "status",
                                 "parent_usci", "natural_person", "aliases", "recorded_at")],
    )  # fmt: skip
    conn = op.get_bind()
    joined: dict[str, list[str]] = {}
    for usci, alias in conn.execute(
        sa.select(aliases.c.usci, aliases.c.alias).order_by(aliases.c.usci, aliases.c.alias)
    ):
        joined.setdefault(usci, []).append(alias)
    rows = conn.execute(sa.select(entities)).mappings()
    batch = []
    for r in rows:
        batch.append(
            {
                "usci": r["usci"], "version": 1, "name": r["name"], "name_en": r["name_en"],
                "legal_form": r["legal_form"], "status": r["status"],
                "parent_usci": r["parent_usci"], "natural_person": r["natural_person"],
                "aliases": "|".join(joined[r["usci"]]) if r["usci"] in joined else None,
                "recorded_at": r["created_at"],
            }
        )  # fmt: skip
        if len(batch) >= 10_000:
            conn.execute(versions.insert(), batch)
            batch = []
    if batch:
        conn.execute(versions.insert(), batch)


def downgrade() -> None:
    op.drop_table("entity_versions")

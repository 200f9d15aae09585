"""The screening table, on the registry's one ``MetaData``.

``screening_decisions``: a reviewer's "not this one" — for every query that
normalises to ``query_key`` (:attr:`corpcredit.screening.normalise.NameForm.key`),
the organisation ``usci`` is not the match. Later screenings leave it out. A
decision is withdrawn by setting ``withdrawn_at``, never deleted; each change is
also in the audit log.

Importing this module registers the table; ``store/migrations/versions/0003``
creates it.
"""

from __future__ import annotations

import sqlalchemy as sa

from corpcredit.store.schema import metadata
from corpcredit.store.types import BigId, UTCDateTime

__all__ = ["DECISIONS", "screening_decisions"]

#: What a reviewer can decide about a candidate.
DECISIONS = ("not_this_one",)

screening_decisions = sa.Table(
    "screening_decisions",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("query_key", sa.Text(), nullable=False),
    sa.Column("usci", sa.String(18), sa.ForeignKey("entities.usci"), nullable=False),
    sa.Column("decision", sa.String(), nullable=False),
    sa.Column("query", sa.Text(), nullable=False),  # the name as the reviewer saw it
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("decided_by", sa.String(), nullable=False),
    sa.Column("decided_at", UTCDateTime(), nullable=False),
    sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("query_key", "usci"),
    sa.CheckConstraint(sa.column("decision").in_(DECISIONS), name="decision"),
)

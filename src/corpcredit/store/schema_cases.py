"""Tables of the due-process workflow (DOMAIN.md §6) and of accounts, on the registry's
one ``MetaData`` (:data:`corpcredit.store.schema.metadata`).

- ``repair_cases`` and ``objections``: one row per case, its current state and
  dates; ``due_on`` is the open case's current deadline (null once decided), so
  the reviewer desk sorts on an index. The commitment letter is kept as the exact
  text the representative confirmed, with its SHA-256.
- ``case_events``: every transition of every case, in order, each pointing at its
  audit-chain entry (``audit_seq``).
- ``case_evidence``: metadata of evidence files (name as uploaded, media type
  checked by content, size, SHA-256, path under the evidence directory). Never
  public; the files themselves live outside any served directory.
- ``accounts`` and ``api_tokens``: people (argon2 password hashes) and machine
  tokens (SHA-256 of the token; the token itself is shown once), each with a role;
  a representative is bound to one USCI.
- ``web_sessions``: signed-in browsers, keyed by the SHA-256 of the cookie value
  (the value itself is never stored), with the session's CSRF token and expiry.

Importing this module registers the tables; ``store/migrations/versions/0002``
creates them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.schema import SchemaItem

from corpcredit.store.schema import metadata
from corpcredit.store.types import BigId, UTCDateTime

__all__ = [
    "ACCOUNT_ROLES",
    "CASE_TYPES",
    "OBJECTION_STATES",
    "REPAIR_STATES",
    "accounts",
    "api_tokens",
    "case_events",
    "case_evidence",
    "objections",
    "repair_cases",
    "web_sessions",
]

REPAIR_STATES = (
    "submitted",
    "accepted",
    "refused_at_intake",
    "approved",
    "rejected",
    "withdrawn",
    "revoked",
)
OBJECTION_STATES = ("filed", "corrected", "withdrawn", "dismissed")
CASE_TYPES = ("repair", "objection")
ACCOUNT_ROLES = ("representative", "reviewer", "operator")

_Usci = sa.String(18)
_Hash = sa.String(64)
_CaseId = sa.String(32)


def _record_key() -> list[SchemaItem]:
    return [
        sa.Column("record_source", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_source", "record_id"], ["records.source", "records.record_id"]
        ),
        sa.Index(None, "record_source", "record_id"),
    ]


repair_cases = sa.Table(
    "repair_cases",
    metadata,
    sa.Column("case_id", _CaseId, primary_key=True),
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), nullable=False, index=True),
    *_record_key(),
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
    sa.Column("due_on", sa.Date(), nullable=True, index=True),
    sa.Column("commitment_text", sa.Text(), nullable=False),
    sa.Column("commitment_sha256", _Hash, nullable=False),
    sa.Column("commitment_template", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint(sa.column("state").in_(REPAIR_STATES), name="state"),
    sa.Index(None, "state"),
)

objections = sa.Table(
    "objections",
    metadata,
    sa.Column("case_id", _CaseId, primary_key=True),
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), nullable=False, index=True),
    *_record_key(),
    sa.Column("record_version", sa.Integer(), nullable=False),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("filed_on", sa.Date(), nullable=False),
    sa.Column("filed_by", sa.String(), nullable=False),
    sa.Column("statement", sa.Text(), nullable=False),
    sa.Column("updated_on", sa.Date(), nullable=False),
    sa.Column("decided_on", sa.Date(), nullable=True),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint(sa.column("state").in_(OBJECTION_STATES), name="state"),
    sa.Index(None, "state"),
)

case_events = sa.Table(
    "case_events",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("case_type", sa.String(), nullable=False),
    sa.Column("case_id", _CaseId, nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False),  # 1, 2, ... within the case
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("actor", sa.String(), nullable=False),
    sa.Column("actor_role", sa.String(), nullable=False),
    sa.Column("effective_on", sa.Date(), nullable=False),
    sa.Column("from_state", sa.String(), nullable=True),
    sa.Column("to_state", sa.String(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("record_event", sa.String(), nullable=True),
    sa.Column("details", sa.JSON(), nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("audit_seq", sa.BigInteger(), nullable=False),
    sa.CheckConstraint(sa.column("case_type").in_(CASE_TYPES), name="case_type"),
    sa.UniqueConstraint("case_type", "case_id", "seq"),
)

case_evidence = sa.Table(
    "case_evidence",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("case_type", sa.String(), nullable=False),
    sa.Column("case_id", _CaseId, nullable=False),
    sa.Column("file_name", sa.Text(), nullable=False),
    sa.Column("media_type", sa.String(), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", _Hash, nullable=False),
    sa.Column("storage_path", sa.Text(), nullable=False),  # relative to the evidence dir
    sa.Column("uploaded_at", UTCDateTime(), nullable=False),
    sa.Column("uploaded_by", sa.String(), nullable=False),
    sa.CheckConstraint(sa.column("case_type").in_(CASE_TYPES), name="case_type"),
    sa.UniqueConstraint("case_type", "case_id", "sha256"),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("username", sa.String(), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text(), nullable=False),  # argon2id
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), nullable=True),
    sa.Column("disabled", sa.Boolean(), nullable=False),
    sa.Column("failed_logins", sa.Integer(), nullable=False),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint(sa.column("role").in_(ACCOUNT_ROLES), name="role"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("token_sha256", _Hash, nullable=False, unique=True),
    sa.Column("label", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), nullable=True),
    sa.Column("account_id", BigId, sa.ForeignKey("accounts.id"), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Column("last_used_at", UTCDateTime(), nullable=True),
    sa.CheckConstraint(sa.column("role").in_(ACCOUNT_ROLES), name="role"),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id_sha256", _Hash, primary_key=True),
    sa.Column("account_id", BigId, sa.ForeignKey("accounts.id"), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
)

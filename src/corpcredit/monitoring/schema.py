"""The monitoring tables, on the registry's one ``MetaData``.

- ``watchlist_entries``: which organisations an account watches.
- ``watch_states``: the last seen state of each watched organisation (score,
  grade, lists, public, repaired and withdrawn records, as JSON), which a scan
  compares with the present to find changes.
- ``monitor_events``: the changes found, one row each; ``id`` is the ``?since=``
  cursor.
- ``webhooks`` and ``webhook_deliveries``: an account's receivers (URL and the
  shared HMAC secret) and one delivery per event and receiver, with its attempts,
  next attempt time and state (``pending``, ``delivered``, ``parked``).

Importing this module registers the tables; ``store/migrations/versions/0003``
creates them.
"""

from __future__ import annotations

import sqlalchemy as sa

from corpcredit.store.schema import metadata
from corpcredit.store.types import BigId, UTCDateTime

__all__ = [
    "DELIVERY_STATES",
    "monitor_events",
    "watch_states",
    "watchlist_entries",
    "webhook_deliveries",
    "webhooks",
]

DELIVERY_STATES = ("pending", "delivered", "parked")
_Usci = sa.String(18)

watchlist_entries = sa.Table(
    "watchlist_entries",
    metadata,
    sa.Column("account_id", BigId, sa.ForeignKey("accounts.id"), primary_key=True),
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), primary_key=True),
    sa.Column("label", sa.Text(), nullable=True),
    sa.Column("added_at", UTCDateTime(), nullable=False),
    sa.Index(None, "usci"),
)

watch_states = sa.Table(
    "watch_states",
    metadata,
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), primary_key=True),
    sa.Column("state", sa.JSON(), nullable=False),
    sa.Column("seen_at", UTCDateTime(), nullable=False),
)

monitor_events = sa.Table(
    "monitor_events",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("usci", _Usci, sa.ForeignKey("entities.usci"), nullable=False, index=True),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("detail", sa.JSON(), nullable=False),
    sa.Column("occurred_at", UTCDateTime(), nullable=False),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("account_id", BigId, sa.ForeignKey("accounts.id"), nullable=False, index=True),
    sa.Column("url", sa.Text(), nullable=False),
    sa.Column("secret", sa.String(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("disabled_at", UTCDateTime(), nullable=True),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("webhook_id", BigId, sa.ForeignKey("webhooks.id"), nullable=False),
    sa.Column("event_id", BigId, sa.ForeignKey("monitor_events.id"), nullable=False),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("last_status", sa.Integer(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("delivered_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("webhook_id", "event_id"),
    sa.CheckConstraint(sa.column("state").in_(DELIVERY_STATES), name="state"),
    sa.Index(None, "state", "next_attempt_at"),
)

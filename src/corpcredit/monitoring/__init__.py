"""Monitoring: watchlists, change events after each rescore, Atom, signed webhooks.

An account watches organisations (:mod:`.watchlist`). After a rescore,
:func:`scan` compares each watched organisation with its remembered state
(:mod:`.changes`, :mod:`.state`) and stores one event per change — grade band,
list entry or exit, new public record, repair decided, record withdrawn —
listed by cursor (:func:`list_events`), rendered as Atom (:func:`atom_feed`) and
delivered to the account's webhooks, signed with HMAC-SHA256, retried with
exponential backoff and parked after the last attempt (:mod:`.webhooks`).
"""

from corpcredit.monitoring.atom import atom_feed
from corpcredit.monitoring.changes import KINDS, Change, WatchState, describe, diff
from corpcredit.monitoring.events import (
    MonitorEvent,
    list_events,
    recent_events,
    scan,
    scan_rescored,
)
from corpcredit.monitoring.state import current_states
from corpcredit.monitoring.watchlist import UnknownAccount, Watched, unwatch, watch, watched
from corpcredit.monitoring.webhooks import (
    MAX_ATTEMPTS,
    DeliveryRun,
    InvalidWebhook,
    add_webhook,
    backoff,
    deliver_due,
    parked,
    post_json,
    retry_parked,
    sign,
    verify,
)

__all__ = [
    "KINDS",
    "MAX_ATTEMPTS",
    "Change",
    "DeliveryRun",
    "InvalidWebhook",
    "MonitorEvent",
    "UnknownAccount",
    "WatchState",
    "Watched",
    "add_webhook",
    "atom_feed",
    "backoff",
    "current_states",
    "deliver_due",
    "describe",
    "diff",
    "list_events",
    "parked",
    "post_json",
    "recent_events",
    "retry_parked",
    "scan",
    "scan_rescored",
    "sign",
    "unwatch",
    "verify",
    "watch",
    "watched",
]

"""The hash chain of the audit log: canonical content and entry hashes (pure).

Each entry's content is serialised canonically: JSON of ``actor``, ``action``,
``object_type``, ``object_id``, ``payload`` and ``at`` with sorted keys, no
whitespace, UTF-8 (non-ASCII kept as is), ``at`` as ISO 8601 UTC with microseconds
(``2025-06-30T08:15:00.123456Z``). Its hash is
``sha256(prev_hash + canonical)`` in lowercase hex, where ``prev_hash`` is the
previous entry's hash, or 64 zeros for the first. Anyone can re-check a published
export with these few lines; changing any stored field breaks the chain from
that entry on.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from corpcredit.errors import CorpCreditError

__all__ = [
    "GENESIS_HASH",
    "AuditError",
    "ChainBroken",
    "Head",
    "canonical_content",
    "canonical_json",
    "entry_hash",
    "format_at",
]

GENESIS_HASH = "0" * 64


class AuditError(CorpCreditError):
    """An audit entry that cannot be written, e.g. a payload that is not JSON data."""

    code = "audit.invalid_entry"
    http_status = 422


class ChainBroken(CorpCreditError):
    """The audit chain does not verify; ``details['seq']`` names the first bad entry."""

    code = "audit.chain_broken"
    http_status = 500


class Head(NamedTuple):
    """The newest entry of the chain: ``seq`` 0 and the genesis hash when empty."""

    seq: int
    hash: str


def _plain(value: Any) -> Any:
    """JSON for the few non-JSON values callers commonly have (dates, decimals)."""
    if isinstance(value, datetime):
        return format_at(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, non-ASCII as is; dates ISO, decimals as strings."""
    try:
        return json.dumps(
            value,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
            default=_plain,
        )
    except (TypeError, ValueError) as exc:
        raise AuditError(f"audit payload is not JSON data: {exc}") from exc


def format_at(at: datetime) -> str:
    """``at`` as ISO 8601 in UTC with microseconds and a ``Z``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise AuditError(f"audit time must be timezone-aware, got {at!r}")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_content(
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    payload: Any,
    at: datetime,
) -> str:
    """The canonical serialisation of one entry's content (without the hashes)."""
    return canonical_json(
        {
            "action": action,
            "actor": actor,
            "at": format_at(at),
            "object_id": object_id,
            "object_type": object_type,
            "payload": payload,
        }
    )


def entry_hash(prev_hash: str, canonical: str) -> str:
    """``sha256(prev_hash + canonical)`` as lowercase hex."""
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()

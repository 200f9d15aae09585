"""The tamper-evident audit log: an append-only, SHA-256 hash-chained table.

:mod:`.chain` defines the canonical content and hashes (pure); :mod:`.log` appends,
reads the head and verifies the chain in the store.
"""

from corpcredit.audit.chain import (
    GENESIS_HASH,
    AuditError,
    ChainBroken,
    Head,
    canonical_content,
    entry_hash,
)
from corpcredit.audit.log import AuditEntry, ChainProblem, VerifyResult, append, head, verify

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "AuditError",
    "ChainBroken",
    "ChainProblem",
    "Head",
    "VerifyResult",
    "append",
    "canonical_content",
    "entry_hash",
    "head",
    "verify",
]

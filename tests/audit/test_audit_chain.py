"""Appending to the audit log and verifying the hash chain."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit.audit import GENESIS_HASH, AuditError, ChainBroken, Head, append, head, verify
from corpcredit.store.schema import audit_log

AT = datetime(2025, 6, 30, 8, 15, 0, 123456, tzinfo=UTC)


def test_an_empty_log_verifies_with_the_genesis_head(engine: Engine) -> None:
    with engine.connect() as conn:
        result = verify(conn)
        assert head(conn) == (0, GENESIS_HASH)
    assert result.ok and result.entries == 0 and result.head == Head(0, GENESIS_HASH)


def test_appended_entries_chain_and_verify(engine: Engine) -> None:
    with engine.begin() as conn:
        first = append(conn, "alice", "record.created", "record", "src/R1", {"version": 1})
        second = append(conn, "bob", "record.corrected", "record", "src/R1", {"version": 2})
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    with engine.connect() as conn:
        assert head(conn) == (2, second.hash)
        result = verify(conn)
    assert result.ok and result.entries == 2 and result.head == (2, second.hash)


def test_the_hash_follows_the_published_definition(engine: Engine) -> None:
    beijing = timezone(timedelta(hours=8))
    payload = {"名称": "示例", "amount": Decimal("12.50"), "on": date(2025, 3, 1), "n": [1, 2]}
    with engine.begin() as conn:
        entry = append(conn, "staff:王", "objection.filed", "record", "src/R1", payload,
                       at=AT.astimezone(beijing))  # fmt: skip
    canonical = (
        '{"action":"objection.filed","actor":"staff:王","at":"2025-06-30T08:15:00.123456Z",'
        '"object_id":"src/R1","object_type":"record",'
        '"payload":{"amount":"12.50","n":[1,2],"on":"2025-03-01","名称":"示例"}}'
    )
    expected = hashlib.sha256((GENESIS_HASH + canonical).encode("utf-8")).hexdigest()
    assert entry.hash == expected
    with engine.connect() as conn:
        stored = conn.execute(sa.select(audit_log)).one()
    assert stored.hash == expected
    assert stored.at == AT
    assert json.loads(stored.payload) == {"名称": "示例", "amount": "12.50", "on": "2025-03-01",
                                          "n": [1, 2]}  # fmt: skip


def test_an_entry_rolls_back_with_the_change_it_audits(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        append(conn, "alice", "record.created", "record", "src/R1", {})
        raise RuntimeError("the audited change failed")
    with engine.connect() as conn:
        assert head(conn) == (0, GENESIS_HASH)


@pytest.mark.parametrize(
    ("actor", "payload"),
    [("", {}), ("alice", {"when": object()}), ("alice", {"x": float("nan")}), ("alice", [1])],
)
def test_entries_that_cannot_be_hashed_canonically_are_refused(
    engine: Engine, actor: str, payload: object
) -> None:
    with pytest.raises(AuditError), engine.begin() as conn:
        append(conn, actor, "record.created", "record", "src/R1", payload)  # type: ignore[arg-type]


def test_a_naive_time_is_refused_rather_than_guessed(engine: Engine) -> None:
    with pytest.raises(AuditError), engine.begin() as conn:
        append(conn, "alice", "record.created", "record", "src/R1", {}, at=datetime(2025, 1, 1))


def test_a_published_head_catches_entries_removed_from_the_end(engine: Engine) -> None:
    with engine.begin() as conn:
        for n in range(3):
            append(conn, "alice", "record.created", "record", f"src/R{n}", {})
        published = head(conn)
        conn.execute(audit_log.delete().where(audit_log.c.seq == 3))
    with engine.connect() as conn:
        assert verify(conn).ok  # the chain alone cannot tell
        result = verify(conn, expected_head=published)
    assert result.problem is not None and result.problem.seq == 3
    with pytest.raises(ChainBroken) as caught:
        result.raise_for_problem()
    assert caught.value.code == "audit.chain_broken" and caught.value.details["seq"] == 3


def test_verify_streams_long_chains_in_batches(engine: Engine) -> None:
    with engine.begin() as conn:
        for n in range(25):
            append(conn, "batch", "record.created", "record", f"src/R{n}", {"n": n})
    with engine.connect() as conn:
        result = verify(conn, batch_size=4)
    assert result.ok and result.entries == 25 and result.head.seq == 25

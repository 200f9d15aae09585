"""Changing any stored field of any entry, or removing one, is caught and named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit.audit import append, verify
from corpcredit.store import create_engine_for, upgrade
from corpcredit.store.schema import audit_log

ENTRIES = 5


def _build_chain(engine: Engine) -> Engine:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for n in range(1, ENTRIES + 1):
            append(conn, f"user{n}", "record.created", "record", f"src/R{n}",
                   {"n": n, "name": "示例"}, at=start + timedelta(minutes=n))  # fmt: skip
    return engine


@pytest.fixture
def chain(engine: Engine) -> Engine:
    return _build_chain(engine)


def _tamper(engine: Engine, seq: int, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == seq).values(**values))


# name -> (the values written into entry ``seq``, the field verify must blame)
TAMPERING: dict[str, tuple[Callable[[int], dict[str, Any]], str]] = {
    "payload": (lambda seq: {"payload": f'{{"n":{seq + 100},"name":"示例"}}'}, "hash"),
    "payload_spacing": (lambda seq: {"payload": f'{{"n": {seq}, "name": "示例"}}'}, "payload"),
    "payload_not_json": (lambda seq: {"payload": "{oops"}, "payload"),
    "actor": (lambda seq: {"actor": "mallory"}, "hash"),
    "action": (lambda seq: {"action": "record.withdrawn"}, "hash"),
    "object_type": (lambda seq: {"object_type": "entity"}, "hash"),
    "object_id": (lambda seq: {"object_id": "src/R0"}, "hash"),
    "at": (lambda seq: {"at": datetime(2024, 12, 31, tzinfo=UTC)}, "hash"),
    "at_by_a_microsecond": (
        lambda seq: {"at": datetime(2025, 1, 1, 0, seq, 0, 1, tzinfo=UTC)},
        "hash",
    ),
    "hash": (lambda seq: {"hash": "f" * 64}, "hash"),
    "prev_hash": (lambda seq: {"prev_hash": "e" * 64}, "prev_hash"),
}


@pytest.mark.parametrize("seq", [1, 3, ENTRIES])
@pytest.mark.parametrize("change", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampering_with_a_field_is_named_at_its_entry(
    chain: Engine, seq: int, change: tuple[Callable[[int], dict[str, Any]], str]
) -> None:
    values, field = change
    _tamper(chain, seq, **values(seq))
    with chain.connect() as conn:
        result = verify(conn)
    assert not result.ok and result.problem is not None
    assert (result.problem.seq, result.problem.field) == (seq, field)
    assert result.entries == seq - 1 and result.head.seq == seq - 1


def test_rewriting_one_hash_consistently_breaks_the_next_entry(chain: Engine) -> None:
    _tamper(chain, 2, actor="mallory", hash="a" * 64)
    with chain.connect() as conn:
        problem = verify(conn).problem
    assert problem is not None and problem.seq == 2


def test_deleting_an_entry_in_the_middle_names_the_missing_seq(chain: Engine) -> None:
    with chain.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 3))
    with chain.connect() as conn:
        problem = verify(conn).problem
    assert problem is not None and (problem.seq, problem.field) == (3, "seq")
    assert "missing" in problem.message


def test_deleting_the_first_entry_is_caught(chain: Engine) -> None:
    with chain.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 1))
    with chain.connect() as conn:
        problem = verify(conn).problem
    assert problem is not None and problem.seq == 1


def test_an_unreadable_time_on_sqlite_is_reported_not_raised(tmp_path: Path) -> None:
    # SQLite stores any text in a DATETIME column (PostgreSQL's timestamptz cannot).
    engine = create_engine_for(f"sqlite:///{tmp_path / 'audit.db'}")
    try:
        upgrade(engine)
        _build_chain(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_log SET at = 'yesterday' WHERE seq = 4"))
        with engine.connect() as conn:
            problem = verify(conn).problem
        assert problem is not None and (problem.seq, problem.field) == (4, "at")
    finally:
        engine.dispose()

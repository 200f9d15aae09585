"""Opening databases: SQLite pragmas, real transactions, URLs, portable column types."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit.store import (
    DatabaseUnavailable,
    UnsupportedDatabase,
    begin_write,
    create_engine_for,
    display_url,
    upgrade,
)
from corpcredit.store.schema import entities, ingest_batches, records

NOW = datetime(2025, 6, 30, 8, 15, 0, 123456, tzinfo=UTC)


def _entity(usci: str = "91110000600037341L") -> dict[str, object]:
    return {"usci": usci, "name": "示例有限公司", "head_usci": usci}


def _record(record_id: str = "R1", **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "source": "test",
        "record_id": record_id,
        "usci": "91110000600037341L",
        "kind": "admin_penalty",
        "tier": "general",
        "decided_on": date(2025, 3, 1),
        "authority": "示例市市场监督管理局",
        "amount_cny": Decimal("12345678901.25"),
        "recorded_at": NOW,
        "version": 1,
        "content_hash": "a" * 64,
    }
    return row | changes


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 5000
    finally:
        engine.dispose()


def test_a_plain_postgresql_url_uses_psycopg_3() -> None:
    engine = create_engine_for("postgresql://u:secret@localhost:1/db")
    try:
        assert engine.url.drivername == "postgresql+psycopg"
    finally:
        engine.dispose()


def test_display_url_hides_the_password() -> None:
    shown = display_url("postgresql://registry:s3cret@db.example/registry")
    assert "s3cret" not in shown
    assert shown.startswith("postgresql://registry:")


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_other_databases_are_refused(url: str) -> None:
    with pytest.raises(UnsupportedDatabase):
        create_engine_for(url)


def test_an_unreachable_server_is_reported_as_unavailable() -> None:
    engine = create_engine_for("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            upgrade(engine)
        assert caught.value.code == "store.unavailable"
    finally:
        engine.dispose()


def test_instants_come_back_aware_in_utc_and_amounts_exact(engine: Engine) -> None:
    beijing = timezone(timedelta(hours=8))
    with engine.begin() as conn:
        conn.execute(entities.insert(), [_entity()])
        conn.execute(records.insert(), [_record(recorded_at=NOW.astimezone(beijing))])
    with engine.connect() as conn:
        row = conn.execute(sa.select(records)).one()
    assert row.recorded_at == NOW
    assert row.recorded_at.tzinfo is not None and row.recorded_at.utcoffset() == timedelta(0)
    assert row.amount_cny == Decimal("12345678901.25")
    assert row.black is False and row.red is False  # defaults of the optional flags


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with pytest.raises(sa.exc.StatementError), engine.begin() as conn:
        conn.execute(
            ingest_batches.insert(),
            [
                {
                    "kind": "records",
                    "file": "r.csv",
                    "file_sha256": "0" * 64,
                    "started_at": datetime(2025, 1, 1),
                    "status": "running",
                }
            ],
        )


def test_a_record_about_an_unknown_entity_is_refused(engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(records.insert(), [_record()])


def test_a_failed_transaction_leaves_nothing_behind(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(entities.insert(), [_entity()])
        raise RuntimeError("crash in the middle")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(entities)).scalar() == 0


def test_sqlite_reads_inside_a_transaction_see_one_snapshot(tmp_path: Path) -> None:
    # Python's sqlite3 would not BEGIN before a SELECT; the store's engine does.
    engine = create_engine_for(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    count = sa.select(sa.func.count()).select_from(entities)
    try:
        with engine.connect() as reader:
            with reader.begin():
                before = reader.execute(count).scalar()
                with engine.begin() as writer:
                    writer.execute(entities.insert(), [_entity()])
                assert reader.execute(count).scalar() == before == 0
            assert reader.execute(count).scalar() == 1
    finally:
        engine.dispose()


def test_read_then_write_transactions_serialise_under_begin_write(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(entities.insert(), [_entity()])
        conn.execute(records.insert(), [_record(version=0)])
    version = sa.select(records.c.version).where(records.c.record_id == "R1")

    def bump() -> None:
        for _ in range(10):
            with begin_write(engine) as conn:
                current = conn.execute(version).scalar_one()
                conn.execute(records.update().values(version=current + 1))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        assert conn.execute(version).scalar_one() == 40

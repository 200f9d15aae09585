"""The schema: migrations create it, are idempotent, and agree with ``schema.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

import corpcredit.monitoring.schema
import corpcredit.screening.schema  # noqa: F401
from corpcredit.settings import Settings
from corpcredit.store import (
    MigrationFailed,
    alembic_config,
    connect,
    create_engine_for,
    current_revision,
    head_revision,
    metadata,
    upgrade,
)

TABLES = {
    "entities",
    "entity_aliases",
    "records",
    "record_versions",
    "record_events",
    "results",
    "contributions",
    "list_entries",
    "ingest_batches",
    "quarantine",
    "audit_log",
    # due process (migration 0002)
    "accounts",
    "api_tokens",
    "case_events",
    "case_evidence",
    "objections",
    "repair_cases",
    # screening and monitoring (migration 0003)
    "screening_decisions",
    "watchlist_entries",
    "watch_states",
    "monitor_events",
    "webhooks",
    "webhook_deliveries",
    # signed-in browsers (migration 0004)
    "web_sessions",
    # materialised read side (migration 0005)
    "result_lists",
    "search_names",
    "search_grams",
    # entity versions (migration 0006)
    "entity_versions",
}


def test_schema_module_declares_the_expected_tables() -> None:
    assert set(metadata.tables) == TABLES


def test_upgrade_creates_every_table_from_empty(database_url: str) -> None:
    engine = create_engine_for(database_url)
    try:
        assert current_revision(engine) is None
        assert upgrade(engine) == head_revision()
        assert set(sa.inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    before = sa.inspect(engine).get_table_names()
    assert upgrade(engine) == head_revision()
    assert upgrade(engine) == head_revision()
    assert sa.inspect(engine).get_table_names() == before
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_head_migration_matches_the_metadata(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, metadata) == []


def test_downgrade_to_base_removes_everything_and_upgrade_restores_it(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) >= TABLES


def test_connect_creates_the_sqlite_directory_and_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "var" / "corpcredit.db"
    engine = connect(Settings(database_url=f"sqlite:///{path}"))
    try:
        assert path.exists()
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_database_from_a_newer_corpcredit_is_refused_clearly(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(MigrationFailed) as caught:
        connect(Settings(database_url=engine.url.render_as_string(hide_password=False)))
    assert caught.value.code == "store.migration_failed"
    assert "9999" in caught.value.message

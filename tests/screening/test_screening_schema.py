"""The 0003 migration agrees with ``screening/schema.py`` and ``monitoring/schema.py``."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

import corpcredit.monitoring.schema as monitoring_schema
import corpcredit.screening.schema as screening_schema
import corpcredit.store.schema_cases  # noqa: F401  (the 0002 tables, on the same metadata)
from corpcredit.store import alembic_config, head_revision, metadata, upgrade

TABLES_0003 = {
    "screening_decisions",
    "watchlist_entries",
    "watch_states",
    "monitor_events",
    "webhooks",
    "webhook_deliveries",
}


def test_the_new_tables_are_on_the_registry_metadata() -> None:
    assert screening_schema.metadata is metadata is monitoring_schema.metadata
    assert set(metadata.tables) >= TABLES_0003


def test_the_head_migration_matches_the_metadata_with_the_new_tables(engine: Engine) -> None:
    assert head_revision() >= "0003"
    assert set(sa.inspect(engine).get_table_names()) >= TABLES_0003
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, metadata) == []


def test_downgrading_0003_removes_only_its_tables(engine: Engine) -> None:
    at_head = set(sa.inspect(engine).get_table_names())
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0003")  # later revisions' tables go first
    before = set(sa.inspect(engine).get_table_names())
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    assert set(sa.inspect(engine).get_table_names()) == before - TABLES_0003
    upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) == at_head

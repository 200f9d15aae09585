"""The case tables: the 0002 migration agrees with ``schema_cases`` on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

import corpcredit.monitoring.schema
import corpcredit.screening.schema  # noqa: F401
import corpcredit.store.schema_cases as schema_cases
from corpcredit.store import alembic_config, head_revision, metadata, upgrade

CASE_TABLES = {
    "repair_cases",
    "objections",
    "case_events",
    "case_evidence",
    "accounts",
    "api_tokens",
}


def test_the_case_tables_are_on_the_registry_metadata() -> None:
    assert schema_cases.metadata is metadata
    assert set(metadata.tables) >= CASE_TABLES


def test_the_head_migration_matches_the_metadata_with_the_case_tables(engine: Engine) -> None:
    assert head_revision() >= "0002"
    assert set(sa.inspect(engine).get_table_names()) >= CASE_TABLES
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, metadata) == []


def test_downgrading_0002_removes_only_the_case_tables(engine: Engine) -> None:
    before = set(sa.inspect(engine).get_table_names())
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    after = set(sa.inspect(engine).get_table_names())
    assert not (after & CASE_TABLES)
    assert before - CASE_TABLES >= after  # later migrations' tables go too, nothing else
    assert {"entities", "records", "audit_log"} <= after
    upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) == before

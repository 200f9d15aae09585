"""The registry store: tables, migrations, engines and the upsert.

SQLite (WAL) by default, PostgreSQL through the same code; see :mod:`.db` for how
the two are opened and where they differ, :mod:`.schema` for the tables.
"""

import corpcredit.store.schema_cases  # noqa: F401  (registers the case and account tables)
from corpcredit.store.db import (
    alembic_config,
    begin_write,
    connect,
    create_engine_for,
    current_revision,
    display_url,
    head_revision,
    upgrade,
    upsert,
    write_transaction,
)
from corpcredit.store.errors import (
    DatabaseUnavailable,
    MigrationFailed,
    StoreError,
    UnsupportedDatabase,
)
from corpcredit.store.schema import metadata

__all__ = [
    "DatabaseUnavailable",
    "MigrationFailed",
    "StoreError",
    "UnsupportedDatabase",
    "alembic_config",
    "begin_write",
    "connect",
    "create_engine_for",
    "current_revision",
    "display_url",
    "head_revision",
    "metadata",
    "upgrade",
    "upsert",
    "write_transaction",
]

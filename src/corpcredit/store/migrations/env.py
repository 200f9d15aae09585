"""Alembic environment for the registry schema.

corpcredit runs these migrations itself (:func:`corpcredit.store.db.upgrade`), handing
over a connection that is already inside a transaction, so the whole upgrade commits
or rolls back as one. There is no ``alembic.ini``; to write a new revision, compare
against a database at head (``CORPCREDIT_DATABASE_URL`` or the default)::

    .venv/bin/python -c "from alembic import command; \\
        from corpcredit.store.db import alembic_config; \\
        command.revision(alembic_config(), 'what changed', autogenerate=True)"

then edit the generated file so it stands on its own (plain ``sa`` types; no
imports from ``corpcredit``), as ``0001_initial.py`` does.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from corpcredit.store.schema import metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    from corpcredit.settings import get_settings
    from corpcredit.store.db import create_engine_for

    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine_for(url)
    try:
        with engine.begin() as conn:
            _migrate(conn)
    finally:
        engine.dispose()


_run()

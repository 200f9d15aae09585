"""Alembic migrations of the registry schema (run through ``corpcredit.store.db.upgrade``)."""

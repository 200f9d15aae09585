"""Errors raised by the store, each with a stable code (``store.*``)."""

from __future__ import annotations

from corpcredit.errors import CorpCreditError

__all__ = ["DatabaseUnavailable", "MigrationFailed", "StoreError", "UnsupportedDatabase"]


class StoreError(CorpCreditError):
    """Something went wrong in the registry store."""

    code = "store.error"
    http_status = 500


class UnsupportedDatabase(StoreError):
    """A database URL for a backend other than SQLite or PostgreSQL."""

    code = "store.unsupported_database"
    http_status = 400


class DatabaseUnavailable(StoreError):
    """The database cannot be reached or opened (server down, bad path, bad password)."""

    code = "store.unavailable"
    http_status = 503


class MigrationFailed(StoreError):
    """Bringing the schema up to date failed; the database was left as it was."""

    code = "store.migration_failed"

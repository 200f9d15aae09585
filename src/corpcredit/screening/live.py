"""The candidate index of a long-running process (the web app): loaded once, kept current.

A web process screens many small lists. :class:`LiveIndex` loads the saved index
on first use (:func:`~corpcredit.screening.source.open_index`, which builds and
saves it when there is none for this database) and, before each screening, brings
it up to date with the entities changed since (:func:`refresh`: one aggregate
query when nothing changed). Updating an index while another thread reads it is
not safe, so one screening runs at a time per process (:meth:`LiveIndex.matcher`
holds a lock); each takes a few seconds at most for the 1,000 rows the API allows.

:func:`index_dir_for` says where a database's index is saved: beside a SQLite
file (``var/corpcredit.db`` → ``var/screening``, where ``corpcredit screen``
keeps it too), else the default ``var/screening`` under the working directory.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, Connection

from corpcredit.screening.index import CandidateIndex
from corpcredit.screening.matcher import Matcher
from corpcredit.screening.source import default_index_dir, open_index, refresh

__all__ = ["LiveIndex", "index_dir_for"]


def index_dir_for(url: URL) -> Path:
    """Where the index of the database at ``url`` is kept."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).resolve().parent / "screening"
    return default_index_dir()


class LiveIndex:
    """One process's candidate index, opened lazily and refreshed before each use."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._index: CandidateIndex | None = None
        self._lock = threading.Lock()

    @contextmanager
    def matcher(self, conn: Connection) -> Iterator[Matcher]:
        """A matcher over the index, current with the registry behind ``conn``."""
        with self._lock:
            if self._index is None:
                directory = self.directory or index_dir_for(conn.engine.url)
                self._index = open_index(conn, directory)
            else:
                refresh(conn, self._index)
            yield Matcher(self._index)

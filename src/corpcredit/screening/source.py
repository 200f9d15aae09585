"""Where the candidate index comes from: the store, read once, then kept current.

:func:`open_index` loads the index saved under a directory (``var/screening`` by
default) when it was built from the same database by the same matcher version,
and brings it up to date with the entities changed since (``entities.updated_at``
at or after the saved watermark), saving the result; otherwise it builds the
index from the whole registry. :func:`refresh` does the same for an index held
in memory (a web process), and is what ingestion can call after landing
entities; :meth:`CandidateIndex.update` takes entity rows directly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.screening.errors import IndexUnusable
from corpcredit.screening.index import CandidateIndex, IndexManifest, now_iso
from corpcredit.screening.matcher import MATCHER_VERSION
from corpcredit.store.schema import entities, entity_aliases

__all__ = ["default_index_dir", "entity_rows", "open_index", "refresh"]

_COMPACT_SHARE = 0.1  # fold the delta into the base once it holds this share of rows
_COMPACT_MIN = 20_000
_STREAM = 10_000


def default_index_dir() -> Path:
    """``var/screening`` under the current directory, beside the default database."""
    return (Path.cwd() / "var" / "screening").resolve()


def _database(conn: Connection) -> str:
    """An opaque label of the database the index was built from (no password)."""
    url = conn.engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _state(conn: Connection) -> tuple[int, datetime | None]:
    count, newest = conn.execute(
        sa.select(sa.func.count(), sa.func.max(entities.c.updated_at))
    ).one()
    if isinstance(newest, str):  # SQLite aggregates lose the column type
        newest = datetime.fromisoformat(newest)
    if newest is not None and newest.tzinfo is None:
        newest = newest.replace(tzinfo=UTC)
    return int(count), newest


def entity_rows(conn: Connection, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Entities (with their aliases) for the index, those updated at or after ``since``."""
    changed = entities.c.updated_at >= since if since is not None else sa.true()
    aliases: dict[str, list[str]] = {}
    alias_q = (
        sa.select(entity_aliases.c.usci, entity_aliases.c.alias)
        .select_from(entity_aliases.join(entities, entities.c.usci == entity_aliases.c.usci))
        .where(changed)
        .order_by(entity_aliases.c.usci, entity_aliases.c.alias)
    )
    for usci, alias in conn.execute(alias_q):
        aliases.setdefault(usci, []).append(alias)
    q = (
        sa.select(
            entities.c.usci,
            entities.c.name,
            entities.c.name_en,
            entities.c.division_code,
            entities.c.natural_person,
        )
        .where(changed)
        .order_by(entities.c.usci)
    )
    for row in conn.execution_options(yield_per=_STREAM).execute(q).mappings():
        yield {**row, "aliases": aliases.get(row["usci"], [])}


def refresh(conn: Connection, index: CandidateIndex) -> int:
    """Re-index the entities changed since ``index`` was last brought up to date."""
    count, newest = _state(conn)
    mark = index.manifest.watermark
    since = datetime.fromisoformat(mark) if mark else None
    if newest is None or (since is not None and newest < since):
        return 0
    changed = index.update(entity_rows(conn, since))
    index.manifest.watermark = newest.isoformat()
    index.manifest.entities = count
    return changed


def _build(conn: Connection, progress: Callable[[int], None] | None) -> CandidateIndex:
    count, newest = _state(conn)
    manifest = IndexManifest(
        matcher_version=MATCHER_VERSION,
        built_at=now_iso(),
        watermark=newest.isoformat() if newest else None,
        database=_database(conn),
    )
    index = CandidateIndex.build(entity_rows(conn), manifest, progress)
    index.manifest.entities = count
    return index


def open_index(
    conn: Connection,
    directory: Path | None = None,
    *,
    rebuild: bool = False,
    progress: Callable[[int], None] | None = None,
) -> CandidateIndex:
    """The current index for the registry behind ``conn``, saved under ``directory``."""
    directory = directory or default_index_dir()
    index: CandidateIndex | None = None
    if not rebuild and (directory / "manifest.json").exists():
        try:
            index = CandidateIndex.load(directory)
        except IndexUnusable:
            index = None
    usable = (
        index is not None
        and index.manifest.matcher_version == MATCHER_VERSION
        and index.manifest.database == _database(conn)
        and _state(conn)[0] >= index.manifest.entities
    )
    if index is None or not usable:
        index = _build(conn, progress)
        index.save(directory)
        return index
    if refresh(conn, index):
        if index.delta_size > max(_COMPACT_MIN, _COMPACT_SHARE * len(index)):
            index = index.compact()
        index.save(directory)
    return index

"""Entity versions: a view "as known at" a past moment sees the names and parents of then."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from corpcredit.services.lookup import entity_view
from corpcredit.store import alembic_config, upgrade
from corpcredit.store.frames import load_frames
from corpcredit.store.schema import entity_versions
from tests.factory import usci
from tests.ingest.builders import CAT, ENTITY_FIELDS, entity, ingest, rows, write_feed


def _ingest(engine: Engine, tmp: Path, name: str, ents: list[dict[str, object]]) -> datetime:
    ingest(engine, "entities", write_feed(tmp / name, ents, ENTITY_FIELDS))
    return datetime.now(UTC)


def _entities(engine: Engine, known_at: datetime | None) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        ents = load_frames(conn, [usci(1), usci(2)], known_at=known_at).entities
    return {u: (n, h) for u, n, h in ents.select("usci", "name", "head_usci").iter_rows()}


def test_a_rename_and_a_move_are_versions_seen_by_knowledge_time(
    engine: Engine, tmp_path: Path
) -> None:
    before_any = datetime.now(UTC)
    first = _ingest(engine, tmp_path, "a.csv", [entity(1), entity(2)])
    # Entity 2 becomes a branch of 1 and 1 is renamed; an unchanged row is no version.
    second = _ingest(
        engine, tmp_path, "b.csv", [entity(1, name="新名称有限公司"), entity(2, parent=1)]
    )
    _ingest(engine, tmp_path, "c.csv", [entity(1, name="新名称有限公司"), entity(2, parent=1)])

    versions = rows(engine, "SELECT usci, version FROM entity_versions ORDER BY usci, version")
    assert versions == [(usci(1), 1), (usci(1), 2), (usci(2), 1), (usci(2), 2)]
    then = {usci(1): ("测试1有限公司", usci(1)), usci(2): ("测试2有限公司", usci(2))}
    assert _entities(engine, first) == then
    # Feeds give no recording time for entities: the first version is always known.
    assert _entities(engine, before_any) == then
    now = {usci(1): ("新名称有限公司", usci(1)), usci(2): ("测试2有限公司", usci(1))}
    assert _entities(engine, second) == now
    assert _entities(engine, None) == now


def test_migration_0006_gives_existing_entities_a_first_version(
    engine: Engine, tmp_path: Path
) -> None:
    _ingest(engine, tmp_path, "a.csv", [entity(1, aliases="乙|甲"), entity(2, parent=1)])
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    upgrade(engine)
    with engine.connect() as conn:
        got = conn.execute(
            sa.select(entity_versions.c.usci, entity_versions.c.version,
                      entity_versions.c.aliases, entity_versions.c.parent_usci)
            .order_by(entity_versions.c.usci)
        ).all()  # fmt: skip
    assert [tuple(r) for r in got] == [(usci(1), 1, "乙|甲", None), (usci(2), 1, None, usci(1))]


def test_a_page_as_known_at_a_past_moment_shows_the_name_of_then(
    engine: Engine, tmp_path: Path
) -> None:
    first = _ingest(engine, tmp_path, "a.csv", [entity(1, aliases="旧简称")])
    _ingest(engine, tmp_path, "b.csv", [entity(1, name="新名称有限公司", aliases="新简称")])
    with engine.connect() as conn:
        then = entity_view(conn, usci(1), known_at=first, cat=CAT)
        now = entity_view(conn, usci(1), known_at=datetime.now(UTC), cat=CAT)
    assert (then.identity.name, then.identity.aliases) == ("测试1有限公司", ("旧简称",))
    assert (now.identity.name, now.identity.aliases) == ("新名称有限公司", ("新简称",))

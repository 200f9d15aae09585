"""The index follows the store: built on first use, refreshed by what changed since."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import screening
from corpcredit.screening import Matcher
from corpcredit.store import create_engine_for, upgrade
from corpcredit.store.schema import entities
from tests.screening.registry import GATE, HEAD, screening_registry
from tests.services.test_lookup_registry import Registry


def best(index: screening.CandidateIndex, name: str) -> str | None:
    result = Matcher(index).match(name)
    return result.best.usci if result.best else None


def test_the_index_is_built_once_saved_and_reused(engine: Engine, tmp_path: Path) -> None:
    screening_registry(engine)
    with engine.connect() as conn:
        first = screening.open_index(conn, tmp_path)
        second = screening.open_index(conn, tmp_path)
    assert first.manifest.entities == second.manifest.entities == 11
    assert second.manifest.built_at == first.manifest.built_at  # loaded, not rebuilt
    assert best(second, "北京示例控股集团") == HEAD
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["matcher_version"] == screening.MATCHER_VERSION


def test_renamed_and_new_entities_are_picked_up(engine: Engine, tmp_path: Path) -> None:
    reg = screening_registry(engine)
    with engine.connect() as conn:
        screening.open_index(conn, tmp_path)
    later = datetime.now(UTC) + timedelta(seconds=5)
    with engine.begin() as conn:
        conn.execute(
            sa.update(entities)
            .where(entities.c.usci == GATE)
            .values(name="杭州闸门智能科技有限公司", updated_at=later)
        )
    reg.entity("91330106MA002JWY1T", "温州瑞泰鞋业有限公司", updated_at=later)
    with engine.connect() as conn:
        index = screening.open_index(conn, tmp_path)
    assert best(index, "杭州闸门智能科技") == GATE
    assert best(index, "杭州门控科技有限公司") is None
    assert best(index, "温州瑞泰鞋业") == "91330106MA002JWY1T"
    assert index.delta_size == 2
    with engine.connect() as conn:  # and the refreshed index was saved
        again = screening.open_index(conn, tmp_path)
    assert again.delta_size == 2 and best(again, "杭州闸门智能科技") == GATE


def test_an_index_of_another_database_is_rebuilt(engine: Engine, tmp_path: Path) -> None:
    screening_registry(engine)
    with engine.connect() as conn:
        screening.open_index(conn, tmp_path / "index")
    other = create_engine_for(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    Registry(other).entity(GATE, "完全不同的名称有限公司")
    try:
        with other.connect() as conn:
            index = screening.open_index(conn, tmp_path / "index")
    finally:
        other.dispose()
    assert index.manifest.entities == 1
    assert best(index, "北京示例控股集团") is None

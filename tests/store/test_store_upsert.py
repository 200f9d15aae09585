"""``upsert``: the one dialect-specific write behaves the same on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit.store import upsert
from corpcredit.store.schema import entities

KEY = ["usci"]
UPDATE = ["name", "status"]


def _entity(usci: str, name: str, status: str = "active") -> dict[str, object]:
    return {"usci": usci, "name": name, "status": status, "head_usci": usci}


def _names(engine: Engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(entities.c.usci, entities.c.name, entities.c.status))
        return {r.usci: (r.name, r.status) for r in rows}


def test_new_keys_are_inserted(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert(conn, entities, [_entity("A" * 18, "甲"), _entity("B" * 18, "乙")], KEY, UPDATE)
    assert _names(engine) == {"A" * 18: ("甲", "active"), "B" * 18: ("乙", "active")}


def test_existing_keys_are_updated_in_the_named_columns_only(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert(conn, entities, [_entity("A" * 18, "甲")], KEY, UPDATE)
    with engine.begin() as conn:
        row = _entity("A" * 18, "甲改", "revoked") | {"head_usci": "Z" * 18}
        upsert(conn, entities, [row, _entity("B" * 18, "乙")], KEY, UPDATE)
    assert _names(engine) == {"A" * 18: ("甲改", "revoked"), "B" * 18: ("乙", "active")}
    with engine.connect() as conn:
        heads = conn.execute(sa.select(entities.c.head_usci).order_by(entities.c.usci)).scalars()
        assert list(heads) == ["A" * 18, "B" * 18]  # head_usci was not among the update columns


def test_without_update_columns_existing_rows_are_left_alone(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert(conn, entities, [_entity("A" * 18, "甲")], KEY, [])
        upsert(conn, entities, [_entity("A" * 18, "乙")], KEY, [])
    assert _names(engine) == {"A" * 18: ("甲", "active")}


def test_only_if_changed_leaves_rows_whose_compared_columns_are_equal(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert(conn, entities, [_entity("A" * 18, "甲"), _entity("B" * 18, "乙")], KEY, UPDATE)
    later = datetime(2030, 1, 1, tzinfo=UTC)
    rows = [_entity("A" * 18, "甲"), _entity("B" * 18, "乙改")]
    with engine.begin() as conn:
        upsert(
            conn,
            entities,
            [row | {"updated_at": later} for row in rows],
            KEY,
            [*UPDATE, "updated_at"],
            only_if_changed=["name"],
        )
    with engine.connect() as conn:
        stamps = dict(conn.execute(sa.select(entities.c.usci, entities.c.updated_at)).all())
    assert stamps["A" * 18] < later  # same name: not rewritten, not even its timestamp
    assert stamps["B" * 18] == later
    assert _names(engine)["B" * 18] == ("乙改", "active")


def test_the_later_of_two_rows_with_one_key_wins(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert(conn, entities, [_entity("A" * 18, "先"), _entity("A" * 18, "后")], KEY, UPDATE)
    assert _names(engine) == {"A" * 18: ("后", "active")}


def test_no_rows_is_a_no_op(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert(conn, entities, [], KEY, UPDATE)
    assert _names(engine) == {}

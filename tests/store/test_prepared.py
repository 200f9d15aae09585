"""A prepared read gives the rows ``conn.execute`` gives, typed the same, in one snapshot."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from corpcredit.store import create_engine_for
from corpcredit.store.prepared import Prepared
from corpcredit.store.types import UTCDateTime

META = sa.MetaData()
THINGS = sa.Table(
    "things",
    META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String),
    sa.Column("on", sa.Date),
    sa.Column("flag", sa.Boolean),
    sa.Column("at", UTCDateTime()),
    sa.Column("doc", sa.JSON),
)
ROWS = [
    {
        "id": 1,
        "name": "甲",
        "on": date(2026, 1, 2),
        "flag": True,
        "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "doc": {"a": [1, "二"]},
    },
    {"id": 2, "name": None, "on": None, "flag": False, "at": None, "doc": None},
    {"id": 3, "name": "丙", "on": date(2025, 12, 31), "flag": None, "at": None, "doc": [1]},
]


def _engine(tmp_path: Path) -> sa.Engine:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'p.db'}")
    META.create_all(engine)
    with engine.begin() as conn:
        conn.execute(THINGS.insert(), ROWS)
    return engine


def test_rows_and_their_types_are_those_of_sqlalchemy(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    stmt = (
        sa.select(THINGS, sa.exists().where(THINGS.c.id > sa.bindparam("n")).label("later"))
        .where(THINGS.c.id >= sa.bindparam("n"), THINGS.c.id != 99)
        .order_by(THINGS.c.id)
    )
    prepared = Prepared(stmt)
    with engine.connect() as conn:
        for n in (0, 2, 9):
            expected = conn.execute(stmt, {"n": n}).all()
            got = prepared.rows(conn, {"n": n})
            assert [tuple(r) for r in got] == [tuple(r) for r in expected]
            assert [r._asdict() for r in got] == [r._asdict() for r in expected]
            for a, b in zip(got, expected, strict=True):
                assert [type(v) for v in a] == [type(v) for v in b]
    engine.dispose()


def test_reads_share_one_transaction(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    prepared = Prepared(sa.select(THINGS.c.id).order_by(THINGS.c.id))
    with engine.connect() as reader:
        before = prepared.rows(reader, {})
        assert reader.in_transaction()
        with engine.begin() as writer:
            writer.execute(THINGS.insert(), [{"id": 4}])
        assert prepared.rows(reader, {}) == before  # the same snapshot
    with engine.connect() as reader:
        assert [r.id for r in prepared.rows(reader, {})] == [1, 2, 3, 4]
    engine.dispose()


def test_an_expanding_in_goes_through_sqlalchemy(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    stmt = sa.select(THINGS.c.id).where(THINGS.c.id.in_(sa.bindparam("ids", expanding=True)))
    with engine.connect() as conn:
        assert [r.id for r in Prepared(stmt).rows(conn, {"ids": [1, 3]})] == [1, 3]
    engine.dispose()

"""Writers appending at the same time from separate connections keep one chain."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit.audit import append, verify
from corpcredit.store import begin_write
from corpcredit.store.schema import audit_log, entities

WRITERS = 4
EACH = 15


def _run_concurrently(*targets: object) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def wrap(target) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            target()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_appends_never_fork_the_chain(engine: Engine) -> None:
    def writer(name: str) -> None:
        for n in range(EACH):
            with engine.begin() as conn:
                append(conn, name, "record.created", "record", f"{name}/R{n}", {"n": n})

    errors = _run_concurrently(*(lambda w=w: writer(f"writer{w}") for w in range(WRITERS)))
    assert errors == []
    with engine.connect() as conn:
        result = verify(conn)
        per_writer: dict[str, int] = dict(
            conn.execute(
                sa.select(audit_log.c.actor, sa.func.count()).group_by(audit_log.c.actor)
            ).all()
        )
    assert result.ok and result.entries == WRITERS * EACH
    assert per_writer == {f"writer{w}": EACH for w in range(WRITERS)}


def test_appends_inside_write_transactions_that_read_first_serialise(engine: Engine) -> None:
    def writer(name: str) -> None:
        for n in range(EACH):
            with begin_write(engine) as conn:
                conn.execute(sa.select(sa.func.count()).select_from(entities)).scalar()
                append(conn, name, "entity.checked", "entity", f"{name}/{n}", {})

    errors = _run_concurrently(*(lambda w=w: writer(f"writer{w}") for w in range(WRITERS)))
    assert errors == []
    with engine.connect() as conn:
        result = verify(conn)
    assert result.ok and result.entries == WRITERS * EACH

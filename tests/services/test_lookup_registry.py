"""Builders for read-side tests: a registry written straight into the tables.

The read side must not depend on ingestion, so these write entities, records (with
their versions) and events with plain SQLAlchemy inserts, and a minimal
materialiser scores everything with the kernel into ``results`` and
``contributions``. The worked example (../shared/examples/worked) loads in one call.
The tests at the bottom check the builders themselves against the example's
expected results, so a broken builder cannot make other tests pass.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit.catalogue import Catalogue, default_catalogue
from corpcredit.scoring import score
from corpcredit.scoring.frames import CHINA_TZ
from corpcredit.services.name_index import update_name_index
from corpcredit.store.frames import load_frames
from corpcredit.store.schema import (
    contributions,
    entities,
    entity_aliases,
    list_entries,
    record_events,
    record_versions,
    records,
    results,
)
from tests.worked import WORKED

AS_OF = date(2025, 6, 30)

# The worked example's organisations, by story.
HEAD = "91110105MA01HEAD9C"
SHANGHAI = "91310115MA02BR010U"
SHENZHEN = "91440305MA03BR02X7"
GATE = "91330106MA04GATE40"
ABNORMAL = "91320102MA05EXCL6B"
RED = "91510104MA06RED00B"
DEFAULTER = "91420106MA07CRT07J"
EXPIRED = "91370102MA08EXP0XQ"
REPAIRED = "91210102MA09REP0XL"
PERSON = "92340621MA2PBKRXXG"

Key = tuple[str, str]


def day(text: str) -> date:
    return date.fromisoformat(text)


def midnight(d: date) -> datetime:
    return datetime.combine(d, time(), CHINA_TZ).astimezone(UTC)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class Registry:
    """A test registry on ``engine``: one-line builders, each in its own transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.heads: dict[str, str] = {}

    def entity(
        self,
        usci: str,
        name: str,
        *,
        parent: str | None = None,
        aliases: Iterable[str] = (),
        **fields: Any,
    ) -> str:
        person = usci.startswith("92")
        head = usci if person or parent is None else self.heads.get(parent, usci)
        self.heads[usci] = head
        now = datetime.now(UTC)
        row = {
            "usci": usci,
            "name": name,
            "name_en": None,
            "legal_form": None,
            "status": "active",
            "registered_on": None,
            "address": None,
            "parent_usci": parent,
            "head_usci": head,
            "natural_person": person,
            "division_code": usci[2:8],
            "created_at": now,
            "updated_at": now,
            **fields,
        }
        with self.engine.begin() as conn:
            conn.execute(sa.insert(entities), [row])
            for alias in aliases:
                conn.execute(sa.insert(entity_aliases), [{"usci": usci, "alias": alias}])
        return usci

    def record(
        self,
        usci: str,
        kind: str,
        tier: str | None,
        decided: str,
        record_id: str,
        *,
        source: str = "t",
        recorded_at: datetime | None = None,
        **fields: Any,
    ) -> Key:
        decided_on = day(decided)
        row = {
            "source": source,
            "record_id": record_id,
            "usci": usci,
            "kind": kind,
            "tier": tier,
            "decided_on": decided_on,
            "authority": "示例市市场监督管理局",
            "decision_no": f"示市监罚〔{decided_on.year}〕{record_id}号",
            "legal_basis": None,
            "summary": None,
            "amount_cny": None,
            "grade": None,
            "black": False,
            "red": False,
            "ends_on": None,
            "recorded_at": recorded_at or midnight(decided_on),
            **fields,
        }
        with self.engine.begin() as conn:
            pk = conn.execute(
                sa.insert(records).returning(records.c.id),
                [{**row, "version": 1, "content_hash": "0" * 64}],
            ).scalar_one()
            conn.execute(
                sa.insert(record_versions),
                [{**row, "record_pk": pk, "version": 1, "content_hash": "0" * 64}],
            )
        return (source, record_id)

    def correct(self, key: Key, recorded_at: datetime, **changes: Any) -> None:
        """A new version of a record, learnt at ``recorded_at``."""
        source, record_id = key
        with self.engine.begin() as conn:
            cur = dict(
                conn.execute(
                    sa.select(records).where(
                        records.c.source == source, records.c.record_id == record_id
                    )
                )
                .mappings()
                .one()
            )
            pk, version = cur.pop("id"), cur["version"] + 1
            cur.pop("batch_id")
            new = {**cur, **changes, "version": version, "recorded_at": recorded_at}
            conn.execute(sa.update(records).where(records.c.id == pk).values(**new))
            conn.execute(
                sa.update(record_versions)
                .where(record_versions.c.record_pk == pk, record_versions.c.superseded_at.is_(None))
                .values(superseded_at=recorded_at)
            )
            conn.execute(sa.insert(record_versions), [{**new, "record_pk": pk}])

    def event(
        self, key: Key, event: str, effective: str, recorded_at: datetime | None = None
    ) -> None:
        row = {
            "source": key[0],
            "record_id": key[1],
            "event": event,
            "effective_on": day(effective),
            "recorded_at": recorded_at or midnight(day(effective)),
        }
        with self.engine.begin() as conn:
            conn.execute(sa.insert(record_events), [row])

    def list_entry(
        self,
        usci: str,
        which: str,
        entered: str,
        left: str | None = None,
        basis: Any = None,
    ) -> None:
        row = {
            "usci": usci,
            "list": which,
            "entered_on": day(entered),
            "left_on": day(left) if left else None,
            "basis": basis,
        }
        with self.engine.begin() as conn:
            conn.execute(sa.insert(list_entries), [row])

    def materialise(self, as_of: date = AS_OF, cat: Catalogue | None = None) -> None:
        """Score every entity at ``as_of`` into ``results`` and ``contributions``, and
        index the names for search."""
        cat = cat or default_catalogue()
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            inputs = load_frames(conn)
            out = score(inputs.entities, inputs.records, inputs.events, cat, as_of)
            heads = dict(inputs.entities.select("usci", "head_usci").iter_rows())
            conn.execute(sa.delete(contributions))
            conn.execute(sa.delete(results))
            res = [
                {**r, "computed_at": now, "head_usci": heads[r["usci"]]}
                for r in out.results.to_dicts()
            ]
            if res:
                conn.execute(sa.insert(results), res)
            lines = [
                {**r, "catalogue_version": cat.version}
                for r in out.contributions.drop("decided_on").to_dicts()
            ]
            if lines:
                conn.execute(sa.insert(contributions), lines)
            update_name_index(conn, scoped=False)

    def worked_example(self) -> None:
        """The ten organisations of the worked example, with their records and events."""
        for r in _csv("entities.csv"):
            self.entity(
                r["usci"], r["name"], parent=r["parent_usci"] or None, legal_form=r["legal_form"]
            )
        for r in _csv("records.csv"):
            flags = {f: r[f] == "true" for f in ("black", "red")}
            self.record(
                r["usci"],
                r["kind"],
                r["tier"] or None,
                r["decided_on"],
                r["record_id"],
                source=r["source"],
                authority=r["authority"],
                decision_no=r["decision_no"],
                grade=r["grade"] or None,
                **flags,
            )
        for r in _csv("events.csv"):
            self.event(
                (r["source"], r["record_id"]),
                r["event"],
                r["effective_on"],
                ts(r["recorded_at"]) if r["recorded_at"] else None,
            )


def _csv(name: str) -> list[dict[str, str]]:
    with (WORKED / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def worked(engine: Engine, *, materialise: bool = True) -> Registry:
    reg = Registry(engine)
    reg.worked_example()
    if materialise:
        reg.materialise()
    return reg


# -- the builders themselves -------------------------------------------------------


def test_worked_example_materialises_its_expected_results(engine: Engine) -> None:
    worked(engine)
    with engine.connect() as conn:
        got = {r.usci: (r.score, r.grade or "") for r in conn.execute(sa.select(results))}
    expected = {
        r["usci"]: (int(r["score"]) if r["score"] else None, r["grade"])
        for r in _csv("expected-results-2025-06-30.csv")
    }
    assert got == expected


def test_a_correction_keeps_both_versions(engine: Engine) -> None:
    reg = Registry(engine)
    reg.entity(GATE, "杭州门控科技有限公司")
    key = reg.record(GATE, "admin_penalty", "general", "2025-01-01", "C1")
    reg.correct(key, ts("2025-02-01T00:00:00+08:00"), tier="serious")
    with engine.connect() as conn:
        versions = conn.execute(
            sa.select(record_versions.c.version, record_versions.c.tier).order_by("version")
        ).all()
        current = conn.execute(sa.select(records.c.tier, records.c.version)).one()
    assert [tuple(v) for v in versions] == [(1, "general"), (2, "serious")]
    assert tuple(current) == ("serious", 2)
    assert pl.DataFrame(versions, orient="row").height == 2

"""Engine fixtures: one Spark session per test session, and a generated registry.

The Spark session is ``local[2]`` with few shuffle partitions and no UI; starting
it costs seconds, so every Spark test shares it (they run in one xdist group).
Without PySpark or Java the Spark tests fail, naming what to install.

``registry`` builds a registry in the feed layout that exercises what engines can
get wrong: organisations of one to three levels (pointer jumping needs two rounds),
parents missing from the registry, parents that are natural persons, individual
businesses by code and by legal form, minor records before and after serious ones
(gating), abnormal operations old enough to escalate, tax grades, red and black
flags, later ``ends_on``, knowledge times, every event kind, and records and events
naming nothing known. ``synthetic`` is a realistic registry from ``corpcredit.synth``
with every feed column an authority sends.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import polars as pl
import pytest

from tests.factory import usci

CST = timezone(timedelta(hours=8))

_KINDS: list[tuple[str, list[str], int]] = [  # kind, tiers, weight
    ("admin_penalty", ["minor", "general", "serious"], 30),
    ("abnormal_operations", ["general"], 10),
    ("serious_violation_list", ["serious"], 3),
    ("tax_blacklist", ["serious"], 2),
    ("tax_grade", [""], 12),
    ("court_defaulter", ["serious"], 4),
    ("spot_check_failed", ["general"], 10),
    ("environmental_violation", ["general", "serious"], 6),
    ("commendation", ["positive"], 5),
    ("credit_commitment_kept", ["positive"], 6),
]


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The test session's SparkSession (local[2], 4 shuffle partitions, no UI)."""
    from corpcredit.engines.spark_session import spark_session
    from corpcredit.errors import CorpCreditError

    try:
        session = spark_session("local[2]", shuffle_partitions=4, ui=False)
    except CorpCreditError as exc:
        missing = f"[{exc.code}] {exc.message}"
    else:
        missing = None
    if missing:  # fail, not skip: CI installs Java and the extra (see .ci/run)
        pytest.fail(missing, pytrace=False)
    try:
        yield session
    finally:
        session.stop()


@dataclass(frozen=True)
class Registry:
    """Feed-layout frames (as an authority would send them)."""

    entities: pl.DataFrame
    records: pl.DataFrame
    events: pl.DataFrame


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days))


def _entities(rng: random.Random, n: int) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    serial = iter(range(1, 10**9))

    def add(kind: str = "91", parent: str | None = None, form: str = "有限责任公司") -> str:
        u = usci(next(serial), kind, rng.choice(["330106", "110105", "440305", "510104"]))
        rows.append(
            {
                "usci": u,
                "name": f"测试{len(rows)}有限公司",
                "parent_usci": parent,
                "legal_form": form,
            }
        )
        return u

    persons: list[str] = []
    while len(rows) < n:
        roll = rng.random()
        if roll < 0.05:
            persons.append(add("92", form="个体工商户"))
        elif roll < 0.06:
            persons.append(add("91", form="个人独资企业"))
        elif roll < 0.07:
            add(parent=usci(10**8 + len(rows)))  # parent missing from the registry
        elif roll < 0.075 and persons:
            add(parent=rng.choice(persons), form="分公司")  # a person is no head office
        elif roll < 0.25:
            head = add()
            for _ in range(rng.randint(1, 5)):
                branch = add(parent=head, form="分公司")
                for _ in range(rng.choice([0, 0, 0, 1, 2])):
                    sub = add(parent=branch, form="分公司")
                    if rng.random() < 0.3:
                        add(parent=sub, form="分公司")
        else:
            add()
    rows[0]["parent_usci"] = rows[0]["usci"]  # its own parent: a head office
    return pl.DataFrame(rows).sort("usci")


def _record(rng: random.Random, i: int, u: str, decided: date) -> dict[str, Any]:
    kind, tiers, _ = rng.choices(_KINDS, weights=[k[2] for k in _KINDS])[0]
    tier = rng.choice(tiers)
    row: dict[str, Any] = {
        "record_id": f"G{i}",
        "source": rng.choice(["samr", "tax"]),
        "usci": u,
        "kind": kind,
        "tier": tier or None,
        "decided_on": decided,
        "authority": "测试市市场监督管理局",
        "decision_no": f"测罚〔{decided.year}〕{i}号",
        "grade": rng.choice("ABCDM") if kind == "tax_grade" else None,
        "black": None,
        "red": None,
        "ends_on": None,
        "recorded_at": None,
    }
    if tier == "serious" and rng.random() < 0.3:
        row["black"] = True
    if kind == "commendation":
        row["red"] = rng.random() < 0.5
    if rng.random() < 0.05:
        row["ends_on"] = decided + timedelta(days=rng.randrange(200, 2000))
    if rng.random() < 0.2:
        late = datetime.combine(decided, datetime.min.time(), CST) + timedelta(
            days=rng.randrange(0, 90), hours=rng.randrange(24)
        )
        row["recorded_at"] = late.isoformat()
    return row


def _records(rng: random.Random, entities: pl.DataFrame) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for u in entities.get_column("usci"):
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
            rows.append(_record(rng, len(rows), u, _day(rng, date(2021, 1, 1), date(2025, 12, 31))))
        if rng.random() < 0.04:  # gating: minor records around a serious one
            serious = _day(rng, date(2024, 1, 1), date(2025, 5, 1))
            for kind, tier, when in (
                ("admin_penalty", "minor", serious - timedelta(days=20)),
                ("environmental_violation", "serious", serious),
                ("admin_penalty", "minor", serious + timedelta(days=20)),
            ):
                r = _record(rng, len(rows), u, when)
                r.update(kind=kind, tier=tier, grade=None, black=None, red=None)
                rows.append(r)
        if rng.random() < 0.02:  # abnormal for more than 36 months: escalates to black
            r = _record(rng, len(rows), u, _day(rng, date(2021, 1, 1), date(2022, 6, 1)))
            r.update(kind="abnormal_operations", tier="general", grade=None, black=None, red=None)
            rows.append(r)
    for k in range(5):  # naming entities missing from the registry
        rows.append(_record(rng, len(rows), usci(2 * 10**8 + k), date(2025, 1, 1)))
    schema = {"decided_on": pl.Date, "ends_on": pl.Date, "black": pl.Boolean, "red": pl.Boolean}
    return pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)


def _events(rng: random.Random, records: pl.DataFrame) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for source, record_id, decided in records.select(
        "source", "record_id", "decided_on"
    ).iter_rows():
        if rng.random() > 0.15:
            continue
        kinds = rng.choice(
            [["lifted"], ["repaired"], ["withdrawn"], ["repaired", "revoked_repair"],
             ["repaired", "revoked_repair", "repaired"], ["lifted", "repaired"]]
        )  # fmt: skip
        when = decided
        for kind in kinds:
            when = when + timedelta(days=rng.randrange(1, 400))
            seen = None
            if rng.random() < 0.3:
                seen = datetime.combine(when, datetime.min.time(), CST) + timedelta(
                    days=rng.randrange(0, 30)
                )
            rows.append(
                {"source": source, "record_id": record_id, "event": kind, "effective_on": when,
                 "recorded_at": seen}
            )  # fmt: skip
    rows.append(
        {"source": "samr", "record_id": "NO-SUCH-RECORD", "event": "lifted",
         "effective_on": date(2025, 1, 1), "recorded_at": None}
    )  # fmt: skip
    schema = {"effective_on": pl.Date, "recorded_at": pl.Datetime("us", "UTC")}
    return pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)


def generated_registry(n: int, seed: int) -> Registry:
    """A registry of ``n`` entities with every case listed in the module docstring."""
    rng = random.Random(seed)
    entities = _entities(rng, n)
    records = _records(rng, entities)
    return Registry(entities, records, _events(rng, records))


@pytest.fixture(scope="session")
def registry() -> Registry:
    return generated_registry(2500, seed=7)


@pytest.fixture(scope="session")
def synthetic() -> Registry:
    from corpcredit.synth import generate

    reg = generate(3000, 11)
    return Registry(reg.entities, reg.records, reg.events)

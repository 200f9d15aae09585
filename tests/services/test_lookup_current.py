"""Today's view from the materialised state equals the kernel's, for every organisation.

A differential test: the registry is scored by the real rescoring service (results,
contributions, list windows), then every entity's view read from those tables is
compared with the view the kernel computes on the fly, on the worked example and on
Hypothesis-generated registries, on SQLite and PostgreSQL. A materialised result
that no longer holds today is never served.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import polars as pl
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from corpcredit.catalogue import default_catalogue
from corpcredit.scoring import resolve_heads
from corpcredit.scoring.frames import CHINA_TZ
from corpcredit.services.lookup import EntityView, current_view, entity_view
from corpcredit.services.rescore import refresh, rescore_all
from corpcredit.store.schema import (
    contributions,
    entities,
    list_entries,
    record_events,
    record_versions,
    records,
    result_lists,
    results,
    search_grams,
    search_names,
)
from tests.factory import usci
from tests.scoring.strategies import registries
from tests.services.test_lookup_registry import (
    ABNORMAL,
    AS_OF,
    DEFAULTER,
    EXPIRED,
    HEAD,
    RED,
    Registry,
)

CAT = default_catalogue()


def kernel(engine: Engine, u: str, day: date) -> EntityView:
    with engine.connect() as conn:
        return replace(entity_view(conn, u, as_of=day, cat=CAT), warnings=())


def current(engine: Engine, u: str, day: date) -> EntityView | None:
    with engine.connect() as conn:
        return current_view(conn, u, CAT, today=day)


def everyone(engine: Engine) -> list[tuple[str, date | None]]:
    """Every entity with its materialised next change date."""
    q = sa.select(entities.c.usci, results.c.next_change).join_from(
        entities, results, results.c.usci == entities.c.usci, isouter=True
    )
    with engine.connect() as conn:
        return [(u, n) for u, n in conn.execute(q.order_by(entities.c.usci))]


def assert_same_for_everyone(engine: Engine, day: date) -> int:
    """Compare the two ways for every entity whose result holds on ``day``; how many."""
    compared = 0
    for u, next_change in everyone(engine):
        fast = current(engine, u, day)
        if next_change is not None and day >= next_change:
            assert fast is None, u
            continue
        assert fast is not None, u
        assert fast == kernel(engine, u, day), u
        compared += 1
    return compared


def worked_example(engine: Engine, day: date = AS_OF) -> Registry:
    reg = Registry(engine)
    reg.worked_example()
    rescore_all(engine, day, CAT)
    return reg


# -- the worked example ---------------------------------------------------------------


def test_every_worked_example_entity_reads_the_same_from_the_materialised_state(
    engine: Engine,
) -> None:
    worked_example(engine)
    assert assert_same_for_everyone(engine, AS_OF) == 10


def test_the_materialised_view_holds_until_the_next_change_date(engine: Engine) -> None:
    worked_example(engine)
    for u, next_change in everyone(engine):
        if next_change is None:
            continue
        day_before = next_change - timedelta(days=1)
        fast = current(engine, u, day_before)
        assert fast is not None and fast == kernel(engine, u, day_before), u
        assert current(engine, u, next_change) is None, u


def test_list_windows_are_materialised_with_the_results(engine: Engine) -> None:
    worked_example(engine)
    with engine.connect() as conn:
        rows = {
            (r.usci, r.list): r
            for r in conn.execute(sa.select(result_lists).order_by(result_lists.c.usci))
        }
    assert set(rows) == {
        (DEFAULTER, "black"),
        (ABNORMAL, "black"),
        (ABNORMAL, "abnormal"),
        (RED, "red"),
    }
    black = rows[(DEFAULTER, "black")]
    assert (black.entered_on, black.scheduled_exit, black.earliest_repair) == (
        date(2024, 10, 15),
        date(2026, 10, 15),
        date(2025, 10, 15),
    )
    red = rows[(RED, "red")]  # exact, as the kernel walks it: the tax grade A's year
    assert (red.entered_on, red.scheduled_exit) == (date(2025, 4, 1), date(2026, 4, 1))
    assert [g["rule"] for g in rows[(ABNORMAL, "black")].grounds] == ["abnormal_escalation"]


def test_an_expiry_after_the_results_were_computed_is_not_served_stale(engine: Engine) -> None:
    day_before = AS_OF - timedelta(days=1)  # W11 of EXPIRED ends on AS_OF
    worked_example(engine, day_before)
    stale = current(engine, EXPIRED, day_before)
    assert stale is not None and [r.record_id for r in stale.records] == ["W11"]
    assert current(engine, EXPIRED, AS_OF) is None
    assert kernel(engine, EXPIRED, AS_OF).records == ()

    refresh(engine, AS_OF, CAT)  # what `corpcredit refresh` does each day
    fresh = current(engine, EXPIRED, AS_OF)
    assert fresh is not None and fresh.records == () and fresh == kernel(engine, EXPIRED, AS_OF)


def test_results_of_another_catalogue_or_without_their_windows_are_not_served(
    engine: Engine,
) -> None:
    worked_example(engine)
    with engine.begin() as conn:
        conn.execute(sa.update(results).where(results.c.usci == HEAD).values(catalogue_version="x"))
        conn.execute(sa.delete(result_lists).where(result_lists.c.usci == DEFAULTER))
    assert current(engine, HEAD, AS_OF) is None
    assert current(engine, DEFAULTER, AS_OF) is None
    assert current(engine, RED, AS_OF) is not None


def test_without_a_date_the_lookup_answers_for_today_either_way(engine: Engine) -> None:
    # Scored on AS_OF, long before today: some results still hold, others have
    # expired since and are recomputed; both must equal the kernel's view of today.
    worked_example(engine)
    today = datetime.now(CHINA_TZ).date()
    for u, _ in everyone(engine):
        with engine.connect() as conn:
            got = replace(entity_view(conn, u, cat=CAT), warnings=())
        assert got == kernel(engine, u, today), u


# -- random registries --------------------------------------------------------------


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in (
            search_grams,
            search_names,
            result_lists,
            list_entries,
            contributions,
            results,
            record_events,
            record_versions,
            records,
            entities,
        ):
            conn.execute(sa.delete(table))


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time(), CHINA_TZ).astimezone(UTC)


def _load(engine: Engine, reg: dict[str, Any]) -> None:
    """Write a generated registry as ingestion would (heads resolved by the kernel's rule)."""
    frame = pl.DataFrame(
        [{**e, "natural_person": e["usci"].startswith("92")} for e in reg["entities"]],
        schema={"usci": pl.Utf8, "parent_usci": pl.Utf8, "natural_person": pl.Boolean},
    )
    heads, _ = resolve_heads(frame.sort("usci"))
    head_of = dict(heads.select("usci", "head_usci").iter_rows())
    now = datetime.now(UTC)
    ents = [
        {
            **e,
            "name": f"测试{i}有限公司",
            "status": "active",
            "head_usci": head_of[e["usci"]],
            "natural_person": e["usci"].startswith("92"),
            "division_code": e["usci"][2:8],
            "created_at": now,
            "updated_at": now,
        }
        for i, e in enumerate(reg["entities"])
    ]
    recs = [
        {
            **r,
            "id": i + 1,
            "recorded_at": r["recorded_at"] or _midnight(r["decided_on"]),
            "black": bool(r["black"]),
            "red": bool(r["red"]),
            "version": 1,
            "content_hash": "0" * 64,
        }
        for i, r in enumerate(reg["records"])
    ]
    evs = [
        {**e, "recorded_at": e["recorded_at"] or _midnight(e["effective_on"])}
        for e in reg["events"]
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(entities), ents)
        if recs:
            conn.execute(sa.insert(records), recs)
            versions = [
                {k: v for k, v in r.items() if k != "id"} | {"record_pk": r["id"]} for r in recs
            ]
            conn.execute(sa.insert(record_versions), versions)
        if evs:
            conn.execute(sa.insert(record_events), evs)


_POSITIVE = [
    ("tax_grade", None, "A"),
    ("commendation", "positive", None),
    ("credit_commitment_kept", "positive", None),
]


@st.composite
def red_leaning(draw: st.DrawFn) -> dict[str, Any]:
    """A generated registry with ratings and commendations added near its date, so
    that red-list windows, exact to the day, are common."""
    reg = draw(registries(max_entities=5, max_records=10))
    extra = []
    for e in reg["entities"]:
        for j in range(draw(st.integers(0, 3))):
            kind, tier, grade = draw(st.sampled_from(_POSITIVE))
            decided = reg["as_of"] - timedelta(days=draw(st.integers(-60, 900)))
            extra.append(
                {
                    "source": "p",
                    "record_id": f"{e['usci']}-{j}",
                    "usci": e["usci"],
                    "kind": kind,
                    "tier": tier,
                    "decided_on": decided,
                    "authority": "测试局",
                    "decision_no": None,
                    "grade": grade,
                    "black": None,
                    "red": draw(st.booleans()) if kind == "commendation" else None,
                    "ends_on": None,
                    "recorded_at": None,
                }
            )
    return {**reg, "records": reg["records"] + extra}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.one_of(registries(max_entities=5, max_records=12), red_leaning()), st.integers(0, 800))
def test_random_registries_read_the_same_from_the_materialised_state(
    engine: Engine, reg: dict[str, Any], later: int
) -> None:
    _wipe(engine)
    _load(engine, reg)
    rescore_all(engine, reg["as_of"], CAT)
    assert_same_for_everyone(engine, reg["as_of"])
    # Some day later: served while it holds (until the next change), refused after.
    assert_same_for_everyone(engine, reg["as_of"] + timedelta(days=later))


def test_a_red_window_follows_the_score_day_by_day_including_gated_minor_records(
    engine: Engine,
) -> None:
    # The head office stands at exactly 1050 on its positives; its branch's serious
    # penalty (travelling -40) takes it off the red list until lifted; the branch's
    # minor penalty, decided after that serious one, counts only while the serious
    # one is in force. Four commitments expire on 2025-10-01, and with them the red
    # list, before the tax grade does.
    reg = Registry(engine)
    head = reg.entity(usci(701), "成都红榜科技有限公司")
    branch = reg.entity(usci(702), "成都红榜科技有限公司温江分公司", parent=head)
    reg.record(head, "tax_grade", None, "2025-01-01", "A1", grade="A")
    for n in range(4):
        reg.record(head, "credit_commitment_kept", "positive", "2024-10-01", f"K{n}")
    serious = reg.record(branch, "admin_penalty", "serious", "2025-02-01", "S1")
    reg.record(branch, "admin_penalty", "minor", "2025-02-15", "M1")
    reg.event(serious, "lifted", "2025-03-01")
    rescore_all(engine, AS_OF, CAT)
    fast = current(engine, head, AS_OF)
    assert fast is not None and fast == kernel(engine, head, AS_OF)
    [red] = fast.lists
    assert (fast.score, red.list, red.entered_on, red.scheduled_exit) == (
        1050,
        "red",
        date(2025, 3, 1),
        date(2025, 10, 1),
    )

"""List pages from the materialised list history, and list windows from records."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from sqlalchemy.engine import Engine

from corpcredit.catalogue import default_catalogue
from corpcredit.scoring import change_dates, prepare_records, score
from corpcredit.services.lists import (
    InvalidListQuery,
    ListPage,
    add_months,
    list_members,
    list_windows,
)
from tests.factory import ev, frames, rec
from tests.services.test_lookup_registry import (
    ABNORMAL,
    DEFAULTER,
    GATE,
    HEAD,
    Registry,
    day,
    worked,
)

CAT = default_catalogue()


def page(engine: Engine, which: str, **kw: object) -> ListPage:
    with engine.connect() as conn:
        return list_members(conn, which, **kw)  # type: ignore[arg-type]


def members(p: ListPage) -> list[str]:
    return [m.usci for m in p.members]


@pytest.fixture
def registry(engine: Engine) -> Registry:
    reg = worked(engine)
    basis = [{"source": "example", "record_id": "W10"}]
    reg.list_entry(DEFAULTER, "black", "2024-10-15", basis=basis)
    reg.list_entry(ABNORMAL, "abnormal", "2022-06-30")
    reg.list_entry(ABNORMAL, "black", "2025-06-30")
    reg.list_entry(GATE, "black", "2021-01-01", "2023-01-01")  # an old, closed entry
    reg.list_entry(HEAD, "red", "2020-01-01", "2021-01-01")
    return reg


def test_current_black_list_holds_open_entries_newest_first(
    registry: Registry, engine: Engine
) -> None:
    p = page(engine, "black")
    assert members(p) == [ABNORMAL, DEFAULTER] and p.total == 2
    defaulter = p.members[1]
    assert defaulter.name == "武汉失信工程有限公司"
    assert (defaulter.entered_on, defaulter.left_on) == (date(2024, 10, 15), None)
    assert defaulter.basis == [{"source": "example", "record_id": "W10"}]
    assert defaulter.region == "湖北省武汉市武昌区"
    assert defaulter.scheduled_exit is None  # not computed without a catalogue


def test_scheduled_exit_comes_from_the_records(registry: Registry, engine: Engine) -> None:
    p = page(engine, "black", cat=CAT, as_of=date(2025, 6, 30))
    exits = {m.usci: m.scheduled_exit for m in p.members}
    assert exits == {DEFAULTER: date(2026, 10, 15), ABNORMAL: None}


def test_as_of_selects_the_entries_open_on_that_day(registry: Registry, engine: Engine) -> None:
    assert members(page(engine, "black", as_of=date(2022, 6, 1))) == [GATE]
    assert members(page(engine, "black", as_of=date(2023, 1, 1))) == []  # left that day
    assert members(page(engine, "black", as_of=date(2025, 6, 29))) == [DEFAULTER]
    assert members(page(engine, "red", as_of=date(2020, 6, 1))) == [HEAD]
    closed = page(engine, "black", as_of=date(2022, 6, 1)).members[0]
    assert closed.left_on == date(2023, 1, 1)


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("42", [DEFAULTER]),
        ("4201", [DEFAULTER]),
        ("420106", [DEFAULTER]),
        ("420107", []),
        ("32", [ABNORMAL]),
    ],
)
def test_region_is_a_division_prefix(
    registry: Registry, engine: Engine, region: str, expected: list[str]
) -> None:
    assert members(page(engine, "black", region=region)) == expected


def test_paging(registry: Registry, engine: Engine) -> None:
    first = page(engine, "black", limit=1)
    second = page(engine, "black", limit=1, offset=1)
    assert (first.total, members(first), members(second)) == (2, [ABNORMAL], [DEFAULTER])
    assert len(page(engine, "black", limit=None).members) == 2


@pytest.mark.parametrize(
    "kw",
    [{"which": "grey"}, {"region": "4"}, {"region": "42010A"}, {"limit": 0}, {"offset": -1}],
)
def test_bad_queries_are_refused(engine: Engine, kw: dict[str, object]) -> None:
    kw = dict(kw)
    which = kw.pop("which", "black")
    with pytest.raises(InvalidListQuery) as exc:
        page(engine, str(which), **kw)
    assert exc.value.http_status == 422


# -- windows: pure functions over prepared records ------------------------------------


def windows(*records: dict[str, object], t: str) -> dict[str, object]:
    _, r, v = frames([], records)
    prepared = prepare_records(r, v, CAT, None).collect()
    return list_windows(prepared, CAT, day(t))  # type: ignore[return-value]


def test_touching_black_records_make_one_stretch() -> None:
    u = "91110105MA01HEAD9C"
    first = rec(u, "court_defaulter", "serious", "2022-01-01")  # ends 2024-01-01
    second = rec(u, "court_defaulter", "serious", "2024-01-01")  # ends 2026-01-01
    w = windows(first, second, t="2025-01-01")["black"]
    assert (w.entered_on, w.scheduled_exit) == (date(2022, 1, 1), date(2026, 1, 1))  # type: ignore[attr-defined]
    assert [g.record_id for g in w.grounds] == [second["record_id"]]  # type: ignore[attr-defined]


def test_a_gap_starts_a_new_stretch_and_a_future_record_is_not_scheduled() -> None:
    u = "91110105MA01HEAD9C"
    old = rec(u, "court_defaulter", "serious", "2020-01-01")  # ends 2022-01-01
    new = rec(u, "tax_blacklist", "serious", "2023-01-01")  # ends 2026-01-01
    w = windows(old, new, t="2024-01-01")["black"]
    assert w.entered_on == date(2023, 1, 1)  # type: ignore[attr-defined]
    assert windows(old, new, t="2022-06-01") == {}


def test_an_authority_flag_on_a_serious_penalty_blacklists_but_not_on_a_general_one() -> None:
    u = "91110105MA01HEAD9C"
    serious = rec(u, "admin_penalty", "serious", "2024-01-10", black=True)
    general = rec(u, "admin_penalty", "general", "2024-01-10", black=True)
    assert windows(serious, t="2025-01-01")["black"].grounds[0].rule == "authority_flag"  # type: ignore[attr-defined]
    assert windows(general, t="2025-01-01") == {}


def test_a_commendation_is_not_repairable_and_a_lifted_record_ends() -> None:
    u = "91110105MA01HEAD9C"
    w = windows(rec(u, "commendation", "positive", "2024-01-01", red=True), t="2025-01-01")
    assert w["red"].earliest_repair is None  # type: ignore[attr-defined]
    assert w["red"].scheduled_exit == date(2027, 1, 1)  # type: ignore[attr-defined]


def test_add_months_clips_to_the_month_end() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 15), -13) == date(2023, 12, 15)


def test_windows_agree_with_the_kernel_on_every_day_of_a_story() -> None:
    """Black and abnormal windows hold exactly on the days the kernel says so, and
    their entry and exit dates are the kernel's days of change."""
    u = "91110105MA01HEAD9C"
    abnormal = rec(u, "abnormal_operations", "general", "2021-01-31")  # escalates 2024-01-31
    rs = [
        rec(u, "admin_penalty", "serious", "2020-01-10", black=True),  # until 2023-01-10
        abnormal,
        rec(u, "court_defaulter", "serious", "2024-06-30"),  # until 2026-06-30
    ]
    e, r, v = frames([{"usci": u, "parent_usci": None}], rs, [ev(abnormal, "lifted", "2025-03-15")])
    prepared = prepare_records(r, v, CAT, None).collect()

    def kernel(t: date, decided_by: date | None = None) -> dict[str, bool]:
        """The kernel's lists at ``t``, seeing only records decided by ``decided_by``."""
        seen = r.filter(pl.col("decided_on") <= (decided_by or t))
        res = score(e, seen, v, CAT, t).results.row(0, named=True)
        return {"black": res["black"], "abnormal": res["abnormal"]}

    edges = change_dates(r, v, CAT, date(2019, 1, 1), date(2027, 12, 31))
    days = {date(2019, 6, 1) + timedelta(days=n) for n in range(0, 8 * 365, 45)}
    days |= set(edges) | {d - timedelta(days=1) for d in edges}
    one = timedelta(days=1)
    for t in sorted(days):
        state, got = kernel(t), list_windows(prepared, CAT, t)
        assert {k for k, on in state.items() if on} == set(got), t
        for which, w in got.items():
            assert not kernel(w.entered_on - one)[which] and kernel(w.entered_on)[which], t
            if w.scheduled_exit is not None:  # a schedule cannot know later decisions
                assert kernel(w.scheduled_exit - one, t)[which], t
                assert not kernel(w.scheduled_exit, t)[which], t

"""Looking one organisation up: scores, lines, lists and what the public may see."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from corpcredit.catalogue import default_catalogue
from corpcredit.errors import InvalidIdentifier, NotFound
from corpcredit.services.lookup import (
    EntityView,
    HistoryPoint,
    InvalidRange,
    entity_view,
    history,
    to_jsonable,
)
from tests.factory import usci
from tests.services.test_lookup_registry import (
    ABNORMAL,
    AS_OF,
    DEFAULTER,
    EXPIRED,
    GATE,
    HEAD,
    PERSON,
    RED,
    REPAIRED,
    SHANGHAI,
    SHENZHEN,
    Registry,
    ts,
    worked,
)

CAT = default_catalogue()


def view(engine: Engine, u: str, **kw: object) -> EntityView:
    kw.setdefault("as_of", AS_OF)
    with engine.connect() as conn:
        return entity_view(conn, u, cat=CAT, **kw)  # type: ignore[arg-type]


def keys(items: object) -> list[str]:
    return [x.record_id for x in items]  # type: ignore[attr-defined]


def test_head_office_shows_its_branches_serious_record_as_a_named_travelling_line(
    engine: Engine,
) -> None:
    worked(engine, materialise=False)
    v = view(engine, HEAD)
    assert (v.score, v.grade.code if v.grade else None) == (923, "B")
    assert (v.own_points_h, v.received_points_h, v.withheld_points_h) == (-3000, -4750, 0)
    assert [(x.record_id, x.role, x.points) for x in v.top_reasons] == [
        ("W2", "from_branch", "-40.00"),
        ("W1", "own", "-30.00"),
        ("W3", "from_branch", "-7.50"),
    ]
    w2 = v.top_reasons[0]
    assert w2.source_entity.usci == SHANGHAI
    assert w2.source_entity.name == "北京示例控股集团有限公司上海分公司"
    assert (w2.kind.code, w2.kind.zh, w2.tier.code) == ("admin_penalty", "行政处罚", "serious")
    assert w2.decision_no == "示市监罚〔2025〕2号" and w2.ends_on == date(2028, 2, 1)
    assert v.head_office is None
    assert [b.usci for b in v.branches] == [SHANGHAI, SHENZHEN]
    assert keys(v.records) == ["W1"] and v.records[0].ends_on == date(2026, 3, 1)
    assert v.identity.region == "北京市朝阳区" and v.identity.division_code == "110105"
    assert v.identity.entity_type.en == "enterprise"


def test_branch_names_its_head_office_and_siblings(engine: Engine) -> None:
    worked(engine, materialise=False)
    v = view(engine, SHANGHAI)
    assert v.score == 911
    assert v.head_office and v.head_office.usci == HEAD
    assert v.parent and v.parent.usci == HEAD
    assert [b.usci for b in v.branches] == [SHENZHEN]
    assert [(x.record_id, x.role, x.points_h) for x in v.lines] == [
        ("W2", "own", -8000),
        ("W1", "from_head", -750),
        ("W3", "from_sibling", -150),
    ]
    assert v.lines[1].source_entity.name == "北京示例控股集团有限公司"


def test_black_listed_entity_shows_entry_exit_and_earliest_repair(engine: Engine) -> None:
    reg = worked(engine, materialise=False)
    reg.engine.dispose()
    v = view(engine, DEFAULTER)
    assert (v.score, v.grade.code if v.grade else None, v.black) == (880, "D", True)
    assert v.grade and v.grade.en == "heavily distrusted"
    [black] = v.lists
    assert black.list == "black"
    assert black.entered_on == date(2024, 10, 15)
    assert black.scheduled_exit == date(2026, 10, 15)  # court_defaulter: 24 months
    assert black.earliest_repair == date(2025, 10, 15)  # serious: 12 months
    assert [g.rule for g in black.grounds] == ["black_kind"]
    assert keys(black.records) == ["W10"]


def test_abnormal_operations_escalate_to_black_on_the_36_month_date(engine: Engine) -> None:
    worked(engine, materialise=False)
    v = view(engine, ABNORMAL)
    lists = {m.list: m for m in v.lists}
    assert set(lists) == {"black", "abnormal"}
    assert lists["abnormal"].entered_on == date(2022, 6, 30)
    assert lists["black"].entered_on == date(2025, 6, 30)
    assert [g.rule for g in lists["black"].grounds] == ["abnormal_escalation"]
    assert lists["black"].scheduled_exit is None and lists["abnormal"].scheduled_exit is None
    assert lists["abnormal"].earliest_repair == date(2022, 9, 30)
    day_before = view(engine, ABNORMAL, as_of=date(2025, 6, 29))
    assert [m.list for m in day_before.lists] == ["abnormal"]


def test_red_list_window_is_exact(engine: Engine) -> None:
    worked(engine, materialise=False)
    v = view(engine, RED)
    [red] = v.lists
    assert (v.score, red.list) == (1080, "red")
    assert red.entered_on == date(2025, 4, 1)  # the tax grade A made it qualify
    assert red.scheduled_exit == date(2026, 4, 1)  # and its year ends then
    assert red.earliest_repair is None
    assert [g.rule for g in red.grounds] == ["red_rating"]


def test_known_at_hides_a_repair_learnt_later(engine: Engine) -> None:
    worked(engine, materialise=False)
    now = view(engine, REPAIRED)
    assert (now.score, now.black, now.lists, now.records) == (1000, False, (), ())
    then = view(engine, REPAIRED, known_at=ts("2025-03-01T12:00:00+08:00"))
    assert (then.score, then.grade.code if then.grade else None) == (920, "D")
    assert then.as_of == AS_OF and then.known_at == ts("2025-03-01T04:00:00+00:00")
    [black] = then.lists
    assert (black.entered_on, black.scheduled_exit) == (date(2024, 1, 10), date(2027, 1, 10))
    assert [g.rule for g in black.grounds] == ["authority_flag"]
    assert keys(then.records) == ["W12"]
    # Without as_of, the page of that moment is evaluated on that day.
    that_day = view(engine, REPAIRED, as_of=None, known_at=ts("2025-03-01T12:00:00+08:00"))
    assert that_day.as_of == date(2025, 3, 1) and that_day.score == 920
    learnt = view(engine, REPAIRED, known_at=ts("2025-03-02T10:00:00+08:00"))
    assert learnt.score == 1000


def test_known_at_reads_the_record_version_current_then(engine: Engine) -> None:
    reg = Registry(engine)
    u = reg.entity(usci(1), "温州更正鞋业有限公司")
    first = reg.record(u, "admin_penalty", "general", "2025-01-10", "V1", legal_basis="旧依据")
    reg.record(u, "spot_check_failed", "general", "2025-01-20", "V2", legal_basis="抽查依据")
    reg.correct(
        first,
        ts("2025-03-01T09:00:00+08:00"),
        tier="serious",
        decision_no="更正后",
        legal_basis="新依据",
    )
    before = view(engine, u, known_at=ts("2025-02-01T00:00:00+08:00"), as_of=date(2025, 6, 1))
    after = view(engine, u, known_at=ts("2025-04-01T00:00:00+08:00"), as_of=date(2025, 6, 1))
    assert {(r.record_id, r.tier.code, r.legal_basis) for r in before.records} == {
        ("V1", "general", "旧依据"),
        ("V2", "general", "抽查依据"),
    }
    assert {(r.record_id, r.tier.code, r.decision_no, r.legal_basis) for r in after.records} == {
        ("V1", "serious", "更正后", "新依据"),
        ("V2", "general", "示市监罚〔2025〕V2号", "抽查依据"),
    }
    assert (before.score, after.score) == (1000 - 30 - 15, 1000 - 80 - 15)
    assert view(engine, u, as_of=date(2025, 6, 1)).records[1].legal_basis == "新依据"


def test_public_view_hides_minor_records_but_the_lines_still_add_up(engine: Engine) -> None:
    worked(engine, materialise=False)
    public = view(engine, GATE)
    assert public.score == 915
    assert keys(public.records) == ["W5"]
    assert [x.record_id for x in public.lines] == ["W5"]
    assert public.withheld_points_h == -500
    total = sum(x.points_h for x in public.lines) + public.withheld_points_h
    assert total == public.own_points_h
    text = json.dumps(to_jsonable(public), ensure_ascii=False)
    assert "W4" not in text and "W6" not in text and "〔2025〕4号" not in text

    private = view(engine, GATE, public=False)
    assert keys(private.records) == ["W6", "W5", "W4"]
    points = {r.record_id: r.points_h for r in private.records}
    assert points == {"W6": -500, "W5": -8000, "W4": None}  # W4 predates the serious one
    assert private.withheld_points_h == 0


def test_public_view_hides_withdrawn_expired_and_repaired_records(engine: Engine) -> None:
    reg = worked(engine, materialise=False)
    gone = reg.record(GATE, "spot_check_failed", "general", "2025-06-01", "WD")
    reg.event(gone, "withdrawn", "2025-06-10")
    assert keys(view(engine, GATE, as_of=date(2025, 6, 5)).records) == ["W5"]
    assert keys(view(engine, EXPIRED).records) == []  # ends exactly on 2025-06-30
    assert keys(view(engine, EXPIRED, as_of=date(2025, 6, 29)).records) == ["W11"]
    assert keys(view(engine, REPAIRED).records) == []


def test_natural_person_is_shown_by_name_and_usci_only(engine: Engine) -> None:
    reg = Registry(engine)
    reg.entity(
        PERSON,
        "某某个体商店",
        aliases=["张三小卖部"],
        legal_form="个体经营",
        address="安徽省某县某路1号",
        name_en="Zhang San Shop",
    )
    reg.record(PERSON, "admin_penalty", "general", "2025-01-01", "P1", summary="罚款")
    v = view(engine, PERSON)
    assert v.identity.natural_person and v.identity.name == "某某个体商店"
    assert (v.score, v.grade, v.lists, v.records, v.lines) == (None, None, (), (), ())
    text = json.dumps(to_jsonable(v), ensure_ascii=False)
    for secret in ("张三", "个体经营", "安徽省", "Zhang", "P1", "罚款"):
        assert secret not in text
    assert "individual business" in text  # what the USCI itself says


def test_invalid_usci_raises_the_identifier_modules_reason(engine: Engine) -> None:
    with pytest.raises(InvalidIdentifier) as exc:
        view(engine, "91110105MA01HEAD9D")
    assert exc.value.code == "usci.check" and exc.value.http_status == 422


def test_unknown_usci_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound) as exc:
        view(engine, usci(77))
    assert exc.value.code == "entity.not_found" and exc.value.http_status == 404


def test_identifier_is_normalised_before_lookup(engine: Engine) -> None:
    worked(engine, materialise=False)
    assert view(engine, "  91110105-ma01head9c ").identity.usci == HEAD


def states(points: list[HistoryPoint]) -> list[tuple[str, int | None, str | None, bool]]:
    return [(p.on.isoformat(), p.score, p.grade, p.black) for p in points]


def test_history_has_one_point_per_visible_change(engine: Engine) -> None:
    worked(engine, materialise=False)
    with engine.connect() as conn:
        now = history(conn, REPAIRED, date(2024, 1, 1), AS_OF, CAT)
        then = history(
            conn, REPAIRED, date(2024, 1, 1), AS_OF, CAT, known_at=ts("2025-03-01T12:00:00+08:00")
        )
        person = history(conn, PERSON, date(2024, 1, 1), AS_OF, CAT)
    assert states(now) == [
        ("2024-01-01", 1000, "A", False),
        ("2024-01-10", 920, "D", True),
        ("2025-03-01", 1000, "A", False),
        ("2025-06-30", 1000, "A", False),
    ]
    assert states(then) == [
        ("2024-01-01", 1000, "A", False),
        ("2024-01-10", 920, "D", True),
        ("2025-06-30", 920, "D", True),
    ]
    assert person == []


def test_history_of_a_head_office_follows_its_branches(engine: Engine) -> None:
    worked(engine, materialise=False)
    with engine.connect() as conn:
        points = history(conn, HEAD, date(2025, 1, 1), AS_OF, CAT)
    assert [(p.on.isoformat(), p.score) for p in points] == [
        ("2025-01-01", 1000),
        ("2025-02-01", 960),  # the 上海 branch's serious penalty: -40
        ("2025-03-01", 930),
        ("2025-04-01", 923),  # 深圳's failed spot check: -7.50, rounded half up
        ("2025-06-30", 923),
    ]


def test_history_refuses_a_reversed_range(engine: Engine) -> None:
    worked(engine, materialise=False)
    with engine.connect() as conn, pytest.raises(InvalidRange) as exc:
        history(conn, HEAD, AS_OF, date(2025, 1, 1), CAT)
    assert exc.value.http_status == 422


def test_fine_amounts_and_addresses_are_for_the_entity_itself(engine: Engine) -> None:
    reg = Registry(engine)
    u = reg.entity(usci(2), "宁波罚款机械有限公司", address="宁波市某路2号")
    reg.record(u, "admin_penalty", "general", "2025-01-10", "F1", amount_cny=Decimal("20000.00"))
    public, private = view(engine, u), view(engine, u, public=False)
    assert (public.records[0].amount_cny, public.identity.address) == (None, None)
    assert private.records[0].amount_cny == Decimal("20000.00")
    assert private.identity.address == "宁波市某路2号"


def test_a_repaired_record_stays_private_even_in_a_view_of_before_the_repair(
    engine: Engine,
) -> None:
    """DOMAIN.md §7: repaired records are not public. A past day still counts the
    record (the repair took effect later), but its details are withheld."""
    worked(engine, materialise=False)
    before = view(engine, REPAIRED, as_of=date(2025, 2, 1))
    assert (before.score, before.black) == (920, True)
    assert keys(before.records) == [] and keys(before.lines) == []
    assert before.withheld_points_h == -8000
    [black] = before.lists
    assert black.entered_on == date(2024, 1, 10)
    # Its own organisation sees it; so did the public before the repair was learnt.
    private = view(engine, REPAIRED, as_of=date(2025, 2, 1), public=False)
    assert keys(private.records) == ["W12"]
    then = view(engine, REPAIRED, as_of=date(2025, 2, 1), known_at=ts("2025-03-01T12:00:00+08:00"))
    assert keys(then.records) == ["W12"] and then.withheld_points_h == 0

"""Finding organisations by USCI, by name without its legal form, by alias."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from corpcredit.services.search import InvalidSearch, SearchPage, normalise_query, search
from tests.factory import usci
from tests.services.test_lookup_registry import (
    DEFAULTER,
    GATE,
    HEAD,
    PERSON,
    SHANGHAI,
    SHENZHEN,
    Registry,
)

ALIASED = usci(500)


def find(engine: Engine, text: str, **kw: int) -> SearchPage:
    with engine.connect() as conn:
        return search(conn, text, **kw)


def uscis(page: SearchPage) -> list[str]:
    return [h.usci for h in page.hits]


@pytest.fixture
def registry(engine: Engine) -> Registry:
    reg = Registry(engine)
    reg.worked_example()
    reg.entity(
        ALIASED,
        "杭州新名称贸易有限公司",
        aliases=["杭州旧名称商行"],
        name_en="Hangzhou New Name Trading Co., Ltd.",
    )
    reg.materialise()
    return reg


def test_exact_usci_in_any_spelling_finds_one_entity_with_its_score(
    registry: Registry, engine: Engine
) -> None:
    page = find(engine, " 91420106-ma07crt07j ")
    assert uscis(page) == [DEFAULTER] and page.total == 1
    hit = page.hits[0]
    assert (hit.matched, hit.score, hit.grade, hit.black) == ("usci", 880, "D", True)
    assert hit.region == "湖北省武汉市武昌区"


def test_a_valid_usci_not_in_the_registry_finds_nothing(registry: Registry, engine: Engine) -> None:
    assert find(engine, "91110000600037341L").total == 0


def test_name_without_legal_form_finds_the_head_office_first(
    registry: Registry, engine: Engine
) -> None:
    page = find(engine, "北京示例控股集团")
    assert uscis(page) == [HEAD, SHANGHAI, SHENZHEN]
    assert page.hits[0].score == 923


def test_a_different_legal_form_in_the_query_is_tolerated(
    registry: Registry, engine: Engine
) -> None:
    assert uscis(find(engine, "杭州门控科技有限责任公司")) == [GATE]
    assert uscis(find(engine, "杭州门控科技股份有限公司")) == [GATE]
    assert normalise_query("Hangzhou New Name Trading Co., Ltd.") == "Hangzhou New Name Trading"


def test_alias_and_english_name_match_case_insensitively(
    registry: Registry, engine: Engine
) -> None:
    by_alias = find(engine, "旧名称商行")
    assert uscis(by_alias) == [ALIASED]
    assert (by_alias.hits[0].matched, by_alias.hits[0].alias) == ("alias", "杭州旧名称商行")
    by_english = find(engine, "hangzhou NEW name trading company limited")
    assert uscis(by_english) == [ALIASED]
    assert by_english.hits[0].matched == "name_en"


def test_full_width_query_is_folded(registry: Registry, engine: Engine) -> None:
    assert uscis(find(engine, "ＨＡＮＧＺＨＯＵ ＮＥＷ")) == [ALIASED]


def test_natural_person_is_found_by_name_and_shown_without_score(
    registry: Registry, engine: Engine
) -> None:
    for query in ("某某个体", PERSON):
        [hit] = find(engine, query).hits
        assert hit.usci == PERSON and hit.natural_person
        assert (hit.score, hit.grade, hit.status, hit.region) == (None, None, None, None)


def test_like_wildcards_are_literal(registry: Registry, engine: Engine) -> None:
    assert find(engine, "%").total == 0
    assert find(engine, "_").total == 0


def test_paging_reports_the_total(registry: Registry, engine: Engine) -> None:
    pages = [find(engine, "北京示例", limit=1, offset=n) for n in range(4)]
    assert [p.total for p in pages] == [3, 3, 3, 3]
    assert [uscis(p) for p in pages] == [[HEAD], [SHANGHAI], [SHENZHEN], []]


def test_a_query_that_is_only_a_legal_form_finds_nothing(
    registry: Registry, engine: Engine
) -> None:
    assert find(engine, "有限公司").hits == ()  # not everything
    assert find(engine, "有限公司分公司").hits == ()
    assert find(engine, "   ").total == 0


def test_huge_query_and_bad_paging_are_refused(engine: Engine) -> None:
    with pytest.raises(InvalidSearch) as exc:
        find(engine, "公" * 201)
    assert exc.value.code == "search.invalid_query" and exc.value.http_status == 422
    with pytest.raises(InvalidSearch):
        find(engine, "x", limit=0)

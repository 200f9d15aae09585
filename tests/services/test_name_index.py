"""The name index: grams that can never miss a substring, folding, catching up on change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from corpcredit.catalogue import default_catalogue
from corpcredit.services.name_index import (
    fold_name,
    fold_names,
    query_grams,
    text_grams,
    update_name_index,
)
from corpcredit.services.rescore import rescore_all
from corpcredit.services.search import SearchPage, search
from corpcredit.store.schema import entities, entity_aliases, search_grams, search_names
from tests.factory import usci
from tests.services.test_lookup_registry import AS_OF, GATE, HEAD, PERSON, Registry

# Chinese characters, Latin letters, digits, a space and punctuation: every kind of pair.
_ALPHABET = "北京示例控股集团華信abcxyz019 (),."
texts = st.text(alphabet=_ALPHABET, min_size=1, max_size=24)


def grams_of(text: str) -> set[int]:
    return set(text_grams([text]).get_column("gram").to_list())


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_every_substring_finds_its_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    exact, span = query_grams(text[start:end])
    held = grams_of(text)
    assert set(exact) <= held
    if not exact:
        assert span is not None
        low, high = span
        assert any(low <= g < high for g in held)


def test_grams_are_bigrams_in_chinese_and_trigrams_in_latin_text() -> None:
    exact, _ = query_grams("华信科技")
    assert len(exact) == 3  # 华信 信科 科技
    exact, _ = query_grams("huaxin")
    assert len(exact) == 4  # hua uax axi xin
    assert query_grams("hu")[0] == [] and query_grams("华")[0] == []
    assert query_grams("华信")[0] != []


def test_folding_many_names_at_once_equals_folding_each() -> None:
    names = [
        "華信(杭州)科技有限公司",
        "卓凯（广州）食品有限公司",
        "  Hangzhou   New Name Trading Co., Ltd. ",
        "ＡＢＣ　贸易",
        "",
        "北京\u200b示例",
    ]
    assert fold_names(names) == [fold_name(n) for n in names]
    assert fold_name("華信(杭州)科技") == "华信(杭州)科技"
    assert fold_name("ＨＡＮＧＺＨＯＵ") == "hangzhou"


def find(engine: Engine, text: str, **kw: int) -> SearchPage:
    with engine.connect() as conn:
        return search(conn, text, **kw)


def uscis(page: SearchPage) -> list[str]:
    return [h.usci for h in page.hits]


def test_traditional_characters_full_width_and_inner_substrings_are_found(
    engine: Engine,
) -> None:
    reg = Registry(engine)
    reg.worked_example()
    bracketed = reg.entity(usci(601), "卓凯（广州）食品有限公司", name_en="Zhuokai Guangzhou Foods")
    reg.materialise()
    assert uscis(find(engine, "北京示例控股集團有限責任公司"))[0] == HEAD
    assert uscis(find(engine, "卓凯(广州)食品")) == [bracketed]
    assert uscis(find(engine, "kai guangzhou")) == [bracketed]  # inside English words
    assert uscis(find(engine, "门控")) == [GATE]  # no region prefix
    one = find(engine, "卓")
    assert uscis(one) == [bracketed] and one.total == 1
    assert find(engine, "zz").total == 0


def test_the_index_catches_up_with_exactly_the_entities_that_changed(engine: Engine) -> None:
    reg = Registry(engine)
    reg.worked_example()
    reg.materialise()
    with engine.begin() as conn:
        assert update_name_index(conn, scoped=False) == 0  # nothing changed since
        later = datetime.now(UTC) + timedelta(seconds=1)
        conn.execute(
            sa.update(entities)
            .where(entities.c.usci == GATE)
            .values(name="杭州新门科技有限公司", updated_at=later)
        )
        conn.execute(sa.insert(entity_aliases), [{"usci": GATE, "alias": "门控老字号"}])
        assert update_name_index(conn, scoped=False) == 1
        assert update_name_index(conn, scoped=False) == 0
        names = conn.execute(
            sa.select(search_names.c.field, search_names.c.text).where(search_names.c.usci == GATE)
        ).all()
        orphans = conn.execute(
            sa.select(sa.func.count())
            .select_from(search_grams)
            .where(~search_grams.c.name_id.in_(sa.select(search_names.c.id)))
        ).scalar_one()
    assert sorted(names) == [("alias", "门控老字号"), ("name", "杭州新门科技有限公司")]
    assert orphans == 0
    assert uscis(find(engine, "杭州门控科技")) == []
    assert uscis(find(engine, "新门科技")) == [GATE]
    alias = find(engine, "老字号")
    assert (uscis(alias), alias.hits[0].matched) == ([GATE], "alias")


def test_a_full_rescore_indexes_again_exactly_the_names_that_changed(engine: Engine) -> None:
    """A full rescore finds the stale names from two scans read beside the registry,
    then reads the names of those entities only."""
    reg = Registry(engine)
    reg.worked_example()
    reg.materialise()
    later = datetime.now(UTC) + timedelta(seconds=1)
    with engine.begin() as conn:
        conn.execute(
            sa.update(entities)
            .where(entities.c.usci == GATE)
            .values(name="杭州新门科技有限公司", name_en="Xinmen Tech", updated_at=later)
        )
    rescore_all(engine, AS_OF, default_catalogue())
    assert uscis(find(engine, "新门科技")) == [GATE]
    assert uscis(find(engine, "xinmen")) == [GATE]
    assert uscis(find(engine, "杭州门控科技")) == []
    with engine.begin() as conn:  # caught up: nothing is stale any more
        assert update_name_index(conn, scoped=False) == 0


def test_a_natural_persons_other_names_are_not_indexed(engine: Engine) -> None:
    reg = Registry(engine)
    reg.entity(PERSON, "某某个体商店", aliases=["张三小卖部"], name_en="Zhang San Shop")
    reg.materialise()
    with engine.connect() as conn:
        fields = conn.execute(sa.select(search_names.c.field)).scalars().all()
    assert fields == ["name"]
    assert find(engine, "张三").total == 0 and find(engine, "zhang").total == 0
    assert uscis(find(engine, "个体商店")) == [PERSON]

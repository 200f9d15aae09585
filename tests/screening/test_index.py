"""The candidate index: built once, saved and loaded, kept current by updates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corpcredit.screening import CandidateIndex, IndexManifest, IndexUnusable, normalise
from corpcredit.screening.rows import entity_names
from tests.factory import usci

A, B, C, P = usci(1), usci(2), usci(3), usci(4, kind="92")


def firms() -> list[dict[str, Any]]:
    return [
        {
            "usci": A,
            "name": "杭州华信科技有限公司",
            "name_en": "Hangzhou Huaxin Technology Co., Ltd.",
        },
        {"usci": B, "name": "杭州华达科技有限公司", "aliases": "杭州华达电子有限公司"},
        {"usci": C, "name": "宁波永泰贸易有限公司", "aliases": ["宁波永泰物流有限公司"]},
        {"usci": P, "name": "杭州某某便利店", "name_en": "Secret", "natural_person": True},
    ]


def build(rows: list[dict[str, Any]] | None = None) -> CandidateIndex:
    return CandidateIndex.build(firms() if rows is None else rows, IndexManifest("t", "now"))


def found(index: CandidateIndex, name: str) -> list[str]:
    return [n.usci for n in index.names(index.candidates(normalise(name)))]


def texts(index: CandidateIndex, name: str) -> list[str]:
    return [n.text for n in index.names(index.candidates(normalise(name)))]


def test_every_name_of_an_entity_is_a_row_but_a_persons_only_its_name() -> None:
    index = build()
    assert len(index) == 7
    assert [n.kind for n in index.names(index.rows_of(A))] == ["name", "name_en"]
    assert [n.kind for n in index.names(index.rows_of(P))] == ["name"]
    assert entity_names({"name": "x", "aliases": "a| b |a"}) == [
        ("name", "x"),
        ("alias", "a"),
        ("alias", "b"),
    ]


def test_candidates_come_from_characters_sounds_and_english_words() -> None:
    index = build()
    assert found(index, "杭州华信科技")[0] == A
    assert A in found(index, "杭州华鑫科技")  # shares only the sounds
    assert A in found(index, "Huaxin Technology")
    assert A in found(index, "huaxinkeji")
    assert C in found(index, "宁波永泰物流")  # a former name
    assert found(index, "完全无关的名称") == []


def test_a_saved_index_loads_with_the_same_answers(tmp_path: Path) -> None:
    index = build()
    index.save(tmp_path)
    loaded = CandidateIndex.load(tmp_path)
    assert len(loaded) == len(index)
    for name in ("杭州华信科技", "Huaxin Technology", "宁波永泰物流"):
        assert found(loaded, name) == found(index, name)
    assert loaded.names(loaded.rows_of(B)) == index.names(index.rows_of(B))


def test_an_update_replaces_an_entitys_names_and_survives_saving(tmp_path: Path) -> None:
    index = build()
    index.save(tmp_path)
    changed = index.update([{"usci": C, "name": "宁波永泰新材料有限公司"}, firms()[0]])
    assert changed == 1  # A is unchanged
    assert [n.text for n in index.names(index.rows_of(C))] == ["宁波永泰新材料有限公司"]
    assert "宁波永泰贸易有限公司" not in texts(index, "宁波永泰贸易")
    assert texts(index, "宁波永泰新材料") == ["宁波永泰新材料有限公司"]
    index.save(tmp_path)
    loaded = CandidateIndex.load(tmp_path)
    assert loaded.delta_size == 1
    assert texts(loaded, "宁波永泰新材料") == ["宁波永泰新材料有限公司"]
    assert "宁波永泰贸易有限公司" not in texts(loaded, "宁波永泰贸易")
    compacted = loaded.compact()
    assert compacted.delta_size == 0 and len(compacted) == len(loaded)
    assert C in found(compacted, "宁波永泰新材料")


def test_a_new_entity_is_found_after_an_update() -> None:
    index = build()
    new = usci(9)
    index.update([{"usci": new, "name": "温州瑞泰鞋业有限公司"}])
    assert found(index, "温州瑞泰鞋业") == [new]


def test_a_damaged_index_is_reported(tmp_path: Path) -> None:
    build().save(tmp_path)
    (tmp_path / "postings.npy").write_bytes(b"not numpy")
    with pytest.raises(IndexUnusable):
        CandidateIndex.load(tmp_path)

"""Synthetic USCIs: valid under GB 32100 / GB 11714, unique, on real district codes."""

from __future__ import annotations

import numpy as np
import polars as pl

from corpcredit import synth
from corpcredit.ids import usci
from corpcredit.ids._checksum import org_check_character, usci_check_character
from corpcredit.synth.divisions import load_divisions
from corpcredit.synth.identifiers import build_uscis, legacy_bodies, modern_bodies

ALLOWED_TYPES = {"91", "92", "93", "51", "52", "53", "12"}


def test_every_usci_is_valid(registry: synth.SyntheticRegistry) -> None:
    codes = registry.entities["usci"].to_list()
    assert all(usci.is_valid(code) for code in codes)
    assert all(usci.parse(code).warnings == () for code in codes[:2_000])


def test_check_characters_match_the_scalar_helpers(registry: synth.SyntheticRegistry) -> None:
    for code in registry.entities["usci"].to_list():
        assert code[16] == org_check_character(code[8:16])
        assert code[17] == usci_check_character(code[:17])


def test_uscis_are_unique(registry: synth.SyntheticRegistry) -> None:
    assert registry.entities["usci"].is_unique().all()


def test_division_codes_are_real_districts(registry: synth.SyntheticRegistry) -> None:
    districts = set(load_divisions().table["code"].to_list())
    codes = registry.entities["usci"].str.slice(2, 6)
    assert set(codes.to_list()) <= districts
    assert not codes.str.ends_with("00").any()


def test_type_codes_are_the_planned_mix(registry: synth.SyntheticRegistry) -> None:
    types = registry.entities["usci"].str.slice(0, 2)
    assert set(types.unique().to_list()) == ALLOWED_TYPES
    assert (types == "91").mean() > 0.85


def test_bodies_stay_unique_for_every_row_index() -> None:
    rng = np.random.default_rng(0)
    index = np.arange(200_000)
    prefix = np.tile(np.frombuffer(b"MA", dtype=np.uint8), (len(index), 1))
    modern = modern_bodies(index, prefix, rng)
    legacy = legacy_bodies(index, rng)
    assert len(np.unique(modern.view("S8"))) == len(index)
    assert len(np.unique(legacy.view("S8"))) == len(index)


def test_vectorised_checks_agree_with_the_worked_example() -> None:
    body = np.frombuffer(b"60003734", dtype=np.uint8).reshape(1, 8)
    kind = np.frombuffer(b"91", dtype=np.uint8).reshape(1, 2)
    built = build_uscis(kind, np.array([110000]), body)
    assert built.to_list() == ["91110000600037341L"]
    assert built.dtype == pl.String

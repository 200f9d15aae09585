"""Synthetic entities: roles, types, places, dates, status and identifiers.

Builds the entities feed of FORMATS.md. About 2 % of entities are individual
businesses (USCI type ``92``, natural persons: no branches, no parent); about
8 % of the organisations are head offices with 1-20 branches (most 1-3), each
branch an enterprise (``91``) of its own, often registered in another city, named
``{head office}{place}分公司``. Branches point at head offices only, so there is
no chain longer than one step and no cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from corpcredit.synth import entity_types as et
from corpcredit.synth._random import categorical
from corpcredit.synth.addresses import addresses
from corpcredit.synth.divisions import Divisions
from corpcredit.synth.identifiers import build_uscis, legacy_bodies, modern_bodies
from corpcredit.synth.names import branch_names, root_names

__all__ = [
    "ENTITY_SCHEMA",
    "ROLE_BRANCH",
    "ROLE_HEAD",
    "ROLE_PERSON",
    "ROLE_ROOT",
    "EntityPlan",
    "plan_entities",
]

ENTITY_SCHEMA = pl.Schema(
    {
        "usci": pl.String(),
        "name": pl.String(),
        "name_en": pl.String(),
        "aliases": pl.String(),
        "parent_usci": pl.String(),
        "legal_form": pl.String(),
        "status": pl.String(),
        "registered_on": pl.Date(),
        "address": pl.String(),
    }
)

ROLE_ROOT, ROLE_HEAD, ROLE_BRANCH, ROLE_PERSON = range(4)

PERSON_SHARE = 0.02
HEAD_SHARE = 0.08  # of the entities that are not natural persons
_BRANCHES = np.arange(1, 21)
_BRANCH_P = _BRANCHES**-2.0 / (_BRANCHES**-2.0).sum()  # 63 % one, 86 % at most three
_SAME_CITY_BRANCH = 0.35
_GROUP_MIN_BRANCHES = 4  # heads this big are called 集团
_AGE_SHAPE = 1.6  # gamma-distributed ages: few firms in their first months, a long tail
_USCI_START = date(2015, 10, 1)  # before it, most bodies were 8-digit organisation codes
_LEGACY_SHARE = 0.6

_STATUS = pl.Series(["active", "revoked", "deregistered"])
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class EntityPlan:
    """The entities feed plus the per-row facts records are drawn from."""

    frame: pl.DataFrame
    role: np.ndarray  # ROLE_* per row
    etype: np.ndarray  # entity_types index per row
    division: np.ndarray  # row of the divisions table
    registered: np.ndarray  # days since 1970-01-01
    parent: np.ndarray  # row of the head office, -1 when none


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _roles(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled roles and, for each head office in row order, its number of branches."""
    persons = round(n * PERSON_SHARE)
    orgs = n - persons
    counts = _BRANCHES[categorical(rng, _BRANCH_P, round(orgs * HEAD_SHARE))]
    # Tiny registries: keep networks to at most half of the organisations.
    fits = np.arange(1, len(counts) + 1) + np.cumsum(counts) <= orgs // 2
    counts = counts[fits]
    heads, branches = len(counts), int(counts.sum())
    role = np.repeat(
        np.array([ROLE_PERSON, ROLE_HEAD, ROLE_BRANCH, ROLE_ROOT], dtype=np.int8),
        [persons, heads, branches, orgs - heads - branches],
    )
    return rng.permutation(role), counts


def _registered(
    rng: np.random.Generator, etype: np.ndarray, role: np.ndarray, parent: np.ndarray, as_of: date
) -> np.ndarray:
    """Registration dates: enterprises mostly young, public institutions old."""
    mean_years = np.select(
        [etype == et.PUBLIC, etype == et.INDIVIDUAL, etype == et.ENTERPRISE], [18.0, 5.0, 7.5], 8.0
    )
    age = rng.gamma(_AGE_SHAPE, mean_years * 365.25 / _AGE_SHAPE)
    floor = np.select(
        [etype == et.PUBLIC, etype == et.COOP], [_day(date(1956, 1, 1)), _day(date(2007, 7, 1))],
        _day(date(1985, 1, 1)),
    )  # fmt: skip
    latest = _day(as_of) - 14
    day = np.maximum(latest - age.astype(np.int64), floor)
    branch = np.flatnonzero(role == ROLE_BRANCH)
    head_day = day[parent[branch]]
    day[branch] = head_day + (rng.random(len(branch)) * (latest - head_day)).astype(np.int64)
    return np.asarray(day)


def _status(rng: np.random.Generator, etype: np.ndarray, role: np.ndarray) -> pl.Series:
    market = np.isin(etype, [et.ENTERPRISE, et.INDIVIDUAL, et.COOP])
    revoked = np.select(
        [role == ROLE_HEAD, role == ROLE_BRANCH, market], [0.015, 0.01, 0.05], 0.0
    )  # fmt: skip
    deregistered = np.select(
        [role == ROLE_HEAD, role == ROLE_BRANCH, market], [0.0, 0.06, 0.08], 0.03
    )
    u = rng.random(len(etype))
    code = np.where(u < revoked, 1, np.where(u < revoked + deregistered, 2, 0))
    return _STATUS.gather(code).alias("status")


def _ascii_pairs(codes: tuple[str, ...], index: np.ndarray) -> np.ndarray:
    table = np.array([list(c.encode("ascii")) for c in codes], dtype=np.uint8)
    return np.asarray(table[index])


def _divisions(
    rng: np.random.Generator, div: Divisions, parent: np.ndarray, branches: np.ndarray
) -> np.ndarray:
    """Weighted district per entity; some branches stay in their head office's city."""
    division = categorical(rng, div.weight, len(parent))
    head_div = division[parent[branches]]
    same_city = rng.random(len(branches)) < _SAME_CITY_BRANCH
    offset = (rng.random(len(branches)) * div.city_size[head_div]).astype(np.int64)
    division[branches] = np.where(same_city, div.city_start[head_div] + offset, division[branches])
    return division


def _identifiers(
    rng: np.random.Generator,
    div: Divisions,
    etype: np.ndarray,
    division: np.ndarray,
    registered: np.ndarray,
) -> pl.Series:
    index = np.arange(len(etype))
    body = modern_bodies(index, _ascii_pairs(et.BODY_PREFIX, etype), rng)
    # Pre-2015 market entities kept their 8-digit organisation code as the body. Not
    # for types 12 and 5x: their first two digits are also province codes (Tianjin,
    # Sichuan ...), so an all-digit code could pass for a resident identity number.
    legacy = (
        (registered < _day(_USCI_START))
        & np.isin(etype, [et.ENTERPRISE, et.COOP])
        & (rng.random(len(etype)) < _LEGACY_SHARE)
    )
    body[legacy] = legacy_bodies(index, rng)[legacy]
    return build_uscis(_ascii_pairs(et.TYPE_CODES, etype), div.code[division], body)


def _names(
    rng: np.random.Generator,
    div: Divisions,
    role: np.ndarray,
    etype: np.ndarray,
    division: np.ndarray,
    parent: np.ndarray,
    group: np.ndarray,
) -> dict[str, pl.Series]:
    """Name columns: roots drawn unique, then each branch named after its head office."""
    n = len(role)
    roots = np.flatnonzero(role != ROLE_BRANCH)
    branches = np.flatnonzero(role == ROLE_BRANCH)
    rn = root_names(rng, div, etype[roots], division[roots], group[roots])

    def spread(values: pl.Series, fill: str | None) -> pl.Series:
        return pl.repeat(fill, n, dtype=pl.String, eager=True).scatter(roots, values)

    name, name_en = spread(rn.name, ""), spread(rn.name_en, None)
    heads = parent[branches]
    # Another city is named by its short name (上海分公司), the head's own city by district.
    other = pl.Series(div.city_key[division[branches]] != div.city_key[division[heads]])
    place = div.table[division[branches]].select(
        place=pl.when(pl.lit(other)).then(pl.col("city_short")).otherwise(pl.col("district")),
        place_en=pl.when(pl.lit(other)).then(pl.col("city_en")).otherwise(pl.col("district_en")),
    )
    b_name, b_en = branch_names(
        name.gather(heads), name_en.gather(heads), heads, place["place"], place["place_en"]
    )
    return {
        "name": name.scatter(branches, b_name),
        "name_en": name_en.scatter(branches, b_en),
        "aliases": spread(rn.aliases, None),
        "legal_form": spread(rn.legal_form, "分公司"),
    }


def plan_entities(n: int, rng: np.random.Generator, div: Divisions, as_of: date) -> EntityPlan:
    """Draw ``n`` entities (deterministic for a given generator state)."""
    role, counts = _roles(n, rng)
    heads = np.flatnonzero(role == ROLE_HEAD)
    branches = np.flatnonzero(role == ROLE_BRANCH)
    parent = np.full(n, -1, dtype=np.int64)
    parent[branches] = np.repeat(heads, counts)

    etype = np.full(n, et.ENTERPRISE, dtype=np.int8)
    etype[role == ROLE_PERSON] = et.INDIVIDUAL
    roots = np.flatnonzero(role == ROLE_ROOT)
    kinds = np.array(list(et.ROOT_TYPE_WEIGHTS), dtype=np.int8)
    weights = np.array(list(et.ROOT_TYPE_WEIGHTS.values()))
    etype[roots] = kinds[categorical(rng, weights, len(roots))]

    division = _divisions(rng, div, parent, branches)
    registered = _registered(rng, etype, role, parent, as_of)
    status = _status(rng, etype, role)
    usci = _identifiers(rng, div, etype, division, registered)
    group = np.zeros(n, dtype=bool)
    group[heads] = counts >= _GROUP_MIN_BRANCHES
    names = _names(rng, div, role, etype, division, parent, group)
    has_parent = pl.Series(parent >= 0)
    parent_usci = pl.select(
        pl.when(pl.lit(has_parent)).then(pl.lit(usci).gather(np.maximum(parent, 0)))
    ).to_series()
    frame = pl.DataFrame(
        {
            "usci": usci,
            **names,
            "parent_usci": parent_usci,
            "status": status,
            "registered_on": pl.Series(registered, dtype=pl.Int32).cast(pl.Date),
            "address": addresses(rng, div, division),
        }
    ).select(list(ENTITY_SCHEMA))
    return EntityPlan(
        frame=frame.cast(ENTITY_SCHEMA),
        role=role,
        etype=etype,
        division=division,
        registered=registered,
        parent=parent,
    )

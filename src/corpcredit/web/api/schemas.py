"""The public shapes of the API (DOMAIN.md §7), as Pydantic models for the OpenAPI document.

Handlers build plain dicts with the ``*_out`` functions here and answer them
directly; the models document them, and a test validates real answers against the
models (``extra="forbid"``), so the two cannot drift. The builders copy fields one
by one: a field added to a service's view stays private until it is added here.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from corpcredit.services.lookup import (
    ContributionLine,
    EntityRef,
    EntityView,
    HistoryPoint,
    ListMembership,
    RecordView,
    format_points,
)
from corpcredit.services.search import SearchHit

__all__ = [
    "CatalogueOut",
    "EntityOut",
    "ErrorOut",
    "HistoryOut",
    "ListPageOut",
    "RecordPageOut",
    "SearchPageOut",
    "entity_out",
    "history_point_out",
    "label_out",
    "line_out",
    "record_out",
    "ref_out",
    "search_hit_out",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LabelOut(_Out):
    code: str
    zh: str
    en: str


class RefOut(_Out):
    usci: str
    name: str
    name_en: str | None


class IdentityOut(_Out):
    usci: str
    formatted: str = Field(
        description="Grouped by meaning: registration, division, org code, check"
    )
    name: str
    name_en: str | None
    aliases: list[str]
    legal_form: str | None
    status: str | None
    registered_on: str | None
    natural_person: bool
    authority: LabelOut = Field(description="Registration authority (position 1)")
    entity_type: LabelOut = Field(description="Entity type (position 2)")
    division_code: str | None = Field(description="GB/T 2260 division (positions 3-8)")
    region: str | None


class RecordOut(_Out):
    source: str
    record_id: str
    kind: LabelOut
    tier: LabelOut
    grade: str | None
    decided_on: str
    authority: str
    decision_no: str | None
    legal_basis: str | None
    summary: str | None
    ends_on: str | None = Field(description="First day it no longer counts (null: until lifted)")
    repair_from: str | None = Field(description="Earliest day a repair may be applied for")
    points: str | None = Field(description="Its own points, e.g. '-30.00' (null: does not count)")
    disputed: bool = Field(
        default=False, description="The organisation has objected; a reviewer has yet to decide"
    )


class LineOut(_Out):
    record_source: str
    record_id: str
    role: str = Field(description="own, from_branch, from_head or from_sibling")
    points: str
    ends_on: str | None
    kind: LabelOut
    tier: LabelOut
    authority: str | None
    decision_no: str | None
    decided_on: str
    source_entity: RefOut = Field(description="The member of the organisation whose record it is")


class MembershipOut(_Out):
    which: str = Field(alias="list", description="black, red or abnormal")
    entered_on: str
    scheduled_exit: str | None = Field(description="First day off the list if nothing changes")
    earliest_repair: str | None
    legal_basis: list[str]
    records: list[RecordOut]


class EntityOut(_Out):
    as_of: str
    known_at: str | None
    catalogue_version: str
    identity: IdentityOut
    head_office: RefOut | None
    parent: RefOut | None
    branches: list[RefOut]
    score: int | None = Field(description="600-1300; null for natural persons (never scored)")
    grade: LabelOut | None
    black: bool
    red: bool
    abnormal: bool
    own_points: str | None
    received_points: str | None
    withheld_points: str = Field(description="Sum of lines not public (minor records)")
    next_change: str | None
    lists: list[MembershipOut]
    top_reasons: list[LineOut]
    lines: list[LineOut]
    records: list[RecordOut]


class PageInfo(_Out):
    page: int
    per_page: int
    total: int
    pages: int


class RecordPageOut(_Out):
    usci: str
    as_of: str
    paging: PageInfo
    records: list[RecordOut]


class HistoryPointOut(_Out):
    on: str = Field(description="The state holds from this day until the next point")
    score: int | None
    grade: str | None
    black: bool
    red: bool
    abnormal: bool


class HistoryOut(_Out):
    usci: str
    start: str = Field(alias="from")
    to: str
    points: list[HistoryPointOut]


class SearchHitOut(_Out):
    usci: str
    name: str
    name_en: str | None
    matched: str = Field(description="What matched: usci, name, name_en or alias")
    alias: str | None = Field(description="The alias that matched, when one did")
    natural_person: bool = Field(description="Individual business: name and USCI only")
    status: str | None
    region: str | None
    score: int | None
    grade: str | None
    black: bool
    red: bool
    abnormal: bool


class SearchPageOut(_Out):
    q: str
    matched_text: str = Field(description="The text searched for, legal form removed")
    paging: PageInfo
    hits: list[SearchHitOut]


class ListMemberOut(_Out):
    usci: str
    name: str
    name_en: str | None
    division_code: str | None
    region: str | None
    entered_on: str
    left_on: str | None
    scheduled_exit: str | None


class ListPageOut(_Out):
    which: str = Field(alias="list")
    as_of: str | None
    region: str | None
    paging: PageInfo
    members: list[ListMemberOut]


class CatalogueOut(_Out):
    model_config = ConfigDict(extra="allow")
    version: str


class ErrorBody(_Out):
    model_config = ConfigDict(extra="allow")
    code: str = Field(description="Stable error code, e.g. usci.check or entity.not_found")
    message: str


class ErrorOut(_Out):
    error: ErrorBody


def search_hit_out(h: SearchHit) -> dict[str, Any]:
    return {
        "usci": h.usci,
        "name": h.name,
        "name_en": h.name_en,
        "matched": h.matched,
        "alias": h.alias,
        "natural_person": h.natural_person,
        "status": h.status,
        "region": h.region,
        "score": h.score,
        "grade": h.grade,
        "black": h.black,
        "red": h.red,
        "abnormal": h.abnormal,
    }


def _day(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def label_out(label: Any) -> dict[str, str]:
    return {"code": label.code, "zh": label.zh, "en": label.en}


def ref_out(ref: EntityRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"usci": ref.usci, "name": ref.name, "name_en": ref.name_en}


def record_out(r: RecordView, disputed: Set[tuple[str, str]] = frozenset()) -> dict[str, Any]:
    return {
        "source": r.source,
        "record_id": r.record_id,
        "kind": label_out(r.kind),
        "tier": label_out(r.tier),
        "grade": r.grade,
        "decided_on": _day(r.decided_on),
        "authority": r.authority,
        "decision_no": r.decision_no,
        "legal_basis": r.legal_basis,
        "summary": r.summary,
        "ends_on": _day(r.ends_on),
        "repair_from": _day(r.repair_from),
        "points": r.points,
        "disputed": (r.source, r.record_id) in disputed,
    }


def line_out(x: ContributionLine) -> dict[str, Any]:
    return {
        "record_source": x.record_source,
        "record_id": x.record_id,
        "role": x.role,
        "points": x.points,
        "ends_on": _day(x.ends_on),
        "kind": label_out(x.kind),
        "tier": label_out(x.tier),
        "authority": x.authority,
        "decision_no": x.decision_no,
        "decided_on": _day(x.decided_on),
        "source_entity": ref_out(x.source_entity),
    }


def _membership_out(m: ListMembership, public_records: set[tuple[str, str]]) -> dict[str, Any]:
    return {
        "list": m.list,
        "entered_on": _day(m.entered_on),
        "scheduled_exit": _day(m.scheduled_exit),
        "earliest_repair": _day(m.earliest_repair),
        "legal_basis": list(m.legal_basis),
        "records": [record_out(r) for r in m.records if (r.source, r.record_id) in public_records],
    }


def _points(value: int | None) -> str | None:
    return None if value is None else format_points(value)


def entity_out(v: EntityView, disputed: Set[tuple[str, str]] = frozenset()) -> dict[str, Any]:
    """The public JSON of an organisation (``v`` must be a public view)."""
    assert v.public, "only public views are served to anonymous clients"
    i = v.identity
    public_records = {(r.source, r.record_id) for r in v.records}
    return {
        "as_of": _day(v.as_of),
        "known_at": None if v.known_at is None else v.known_at.isoformat(),
        "catalogue_version": v.catalogue_version,
        "identity": {
            "usci": i.usci,
            "formatted": i.formatted,
            "name": i.name,
            "name_en": i.name_en,
            "aliases": list(i.aliases),
            "legal_form": i.legal_form,
            "status": i.status,
            "registered_on": _day(i.registered_on),
            "natural_person": i.natural_person,
            "authority": label_out(i.authority),
            "entity_type": label_out(i.entity_type),
            "division_code": i.division_code,
            "region": i.region,
        },
        "head_office": ref_out(v.head_office),
        "parent": ref_out(v.parent),
        "branches": [ref_out(b) for b in v.branches],
        "score": v.score,
        "grade": None if v.grade is None else label_out(v.grade),
        "black": v.black,
        "red": v.red,
        "abnormal": v.abnormal,
        "own_points": _points(v.own_points_h),
        "received_points": _points(v.received_points_h),
        "withheld_points": format_points(v.withheld_points_h),
        "next_change": _day(v.next_change),
        "lists": [_membership_out(m, public_records) for m in v.lists],
        "top_reasons": [line_out(x) for x in v.top_reasons],
        "lines": [line_out(x) for x in v.lines],
        "records": [record_out(r, disputed) for r in v.records],
    }


def history_point_out(p: HistoryPoint) -> dict[str, Any]:
    return {
        "on": _day(p.on),
        "score": p.score,
        "grade": p.grade,
        "black": p.black,
        "red": p.red,
        "abnormal": p.abnormal,
    }

"""A small registry in the store for case tests: one black-listed organisation."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit.catalogue import default_catalogue
from corpcredit.repair import Actor, RecordRef
from corpcredit.services.rescore import rescore_organisations
from corpcredit.store import begin_write
from corpcredit.store.schema import entities, records
from tests.factory import usci

CAT = default_catalogue()
ORG, OTHER = usci(21), usci(22)
REP = Actor("rep-21", "representative", ORG)
STRANGER = Actor("rep-22", "representative", OTHER)
REVIEWER = Actor("staff-1", "reviewer")
BLACK = RecordRef("samr", "SV-1")  # serious violation list: black, repairable after a year
FINE = RecordRef("samr", "AP-2")  # general penalty decided recently: not yet repairable
OTHERS = RecordRef("samr", "AP-3")  # the other organisation's record
FRIDAY = date(2025, 9, 26)  # before National Day: the intake deadline is Tuesday 30 Sep
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
NOW = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)


def _entity(u: str, name: str) -> dict[str, Any]:
    return {
        "usci": u, "name": name, "name_en": None, "status": "active", "parent_usci": None,
        "head_usci": u, "natural_person": False, "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip


def _record(ref: RecordRef, u: str, kind: str, tier: str, decided: str) -> dict[str, Any]:
    return {
        "source": ref.source, "record_id": ref.record_id, "usci": u, "kind": kind, "tier": tier,
        "decided_on": date.fromisoformat(decided), "authority": "杭州市市场监督管理局",
        "decision_no": f"杭市监〔{decided[:4]}〕{ref.record_id}号", "black": False, "red": False,
        "recorded_at": NOW, "version": 1,
        "content_hash": hashlib.sha256(ref.record_id.encode()).hexdigest(),
    }  # fmt: skip


def seed(engine: Engine) -> None:
    with begin_write(engine) as conn:
        conn.execute(
            entities.insert(),
            [_entity(ORG, "杭州示例科技有限公司"), _entity(OTHER, "杭州另一家有限公司")],
        )
        conn.execute(
            records.insert(),
            [
                _record(BLACK, ORG, "serious_violation_list", "serious", "2024-05-10"),
                _record(FINE, ORG, "admin_penalty", "general", "2025-08-01"),
                _record(OTHERS, OTHER, "admin_penalty", "general", "2025-01-01"),
            ],
        )
        rescore_organisations(conn, [ORG, OTHER], FRIDAY, CAT)


def one(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).one()


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())

"""The record a case is about, read from the store and judged by the kernel's rules.

Its end (after ``ends_on``, lifts, repairs and revocations) and effective tier
come from :func:`corpcredit.scoring.prepare_records`, so eligibility follows the
kernel's in-force rule exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.catalogue import Catalogue
from corpcredit.errors import NotFound
from corpcredit.repair.case import RecordRef
from corpcredit.repair.commitment import RecordSummary
from corpcredit.repair.eligibility import RecordFacts
from corpcredit.scoring import prepare_records
from corpcredit.scoring.frames import EVENT_SCHEMA, RECORD_SCHEMA
from corpcredit.store.schema import entities, record_events, records

__all__ = ["CaseRecord", "load_case_record"]


@dataclass(frozen=True)
class CaseRecord:
    """A record as a case sees it: owner, rule facts, version and what a letter names."""

    ref: RecordRef
    usci: str
    entity_name: str
    entity_name_en: str | None
    version: int
    kind: str
    tier: str | None
    decided_on: date
    end: date | None
    withdrawn: bool
    authority: str
    decision_no: str | None

    @property
    def facts(self) -> RecordFacts:
        return RecordFacts(self.kind, self.tier, self.decided_on, self.end, self.withdrawn)

    def summary(self, cat: Catalogue) -> RecordSummary:
        kind = cat.kinds.get(self.kind)
        return RecordSummary(
            kind_zh=kind.label.zh if kind else self.kind,
            kind_en=kind.label.en if kind else self.kind,
            authority=self.authority,
            decision_no=self.decision_no,
            decided_on=self.decided_on,
            source=self.ref.source,
            record_id=self.ref.record_id,
        )


def load_case_record(conn: Connection, ref: RecordRef, cat: Catalogue) -> CaseRecord:
    """The record ``ref`` with its final end; :class:`NotFound` when there is none."""
    key = sa.and_(records.c.source == ref.source, records.c.record_id == ref.record_id)
    row = conn.execute(
        sa.select(records, entities.c.name, entities.c.name_en)
        .join(entities, entities.c.usci == records.c.usci)
        .where(key)
    ).first()
    if row is None:
        raise NotFound(f"no record {ref}", code="record.not_found")
    m = row._mapping
    rec = pl.DataFrame([{c: m[c] for c in RECORD_SCHEMA}], schema=RECORD_SCHEMA)
    ev_rows = conn.execute(
        sa.select(*[record_events.c[c] for c in EVENT_SCHEMA]).where(
            record_events.c.source == ref.source, record_events.c.record_id == ref.record_id
        )
    ).mappings()
    ev = pl.DataFrame([dict(r) for r in ev_rows], schema=EVENT_SCHEMA)
    prepared = prepare_records(rec, ev, cat, None, drop_withdrawn=False).collect().to_dicts()
    tier, end, withdrawn = m["tier"], None, False
    if prepared:  # empty when the catalogue does not know the record's kind or tier
        p = prepared[0]
        tier, end, withdrawn = p["tier_eff"], p["end"], bool(p["withdrawn"])
    return CaseRecord(
        ref=ref,
        usci=m["usci"],
        entity_name=m["name"],
        entity_name_en=m["name_en"],
        version=m["version"],
        kind=m["kind"],
        tier=tier,
        decided_on=m["decided_on"],
        end=end,
        withdrawn=withdrawn,
        authority=m["authority"],
        decision_no=m["decision_no"],
    )

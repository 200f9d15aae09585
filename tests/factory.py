"""One-line builders for kernel tests: entities, records, events and a scoring call."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import polars as pl

from corpcredit.catalogue import Catalogue, default_catalogue
from corpcredit.ids._checksum import USCI_ALPHABET, org_check_character, usci_check_character
from corpcredit.scoring.frames import ENTITY_SCHEMA, EVENT_SCHEMA, RECORD_SCHEMA
from corpcredit.scoring.kernel import ScoreOutput, score

_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def usci(n: int, kind: str = "91", division: str = "330106") -> str:
    """A valid USCI numbered ``n`` (type ``kind``, e.g. '91' enterprise, '92' individual)."""
    body = ""
    for _ in range(6):
        n, r = divmod(n, 31)
        body = _BODY[r] + body
    org8 = "MA" + body
    first17 = kind + division + org8 + org_check_character(org8)
    assert all(c in USCI_ALPHABET for c in first17)
    return first17 + usci_check_character(first17)


def d(text: str) -> date:
    return date.fromisoformat(text)


def ent(u: str, parent: str | None = None) -> dict[str, Any]:
    return {"usci": u, "parent_usci": parent}


_counter = iter(range(1, 10**9))


def rec(u: str, kind: str, tier: str | None, decided: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source": "t",
        "record_id": kw.pop("record_id", f"R{next(_counter)}"),
        "usci": u,
        "kind": kind,
        "tier": tier,
        "decided_on": d(decided),
        "authority": "测试市市场监督管理局",
        "decision_no": None,
        "grade": None,
        "black": None,
        "red": None,
        "ends_on": None,
        "recorded_at": None,
    }
    for k, v in kw.items():
        row[k] = d(v) if k == "ends_on" else v
    return row


def ev(
    record: dict[str, Any], event: str, effective: str, recorded_at: datetime | None = None
) -> dict[str, Any]:
    return {
        "source": record["source"],
        "record_id": record["record_id"],
        "event": event,
        "effective_on": d(effective),
        "recorded_at": recorded_at,
    }


def frames(
    entities: Iterable[dict[str, Any]],
    records: Iterable[dict[str, Any]] = (),
    events: Iterable[dict[str, Any]] = (),
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return (
        pl.DataFrame(list(entities), schema=ENTITY_SCHEMA),
        pl.DataFrame(list(records), schema=RECORD_SCHEMA),
        pl.DataFrame(list(events), schema=EVENT_SCHEMA),
    )


def run(
    entities: Iterable[dict[str, Any]],
    records: Iterable[dict[str, Any]] = (),
    events: Iterable[dict[str, Any]] = (),
    *,
    as_of: str,
    known_at: datetime | None = None,
    cat: Catalogue | None = None,
) -> ScoreOutput:
    e, r, v = frames(entities, records, events)
    return score(e, r, v, cat or default_catalogue(), d(as_of), known_at)


def result(out: ScoreOutput, u: str) -> dict[str, Any]:
    rows = out.results.filter(pl.col("usci") == u).to_dicts()
    assert len(rows) == 1, f"no single result for {u}"
    return rows[0]


def points(out: ScoreOutput, u: str) -> list[tuple[str, str, int]]:
    """(record_id, role, points in hundredths) contributed to ``u``, in output order."""
    c = out.contributions.filter(pl.col("usci") == u)
    return list(c.select("record_id", "role", "points_h").iter_rows())

"""What a screening report says about a matched organisation: its credit standing.

Status, score, grade, list memberships and the top reason (the most negative
contribution), read in chunks for all matched organisations at once. Natural
persons (individual businesses) are named but never scored (DOMAIN.md §1): their
standing is empty. With ``public=True`` the top reason is drawn from published
records only (general and serious tiers, DOMAIN.md §7): a minor record is known to
the organisation and the registry's staff, not to whoever screens a list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from corpcredit.store.schema import contributions, entities, records, results

__all__ = ["Standing", "catalogue_versions", "standings"]

_CHUNK = 500
_PUBLIC_TIERS = ("general", "serious")


@dataclass(frozen=True, slots=True)
class Standing:
    """One organisation's standing; score fields are ``None`` until it is scored."""

    usci: str
    status: str | None
    natural_person: bool
    score: int | None
    grade: str | None
    lists: tuple[str, ...]
    top_reason: str | None
    as_of: date | None


def _points(points_h: int) -> str:
    sign = "-" if points_h < 0 else "+"
    return f"{sign}{abs(points_h) // 100}.{abs(points_h) % 100:02d}"


def _reason(row: sa.Row[tuple[object, ...]]) -> str:
    m = row._mapping
    what = f"{m['kind']} ({m['tier']})" if m["tier"] else str(m["kind"])
    source = ", ".join(str(x) for x in (m["authority"], m["decision_no"]) if x)
    origin = "" if m["role"] == "own" else f", from {m['from_usci']} ({m['role']})"
    return f"{what}: {_points(int(m['points_h']))} points — {source}{origin}"


def standings(
    conn: Connection, uscis: Iterable[str], *, public: bool = False
) -> dict[str, Standing]:
    """The standing of each organisation in ``uscis`` that the registry holds."""
    wanted = sorted(set(uscis))
    out: dict[str, Standing] = {}
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        top: dict[str, str] = {}
        negative = [contributions.c.usci.in_(chunk), contributions.c.points_h < 0]
        if public:
            negative.append(contributions.c.tier.in_(_PUBLIC_TIERS))
        reasons = (
            sa.select(contributions, records.c.authority, records.c.decision_no)
            .join(
                records,
                sa.and_(
                    records.c.source == contributions.c.record_source,
                    records.c.record_id == contributions.c.record_id,
                ),
            )
            .where(*negative)
            .order_by(
                contributions.c.usci,
                contributions.c.points_h,
                contributions.c.record_source,
                contributions.c.record_id,
            )
        )
        for row in conn.execute(reasons):
            top.setdefault(row.usci, _reason(row))
        q = (
            sa.select(
                entities.c.usci,
                entities.c.status,
                entities.c.natural_person,
                results.c.score,
                results.c.grade,
                results.c.black,
                results.c.red,
                results.c.abnormal,
                results.c.as_of,
            )
            .select_from(entities.outerjoin(results, results.c.usci == entities.c.usci))
            .where(entities.c.usci.in_(chunk))
        )
        for r in conn.execute(q).mappings():
            person = bool(r["natural_person"])
            lists = () if person else tuple(x for x in ("black", "red", "abnormal") if r[x])
            out[r["usci"]] = Standing(
                usci=r["usci"],
                status=r["status"],
                natural_person=person,
                score=None if person else r["score"],
                grade=None if person else (r["grade"] or None),
                lists=lists,
                top_reason=None if person else top.get(r["usci"]),
                as_of=r["as_of"],
            )
    return out


def catalogue_versions(conn: Connection) -> list[str]:
    """The rule-catalogue versions the stored results were computed with."""
    q = sa.select(results.c.catalogue_version).distinct().order_by(results.c.catalogue_version)
    return [v for (v,) in conn.execute(q)]

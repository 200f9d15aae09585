"""A deliberately plain, row-by-row reading of DOMAIN.md §4–5, for differential tests.

It shares nothing with the Polars kernel but the catalogue: if the two disagree on
any generated registry, one of them misreads the rules.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from typing import Any

from corpcredit.catalogue import Catalogue

CST = timezone(timedelta(hours=8))


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _seen(recorded_at: datetime | None, day: date, k: datetime | None) -> bool:
    if k is None:
        return True
    ts = recorded_at or datetime(day.year, day.month, day.day, tzinfo=CST)
    return ts <= k


def reference_score(
    entities: list[dict[str, Any]],
    records: list[dict[str, Any]],
    events: list[dict[str, Any]],
    cat: Catalogue,
    t: date,
    k: datetime | None = None,
) -> dict[str, dict[str, Any]]:
    by_usci = {e["usci"]: e for e in entities}
    np_ = {u for u in by_usci if u.startswith("92")}

    def parent(u: str) -> str | None:
        p = by_usci[u]["parent_usci"]
        if u in np_ or p is None or p == u or p not in by_usci or p in np_:
            return None
        return p

    def head(u: str) -> str:
        while (p := parent(u)) is not None:
            u = p
        return u

    recs = []
    for r in records:
        if (
            r["usci"] not in by_usci
            or r["usci"] in np_
            or not _seen(r["recorded_at"], r["decided_on"], k)
        ):
            continue
        kind = cat.kinds[r["kind"]]
        if kind.graded:
            g = kind.grades[r["grade"]]
            tier, pts = g.tier, int(g.points * 100)
        else:
            tier, pts = r["tier"], int(kind.tiers[r["tier"]].points * 100)
        evs = [
            e
            for e in events
            if (e["source"], e["record_id"]) == (r["source"], r["record_id"])
            and _seen(e["recorded_at"], e["effective_on"], k)
        ]
        if any(e["event"] == "withdrawn" for e in evs):
            continue
        period = cat.period_months(r["kind"], tier)
        end = None if period is None else add_months(r["decided_on"], period)
        if end is not None and r["ends_on"] is not None and r["ends_on"] > end:
            end = r["ends_on"]
        revoked = max(
            (e["effective_on"] for e in evs if e["event"] == "revoked_repair"), default=None
        )
        stops = [e["effective_on"] for e in evs if e["event"] == "lifted"]
        stops += [
            e["effective_on"]
            for e in evs
            if e["event"] == "repaired" and (revoked is None or e["effective_on"] > revoked)
        ]
        if stops:
            end = min([s for s in [end] if s is not None] + stops)
        recs.append(
            {
                **r,
                "tier_eff": tier,
                "pts": pts,
                "end": end,
                "in_force": r["decided_on"] <= t and (end is None or t < end),
            }
        )

    out: dict[str, dict[str, Any]] = {}
    own: dict[str, int] = {u: 0 for u in by_usci}
    recv: dict[str, int] = {u: 0 for u in by_usci}
    members: dict[str, list[str]] = {}
    for u in by_usci:
        if u not in np_:
            members.setdefault(head(u), []).append(u)
    w = cat.branches
    for r in recs:
        u = r["usci"]
        if not r["in_force"]:
            continue
        if r["tier_eff"] == "minor" and not any(
            s["usci"] == u
            and s["in_force"]
            and s["tier_eff"] == "serious"
            and s["decided_on"] <= r["decided_on"]
            for s in recs
        ):
            continue
        own[u] += r["pts"]
        if r["pts"] < 0:
            h = head(u)
            for m in members[h]:
                if m == u:
                    continue
                pct = (
                    w.to_branch_percent
                    if u == h
                    else w.to_head_percent
                    if m == h
                    else w.to_sibling_percent
                )
                recv[m] -= (-r["pts"] * pct + 50) // 100
    for u in by_usci:
        if u in np_:
            out[u] = {
                "score": None,
                "grade": None,
                "black": False,
                "red": False,
                "abnormal": False,
                "next_change": None,
            }
            continue
        mine = [r for r in recs if r["usci"] == u]
        total = min(
            max(cat.score.base * 100 + own[u] + recv[u], cat.score.floor * 100),
            cat.score.ceiling * 100,
        )
        score = (total + 50) // 100
        black = any(
            r["in_force"]
            and (
                (r["tier_eff"] == "serious" and (cat.kinds[r["kind"]].black or bool(r["black"])))
                or (
                    cat.kinds[r["kind"]].abnormal_list
                    and t >= add_months(r["decided_on"], cat.lists.abnormal_escalation_months)
                )
            )
            for r in mine
        )
        abnormal = any(r["in_force"] and cat.kinds[r["kind"]].abnormal_list for r in mine)
        flagged = any(
            r["in_force"] and cat.kinds[r["kind"]].red_if_flagged and bool(r["red"]) for r in mine
        )
        rating = any(r["in_force"] and r["kind"] == "tax_grade" and r["grade"] == "A" for r in mine)
        recent = any(
            r["tier_eff"] in ("general", "serious")
            and r["decided_on"] <= t < add_months(r["decided_on"], cat.lists.red_lookback_months)
            for r in mine
        )
        red = not black and (
            flagged or (score >= cat.lists.red_score_threshold and rating and not recent)
        )
        org = [r for r in recs if r["usci"] in members[head(u)]]
        dates = [
            x
            for r in org
            for x in (r["decided_on"], r["end"], add_months(r["decided_on"], 36))
            if x is not None and x > t
        ]
        out[u] = {
            "score": score,
            "grade": cat.black_grade.grade if black else cat.grade_for(score),
            "black": black,
            "red": red,
            "abnormal": abnormal,
            "own_points_h": own[u],
            "received_points_h": recv[u],
            "next_change": min(dates) if dates else None,
        }
    return out

"""Hypothesis strategies: small random registries with branches, gating, lists and events."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from tests.factory import usci

KIND_KEYS = [
    ("admin_penalty", "minor", None),
    ("admin_penalty", "general", None),
    ("admin_penalty", "serious", None),
    ("abnormal_operations", "general", None),
    ("serious_violation_list", "serious", None),
    ("tax_blacklist", "serious", None),
    ("tax_grade", None, "A"),
    ("tax_grade", None, "B"),
    ("tax_grade", None, "M"),
    ("tax_grade", None, "C"),
    ("tax_grade", None, "D"),
    ("court_defaulter", "serious", None),
    ("spot_check_failed", "general", None),
    ("environmental_violation", "general", None),
    ("environmental_violation", "serious", None),
    ("commendation", "positive", None),
    ("credit_commitment_kept", "positive", None),
]
START = date(2019, 1, 1)
CST = timezone(timedelta(hours=8))
days = st.integers(min_value=0, max_value=7 * 365)


@st.composite
def registries(draw: st.DrawFn, max_entities: int = 6, max_records: int = 14) -> dict[str, Any]:
    n = draw(st.integers(1, max_entities))
    ids = [usci(1000 + i, kind=draw(st.sampled_from(["91"] * 9 + ["92"]))) for i in range(n)]
    entities = []
    for i, u in enumerate(ids):
        p = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        entities.append({"usci": u, "parent_usci": None if p is None else ids[p]})
    records = []
    for j in range(draw(st.integers(0, max_records))):
        kind, tier, grade = draw(st.sampled_from(KIND_KEYS))
        serious = tier == "serious" or grade == "D"
        decided = START + timedelta(days=draw(days))
        rec = {
            "source": "h",
            "record_id": f"r{j}",
            "usci": draw(st.sampled_from(ids)),
            "kind": kind,
            "tier": tier,
            "decided_on": decided,
            "authority": "测试局",
            "decision_no": None,
            "grade": grade,
            "black": draw(st.booleans()) if serious else None,
            "red": draw(st.booleans()) if kind == "commendation" else None,
            "ends_on": draw(st.one_of(st.none(), st.just(decided + timedelta(days=draw(days))))),
            "recorded_at": draw(
                st.one_of(
                    st.none(),
                    st.just(
                        datetime(decided.year, decided.month, decided.day, 9, tzinfo=CST)
                        + timedelta(days=draw(st.integers(0, 60)))
                    ),
                )
            ),
        }
        records.append(rec)
    events = []
    for r in records:
        for ev in draw(
            st.lists(
                st.sampled_from(["lifted", "repaired", "withdrawn", "revoked_repair"]),
                max_size=2,
                unique=True,
            )
        ):
            eff = r["decided_on"] + timedelta(days=draw(st.integers(0, 900)))
            events.append(
                {
                    "source": "h",
                    "record_id": r["record_id"],
                    "event": ev,
                    "effective_on": eff,
                    "recorded_at": draw(
                        st.one_of(
                            st.none(),
                            st.just(datetime(eff.year, eff.month, eff.day, 15, tzinfo=CST)),
                        )
                    ),
                }
            )
    as_of = START + timedelta(days=draw(st.integers(0, 8 * 365)))
    known_at = draw(
        st.one_of(
            st.none(),
            st.just(
                datetime(2019, 1, 1, tzinfo=CST)
                + timedelta(hours=draw(st.integers(0, 8 * 365 * 24)))
            ),
        )
    )
    return {
        "entities": entities,
        "records": records,
        "events": events,
        "as_of": as_of,
        "known_at": known_at,
    }

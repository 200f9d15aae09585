"""Minor-record gating (rule 2) on the kernel's Polars path, against its plain path.

The general generator spreads records over seven years, so a minor record decided on
or after an in-force serious one of the same entity is rare there; these registries
keep every record near the evaluation date and mix minor, serious and untiered ones
(tax grades B and M), with branches, so that the gate decides often either way.
"""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from corpcredit.catalogue import default_catalogue
from corpcredit.scoring.kernel import _score_polars
from corpcredit.scoring.small import score_small
from tests.factory import ent, frames, points, rec, result, usci

CAT = default_catalogue()
AS_OF = date(2025, 6, 30)
KINDS = [
    ("admin_penalty", "minor", None),
    ("admin_penalty", "minor", None),
    ("admin_penalty", "serious", None),
    ("environmental_violation", "serious", None),
    ("admin_penalty", "general", None),
    ("tax_grade", None, "B"),
    ("tax_grade", None, "M"),
    ("tax_grade", None, "D"),
]


@st.composite
def gated_registries(draw: st.DrawFn) -> dict:
    n = draw(st.integers(1, 4))
    ids = [usci(3000 + i) for i in range(n)]
    # The first is the head office; the others its branches, or heads of their own.
    entities = [ent(ids[0])] + [ent(u, draw(st.sampled_from([None, ids[0]]))) for u in ids[1:]]
    records = []
    for i in range(draw(st.integers(0, 12))):
        kind, tier, grade = draw(st.sampled_from(KINDS))
        decided = AS_OF - timedelta(days=draw(st.integers(-5, 40)))
        records.append(
            rec(
                draw(st.sampled_from(ids)),
                kind,
                tier,
                decided.isoformat(),
                record_id=f"G{i:02d}",
                grade=grade,
            )
        )
    return {"entities": entities, "records": records}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gated_registries(), st.booleans())
def test_the_polars_path_gates_minor_records_as_the_plain_path(reg, contributions):
    e, r, v = frames(reg["entities"], reg["records"])
    want = score_small(e, r, v, CAT, AS_OF, None, contributions=contributions)
    assert want is not None
    results, lines, warnings = want
    got = _score_polars(e, r, v, CAT, AS_OF, None, contributions=contributions)
    assert_frame_equal(got.results, results)
    assert_frame_equal(got.contributions, lines)
    assert got.warnings == warnings


def test_worked_gating_example_on_the_polars_path():
    a = usci(10)
    before = rec(a, "admin_penalty", "minor", "2025-01-01", record_id="before")
    serious = rec(a, "environmental_violation", "serious", "2025-01-10", record_id="serious")
    same_day = rec(a, "admin_penalty", "minor", "2025-01-10", record_id="same")
    after = rec(a, "admin_penalty", "minor", "2025-02-01", record_id="after")
    neutral = rec(a, "tax_grade", None, "2025-02-01", record_id="grade-b", grade="B")
    e, r, v = frames([ent(a)], [before, serious, same_day, after, neutral])
    out = _score_polars(e, r, v, CAT, date(2025, 3, 1))
    assert result(out, a)["score"] == 1000 - 80 - 5 - 5
    # A tax grade B has no tier: it is not minor, so it counts (with 0 points) ungated.
    assert sorted(x for x, _, _ in points(out, a)) == ["after", "grade-b", "same", "serious"]
    alone = _score_polars(*frames([ent(a)], [before, after, neutral]), CAT, date(2025, 3, 1))
    assert result(alone, a)["score"] == 1000
    assert [x for x, _, _ in points(alone, a)] == ["grade-b"]

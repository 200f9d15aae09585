"""What a screening says of a match's reasons depends on who screens (DOMAIN.md §7)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit.screening.credit import standings
from corpcredit.store.schema import contributions
from tests.screening.registry import DEFAULTER, screening_registry


def test_an_unpublished_record_is_never_a_public_top_reason(engine: Engine) -> None:
    screening_registry(engine)
    with engine.begin() as conn:
        # As if an operator's catalogue let a minor record weigh most.
        conn.execute(
            sa.update(contributions)
            .where(contributions.c.usci == DEFAULTER, contributions.c.kind == "court_defaulter")
            .values(tier="minor")
        )
    with engine.connect() as conn:
        staff = standings(conn, [DEFAULTER])[DEFAULTER]
        public = standings(conn, [DEFAULTER], public=True)[DEFAULTER]
    assert staff.top_reason is not None and staff.top_reason.startswith("court_defaulter (minor)")
    assert public.top_reason is None or "minor" not in public.top_reason
    assert (public.score, public.grade, public.lists) == (staff.score, staff.grade, staff.lists)

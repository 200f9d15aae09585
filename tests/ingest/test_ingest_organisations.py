"""Head offices and branches: arrival order, cycles, moves; results match the kernel."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import synth
from corpcredit.engines.inputs import load_inputs
from corpcredit.scoring import score
from corpcredit.store.schema import contributions, results
from tests.factory import usci
from tests.ingest.builders import (
    AS_OF,
    CAT,
    ENTITY_FIELDS,
    RECORD_FIELDS,
    entity,
    ingest,
    quarantine,
    record,
    rows,
    write_feed,
)


def _heads(engine: Engine) -> dict[str, str]:
    return dict(rows(engine, "SELECT usci, head_usci FROM entities"))


def test_a_branch_before_its_head_in_the_same_file_is_joined_to_it(
    engine: Engine, tmp_path: Path
) -> None:
    # Branch 3 of branch 2 of head 1, in the worst order, one row per chunk.
    ents = [entity(3, parent=2), entity(2, parent=1), entity(9), entity(1)]
    path = write_feed(tmp_path / "e.csv", ents, ENTITY_FIELDS)
    summary = ingest(engine, "entities", path, chunk_rows=1)
    assert (summary.accepted, summary.quarantined) == (4, 0)
    assert _heads(engine) == {
        usci(1): usci(1),
        usci(2): usci(1),
        usci(3): usci(1),
        usci(9): usci(9),
    }
    recs = write_feed(
        tmp_path / "r.csv", [record("R1", 3, "court_defaulter", "serious")], RECORD_FIELDS
    )
    ingest(engine, "records", recs)
    received = rows(
        engine,
        "SELECT usci, role, points_h FROM contributions ORDER BY usci",
    )
    assert received == [
        (usci(1), "from_branch", -6000),
        (usci(2), "from_sibling", -1200),
        (usci(3), "own", -12000),
    ]
    assert dict(rows(engine, "SELECT usci, head_usci FROM results")) == _heads(engine)


def test_a_branch_whose_head_is_nowhere_is_refused_until_the_head_comes(
    engine: Engine, tmp_path: Path
) -> None:
    branch = write_feed(tmp_path / "b.csv", [entity(2, parent=1)], ENTITY_FIELDS)
    assert ingest(engine, "entities", branch).quarantined == 1
    assert quarantine(engine) == [(2, "parent_usci", "input.unknown_parent")]
    both = write_feed(tmp_path / "both.csv", [entity(2, parent=1), entity(1)], ENTITY_FIELDS)
    assert ingest(engine, "entities", both).accepted == 2
    assert _heads(engine) == {usci(1): usci(1), usci(2): usci(1)}


def test_a_parent_cycle_is_quarantined(engine: Engine, tmp_path: Path) -> None:
    ents = [entity(1, parent=2), entity(2, parent=1), entity(3)]
    summary = ingest(engine, "entities", write_feed(tmp_path / "e.csv", ents, ENTITY_FIELDS))
    assert (summary.accepted, summary.quarantined) == (1, 2)
    assert quarantine(engine) == [
        (2, "parent_usci", "input.parent_cycle"),
        (3, "parent_usci", "input.parent_cycle"),
    ]


def test_a_branch_moved_to_another_head_leaves_its_old_organisation(
    engine: Engine, tmp_path: Path
) -> None:
    first = [entity(1), entity(5), entity(2, parent=1)]
    ingest(engine, "entities", write_feed(tmp_path / "e1.csv", first, ENTITY_FIELDS))
    recs = [record("R1", 2, "court_defaulter", "serious")]
    ingest(engine, "records", write_feed(tmp_path / "r.csv", recs, RECORD_FIELDS))
    assert dict(rows(engine, "SELECT usci, score FROM results"))[usci(1)] == 940
    moved = ingest(
        engine, "entities", write_feed(tmp_path / "e2.csv", [entity(2, parent=5)], ENTITY_FIELDS)
    )
    assert (moved.updated, moved.accepted) == (1, 0)
    assert _heads(engine)[usci(2)] == usci(5)
    scores = dict(rows(engine, "SELECT usci, score FROM results"))
    assert (scores[usci(1)], scores[usci(5)]) == (1000, 940)


def test_materialised_results_equal_the_kernel_on_the_same_files(
    engine: Engine, tmp_path: Path
) -> None:
    registry = synth.generate(400, 11, as_of=AS_OF)
    paths = synth.write(registry, tmp_path, "csv")
    for kind in synth.FEEDS:
        ingest(engine, kind, paths[kind], chunk_rows=700)
    inputs = load_inputs(paths["entities"], paths["records"], paths["events"], CAT)
    expected = score(inputs.entities, inputs.records, inputs.events, CAT, AS_OF)
    with engine.connect() as conn:
        got = pl.DataFrame(
            [dict(r) for r in conn.execute(sa.select(results)).mappings()],
            infer_schema_length=None,
        )
        lines = pl.DataFrame(
            [dict(r) for r in conn.execute(sa.select(contributions)).mappings()],
            infer_schema_length=None,
        )
    columns = list(expected.results.columns)
    assert (
        got.select(columns)
        .cast(expected.results.schema)
        .sort("usci")
        .equals(expected.results.sort("usci"))
    )
    key = ["usci", "record_source", "record_id"]
    want = expected.contributions.select(*key, "from_usci", "role", "points_h", "ends_on")
    assert lines.select(want.columns).cast(want.schema).sort(key).equals(want.sort(key))

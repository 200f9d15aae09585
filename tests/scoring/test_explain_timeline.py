"""Explanations (top four negative reasons first) and the timeline mode."""

from corpcredit.catalogue import default_catalogue
from corpcredit.scoring import change_dates, explain, score_timeline, top_reasons
from tests.factory import d, ent, ev, frames, rec, run, usci

HEAD, BR = usci(200), usci(201)


def _org():
    records = [
        rec(HEAD, "admin_penalty", "general", "2025-01-01", record_id="g"),  # -30
        rec(HEAD, "court_defaulter", "serious", "2025-02-01", record_id="k"),  # -120
        rec(HEAD, "spot_check_failed", "general", "2025-03-01", record_id="s"),  # -15
        rec(HEAD, "commendation", "positive", "2025-01-01", record_id="c"),  # +50
        rec(BR, "admin_penalty", "serious", "2025-01-15", record_id="b"),  # -80 → -40 at head
        rec(HEAD, "admin_penalty", "minor", "2025-05-01", record_id="m"),  # gated in: -5
    ]
    return [ent(HEAD), ent(BR, HEAD)], records


def test_top_four_negative_reasons_come_first_most_negative_first():
    entities, records = _org()
    x = explain(run(entities, records, as_of="2025-06-30"), HEAD)
    assert [(line.record_id, line.role, line.points) for line in x.top] == [
        ("k", "own", "-120.00"),
        ("b", "from_branch", "-40.00"),
        ("g", "own", "-30.00"),
        ("s", "own", "-15.00"),
    ]
    assert [line.record_id for line in x.lines] == ["k", "b", "g", "s", "c", "m"]
    assert x.result["score"] == 1000 - 120 - 40 - 30 - 15 + 50 - 5
    assert x.lines[4].points == "+50.00"


def test_bulk_top_reasons_ranks_per_entity():
    entities, records = _org()
    top = top_reasons(run(entities, records, as_of="2025-06-30").contributions)
    assert top.filter(top["usci"] == HEAD)["record_id"].to_list() == ["k", "b", "g", "s"]
    assert top.filter(top["usci"] == BR)["rank"].to_list() == [1, 2, 3, 4]


def test_timeline_matches_single_evaluations_and_change_dates_cover_the_story():
    entities, records = _org()
    e, r, v = frames(entities, records, [ev(records[1], "lifted", "2025-05-01")])
    cat = default_catalogue()
    dates = change_dates(r, v, cat, d("2025-01-01"), d("2025-12-31"))
    assert d("2025-05-01") in dates and d("2025-02-01") in dates and d("2025-12-31") in dates
    tl = score_timeline(e, r, v, cat, dates)
    assert tl.results.height == 2 * len(dates)
    for day in (d("2025-04-30"), d("2025-05-01")):
        one = run(entities, records, [ev(records[1], "lifted", "2025-05-01")], as_of=str(day))
        got = tl.results.filter(tl.results["as_of"] == day) if day in dates else None
        if got is not None:
            assert got.to_dicts() == one.results.to_dicts()
    head = tl.results.filter(tl.results["usci"] == HEAD).sort("as_of")
    lifted = head.filter(head["as_of"] == d("2025-05-01")).row(0, named=True)
    # the lift also ends the gate: the minor record stops counting
    assert (lifted["black"], lifted["grade"], lifted["score"]) == (False, "A", 965)

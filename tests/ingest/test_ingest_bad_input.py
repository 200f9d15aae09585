"""The bad-input corpus: each problem gets its code, and nothing else is lost."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from corpcredit.feeds.read import UnreadableFile
from corpcredit.ingest import default_report_path
from tests.factory import usci
from tests.ingest.builders import (
    ENTITY_FIELDS,
    EVENT_FIELDS,
    RECORD_FIELDS,
    count,
    entity,
    event,
    ingest,
    quarantine,
    record,
    resident_id,
    rows,
    write_feed,
)

GOOD = [record("G1", 1), record("G2", 2, "court_defaulter", "serious"), record("G3", 3)]


@pytest.fixture
def registry(engine: Engine, tmp_path: Path) -> Engine:
    """Three organisations already in the store."""
    path = write_feed(tmp_path / "entities.csv", [entity(1), entity(2), entity(3)], ENTITY_FIELDS)
    assert ingest(engine, "entities", path).accepted == 3
    return engine


def _landed(engine: Engine) -> list[str]:
    return [r for (r,) in rows(engine, "SELECT record_id FROM records ORDER BY record_id")]


BAD_RECORDS: list[tuple[str, dict[str, Any], str, str]] = [
    ("bad date", record("B1", 1, decided_on="2026-13-45"), "decided_on", "input.bad_date"),
    ("unknown kind", record("B1", 1, kind="rumour"), "kind", "input.unknown_kind"),
    ("tier not allowed", record("B1", 1, tier="catastrophic"), "tier", "input.bad_tier"),
    ("missing authority", record("B1", 1, authority=None), "authority", "input.required"),
    ("bad identifier", record("B1", 1, usci="91330106MA0000015Q"), "usci", "usci.check"),
    (
        "identity number in summary",
        record("B1", 1, summary=f"法定代表人身份证号{resident_id()}，已处罚"),
        "summary",
        "input.personal_id",
    ),
    (
        "individual business",
        record("B1", usci(4, kind="92"), kind="admin_penalty"),  # type: ignore[arg-type]
        "usci",
        "input.natural_person",
    ),
    ("ten megabyte field", record("B1", 1, summary="罚" * 10_000_000), "summary", "input.too_long"),
    ("NUL in a field", record("B1", 1, summary="罚款\x00元"), "summary", "input.bad_text"),
    ("unknown entity", record("B1", 99), "usci", "input.unknown_entity"),
    ("black below serious", record("B1", 1, black="true"), "black", "input.black_below_serious"),
    ("duplicate id", record("G1", 1, tier="serious"), "record_id", "input.duplicate"),
]


@pytest.mark.parametrize(
    ("bad", "column", "code"),
    [pytest.param(b, c, code, id=name) for name, b, c, code in BAD_RECORDS],
)
def test_a_bad_record_is_quarantined_with_its_code_and_the_rest_lands(
    registry: Engine, tmp_path: Path, bad: dict[str, Any], column: str, code: str
) -> None:
    path = write_feed(tmp_path / "records.csv", [GOOD[0], GOOD[1], bad, GOOD[2]], RECORD_FIELDS)
    summary = ingest(registry, "records", path)
    assert (summary.accepted, summary.quarantined, summary.exit_code) == (3, 1, 3)
    assert quarantine(registry) == [(4, column, code)]
    assert _landed(registry) == ["G1", "G2", "G3"]
    assert summary.report_path == default_report_path(path)
    with summary.report_path.open(encoding="utf-8") as fh:
        report = list(csv.reader(fh))
    assert report[0] == ["file", "row", "column", "value", "code", "message"]
    assert [[*r[1:3], r[4]] for r in report[1:]] == [["4", column, code]]
    assert len(report[1][3]) < 300  # a ten-megabyte value is cut, never copied whole


def test_an_identity_number_is_withheld_from_the_quarantine_and_the_report(
    registry: Engine, tmp_path: Path
) -> None:
    number = resident_id()
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    bad = [record("B1", 1, summary=f"负责人{number}"), record("B2", 2, legal_basis=spaced)]
    path = write_feed(tmp_path / "records.csv", bad, [*RECORD_FIELDS, "legal_basis"])
    summary = ingest(registry, "records", path, report_path=tmp_path / "report.csv")
    assert summary.quarantined == 2
    stored = rows(registry, "SELECT value, message FROM quarantine")
    text = (tmp_path / "report.csv").read_text(encoding="utf-8")
    assert all(number not in v and number[:14] not in v for v, _ in stored)
    assert number[6:14] not in text and number not in text
    assert count(registry, "records") == 0


def test_duplicates_across_chunks_are_caught(registry: Engine, tmp_path: Path) -> None:
    recs = [*GOOD, record("G4", 1), record("G2", 3, tier="general")]
    path = write_feed(tmp_path / "records.csv", recs, RECORD_FIELDS)
    summary = ingest(registry, "records", path, chunk_rows=2)
    assert (summary.accepted, summary.quarantined) == (4, 1)
    assert quarantine(registry) == [(6, "record_id", "input.duplicate")]
    assert rows(registry, "SELECT usci FROM records WHERE record_id = 'G2'") == [(usci(2),)]


def test_a_resumed_ingest_still_catches_duplicates_of_landed_chunks(
    registry: Engine, tmp_path: Path
) -> None:
    recs = [*GOOD, record("G4", 1), record("G2", 3, tier="general")]
    path = write_feed(tmp_path / "records.csv", recs, RECORD_FIELDS)

    def stop(done: int, _total: int | None) -> None:
        if done == 2:
            raise KeyboardInterrupt  # as if killed after the first chunk committed

    with pytest.raises(KeyboardInterrupt):
        ingest(registry, "records", path, chunk_rows=2, progress=stop)
    assert count(registry, "records") == 2
    summary = ingest(registry, "records", path, chunk_rows=2)
    assert summary.resumed
    assert (summary.accepted, summary.quarantined) == (4, 1)
    assert quarantine(registry) == [(6, "record_id", "input.duplicate")]
    assert rows(registry, "SELECT usci FROM records WHERE record_id = 'G2'") == [(usci(2),)]


def test_wrong_encoding_refuses_the_whole_file(registry: Engine, tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    text = (
        ",".join(RECORD_FIELDS) + "\nR1,test,x,admin_penalty,general,2026-01-01,Société Générale\n"
    )
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(UnreadableFile) as err:
        ingest(registry, "records", path)
    assert err.value.code == "input.encoding"
    assert "UTF-8" in err.value.message
    assert count(registry, "ingest_batches") == 1  # the entities batch only


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_utf16_and_utf32_are_refused_too(registry: Engine, tmp_path: Path, encoding: str) -> None:
    path = write_feed(tmp_path / "records.csv", GOOD, RECORD_FIELDS)
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    with pytest.raises(UnreadableFile) as err:
        ingest(registry, "records", path)
    assert err.value.code == "input.encoding"


def test_gbk_is_converted(registry: Engine, tmp_path: Path) -> None:
    path = write_feed(tmp_path / "records.csv", GOOD, RECORD_FIELDS)
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    summary = ingest(registry, "records", path)
    assert (summary.accepted, summary.quarantined) == (3, 0)
    assert rows(registry, "SELECT DISTINCT authority FROM records") == [
        ("杭州市西湖区市场监督管理局",)
    ]


def test_a_byte_order_mark_is_accepted(registry: Engine, tmp_path: Path) -> None:
    path = write_feed(tmp_path / "records.csv", GOOD, RECORD_FIELDS)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    summary = ingest(registry, "records", path)
    assert (summary.accepted, summary.quarantined) == (3, 0)


def test_a_missing_required_column_refuses_the_whole_file(registry: Engine, tmp_path: Path) -> None:
    fields = [f for f in RECORD_FIELDS if f != "authority"]
    path = write_feed(tmp_path / "records.csv", GOOD, fields)
    with pytest.raises(UnreadableFile) as err:
        ingest(registry, "records", path)
    assert err.value.code == "input.missing_column"
    assert "authority" in err.value.message
    assert count(registry, "records") == 0


def test_an_empty_file_is_unreadable(registry: Engine, tmp_path: Path) -> None:
    (tmp_path / "records.csv").write_bytes(b"")
    with pytest.raises(UnreadableFile):
        ingest(registry, "records", tmp_path / "records.csv")


def test_a_line_that_is_not_json_is_quarantined(registry: Engine, tmp_path: Path) -> None:
    path = write_feed(tmp_path / "records.jsonl", GOOD, RECORD_FIELDS)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], "{not json", "", *lines[1:]]) + "\n", encoding="utf-8")
    summary = ingest(registry, "records", path)
    assert (summary.accepted, summary.quarantined) == (3, 1)
    assert quarantine(registry) == [(2, "", "input.bad_json")]


def test_an_event_for_an_unknown_record_is_quarantined(registry: Engine, tmp_path: Path) -> None:
    ingest(registry, "records", write_feed(tmp_path / "records.csv", GOOD, RECORD_FIELDS))
    evs = [event("G1", "lifted", "2026-02-01"), event("NOPE", "lifted", "2026-02-01")]
    evs.append(event("G2", "forgiven", "2026-02-01"))
    summary = ingest(registry, "events", write_feed(tmp_path / "events.csv", evs, EVENT_FIELDS))
    assert (summary.accepted, summary.quarantined) == (1, 2)
    assert quarantine(registry) == [
        (3, "record_id", "input.unknown_record"),
        (4, "event", "input.bad_event"),
    ]


def test_entity_problems_are_quarantined(engine: Engine, tmp_path: Path) -> None:
    ents = [
        entity(1),
        entity(2, parent=77),  # head office nowhere
        entity(3, address=f"身份证{resident_id()}"),
        entity(4, status="bankrupt"),
        entity(5, parent=1),
    ]
    summary = ingest(engine, "entities", write_feed(tmp_path / "e.csv", ents, ENTITY_FIELDS))
    assert (summary.accepted, summary.quarantined) == (2, 3)
    assert quarantine(engine) == [
        (3, "parent_usci", "input.unknown_parent"),
        (4, "address", "input.personal_id"),
        (5, "status", "input.bad_status"),
    ]
    assert rows(engine, "SELECT usci FROM entities ORDER BY usci") == [(usci(1),), (usci(5),)]

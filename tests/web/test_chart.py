"""The server-side SVG score chart and its text alternative."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from corpcredit.catalogue import default_catalogue
from corpcredit.services.lookup import HistoryPoint
from corpcredit.web.chart import score_chart, summary
from corpcredit.web.i18n import Translator

SVG = "{http://www.w3.org/2000/svg}"
CAT = default_catalogue()
START, END = date(2024, 1, 1), date(2026, 1, 1)
POINTS = [
    HistoryPoint(START, 1000, "A", False, False, False),
    HistoryPoint(date(2025, 1, 1), 880, "D", True, False, False),
    HistoryPoint(END, 880, "D", True, False, False),
]


def test_chart_is_an_svg_image_with_title_description_and_a_step_line() -> None:
    svg = ET.fromstring(str(score_chart(Translator("en"), POINTS, CAT, START, END)))
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "score-chart-title score-chart-desc"
    assert svg.find(f"{SVG}title").text == "Score from 2024-01-01 to 2026-01-01"
    assert "went from 1000 to 880" in svg.find(f"{SVG}desc").text
    (line,) = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "line"]
    assert line.get("d").count("L") == 5  # three steps: 1000, 880, 880
    labels = {t.text for t in svg.iter(f"{SVG}text")}
    assert {"2025", "2026", "Black list", "B ≥ 850", "A ≥ 960"} <= labels
    assert "Red list" not in labels  # only lists the entity was on get a strip


def test_chart_strips_mark_the_listed_stretch() -> None:
    svg = ET.fromstring(str(score_chart(Translator("zh"), POINTS, CAT, START, END)))
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("fill")]
    assert len(bars) == 2 and all(r.get("fill") == "#1f1f1f" for r in bars)
    assert float(bars[0].get("x")) > 84 + (720 - 84 - 12) * 0.49


def test_summary_without_any_score() -> None:
    empty = [HistoryPoint(START, None, None, False, False, False)]
    assert summary(Translator("zh"), empty, START, END) == "这段时间没有分数。"

"""The score-history chart: an SVG drawn on the server, readable without JavaScript.

The score is a step line (a score holds from one change to the next); dashed
lines mark the grade bands' lower bounds, and coloured strips under the plot
show the stretches on the black, abnormal and red lists. The chart is an image
with a title and a one-paragraph description for screen readers; the page adds
the full table of points beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from markupsafe import Markup

from corpcredit.catalogue import Catalogue
from corpcredit.services.lookup import HistoryPoint
from corpcredit.web.i18n import Translator

__all__ = ["score_chart", "summary"]

_W = 720
_LEFT, _RIGHT, _TOP = 84, 12, 14
_PLOT = 200  # height of the plot area
_AXIS = 24  # room for the year labels under it
_STRIP, _ROW = 8, 16  # list strips under the axis: bar height, row pitch
_LISTS = (("black", "#1f1f1f"), ("abnormal", "#b45309"), ("red", "#b91c1c"))


@dataclass(frozen=True)
class _Frame:
    start: date
    end: date
    low: int
    high: int
    rows: int  # list strips

    @property
    def bottom(self) -> int:
        return _TOP + _PLOT

    @property
    def height(self) -> int:
        return self.bottom + _AXIS + self.rows * _ROW + (4 if self.rows else 0)

    def x(self, day: date) -> float:
        span = max(1, (self.end - self.start).days)
        return _LEFT + (_W - _LEFT - _RIGHT) * (day - self.start).days / span

    def y(self, value: int) -> float:
        return _TOP + _PLOT * (self.high - value) / max(1, self.high - self.low)


def _lists_shown(points: Sequence[HistoryPoint]) -> list[tuple[str, str]]:
    """Only the lists the entity was on at some point of the range get a strip."""
    return [(w, c) for w, c in _LISTS if any(getattr(p, w) for p in points)]


def _frame(points: Sequence[HistoryPoint], cat: Catalogue, start: date, end: date) -> _Frame:
    scores = [p.score for p in points if p.score is not None] or [cat.score.base]
    low = max(cat.score.floor, (min(scores) - 40) // 50 * 50)
    high = min(cat.score.ceiling, -(-(max(scores) + 40) // 50) * 50)
    return _Frame(start, end, low, high, len(_lists_shown(points)))


def summary(t: Translator, points: Sequence[HistoryPoint], start: date, end: date) -> str:
    """One sentence for screen readers: first and last score, lowest and highest."""
    scored = [p for p in points if p.score is not None]
    if not scored:
        return t("chart.no_score")
    lo = min(scored, key=lambda p: (p.score, p.on))
    hi = max(scored, key=lambda p: (p.score, p.on))
    return t(
        "chart.summary",
        start=start.isoformat(),
        end=end.isoformat(),
        first=scored[0].score,
        last=scored[-1].score,
        low=lo.score,
        low_on=lo.on.isoformat(),
        high=hi.score,
        high_on=hi.on.isoformat(),
        changes=max(0, len(scored) - 1),
    )


def _step_path(f: _Frame, points: Sequence[HistoryPoint]) -> str:
    parts: list[str] = []
    for i, p in enumerate(points):
        if p.score is None:
            continue
        nxt = points[i + 1].on if i + 1 < len(points) else f.end
        y = f.y(p.score)
        parts.append(f"{'M' if not parts else 'L'}{f.x(p.on):.1f},{y:.1f}")
        parts.append(f"L{f.x(nxt):.1f},{y:.1f}")
    return " ".join(parts)


def _strips(t: Translator, f: _Frame, points: Sequence[HistoryPoint]) -> list[str]:
    out = []
    for row, (which, colour) in enumerate(_lists_shown(points)):
        y = f.bottom + _AXIS + row * _ROW
        out.append(
            f'<text x="{_LEFT - 6}" y="{y + _STRIP}" text-anchor="end" class="axis">'
            f"{escape(t(f'list.{which}.short'))}</text>"
        )
        for i, p in enumerate(points):
            if getattr(p, which):
                nxt = points[i + 1].on if i + 1 < len(points) else f.end
                width = max(1.5, f.x(nxt) - f.x(p.on))
                out.append(
                    f'<rect x="{f.x(p.on):.1f}" y="{y}" width="{width:.1f}" '
                    f'height="{_STRIP}" fill="{colour}"/>'
                )
    return out


def _axes(f: _Frame, cat: Catalogue) -> list[str]:
    out = []
    for band in sorted(cat.grades, key=lambda g: g.min):
        if f.low < band.min < f.high:
            y = f.y(band.min)
            out.append(
                f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="band"/>'
                f'<text x="{_W - _RIGHT - 2}" y="{y - 3:.1f}" text-anchor="end" class="axis">'
                f"{escape(band.grade)} ≥ {band.min}</text>"
            )
    for value in (f.low, f.high):
        out.append(
            f'<text x="{_LEFT - 6}" y="{f.y(value) + 4:.1f}" text-anchor="end" class="axis">'
            f"{value}</text>"
        )
    for year in range(f.start.year + 1, f.end.year + 1):
        x = f.x(date(year, 1, 1))
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_TOP}" y2="{f.bottom}" class="tick"/>'
            f'<text x="{x:.1f}" y="{f.bottom + 16}" text-anchor="middle" class="axis">'
            f"{year}</text>"
        )
    out.append(
        f'<rect x="{_LEFT}" y="{_TOP}" width="{_W - _LEFT - _RIGHT}" '
        f'height="{_PLOT}" class="frame"/>'
    )
    return out


def score_chart(
    t: Translator,
    points: Sequence[HistoryPoint],
    cat: Catalogue,
    start: date,
    end: date,
    chart_id: str = "score-chart",
) -> Markup:
    """The SVG of a score history from ``start`` to ``end``."""
    f = _frame(points, cat, start, end)
    title = escape(t("chart.title", start=start.isoformat(), end=end.isoformat()))
    desc = escape(summary(t, points, start, end))
    body = [
        *_axes(f, cat),
        f'<path d="{_step_path(f, points)}" class="line"/>',
        *_strips(t, f, points),
    ]
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {f.height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">'
        f'<title id="{chart_id}-title">{title}</title>'
        f'<desc id="{chart_id}-desc">{desc}</desc>' + "".join(body) + "</svg>"
    )

"""The organisation page: identity, score and why, lists, history chart, records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.engine import Engine
from starlette.responses import HTMLResponse, RedirectResponse, Response

from corpcredit.catalogue import Catalogue
from corpcredit.services.lists import add_months
from corpcredit.services.lookup import EntityView, ListMembership, RecordView, entity_view, history
from corpcredit.web.api.entities import disputed_keys
from corpcredit.web.chart import score_chart, summary
from corpcredit.web.i18n import Translator
from corpcredit.web.pages.render import render, translator
from corpcredit.web.params import parse_day
from corpcredit.web.state import catalogue, database

__all__ = ["CHART_YEARS", "router", "sentence"]

router = APIRouter()

#: The chart shows this many years up to the page's date.
CHART_YEARS = 5


def sentence(t: Translator, view: EntityView) -> str:
    """The score in one plain-language paragraph: score, grade, lists, main reason."""
    i = view.identity
    grade = view.grade
    assert grade is not None and view.score is not None
    parts = [
        t(
            "entity.sentence.score",
            day=view.as_of.isoformat(),
            name=t.pick(i.name, i.name_en),
            score=view.score,
            grade=grade.code,
            label=t.pick(grade.zh, grade.en),
        )
    ]
    parts += [t(f"entity.sentence.{m.list}") for m in view.lists]
    if view.top_reasons:
        top = view.top_reasons[0]
        parts.append(
            t(
                "entity.sentence.top",
                kind=t.pick(top.kind.zh, top.kind.en),
                points=top.points.replace("-", "−"),
            )
        )
    elif not view.lines:
        parts.append(t("entity.sentence.clean"))
    return t("entity.sentence.join").join(parts)


def _public_behind(view: EntityView) -> Any:
    shown = {(r.source, r.record_id) for r in view.records}

    def behind(m: ListMembership) -> list[RecordView]:
        return [r for r in m.records if (r.source, r.record_id) in shown]

    return behind


@router.get("/entities/{usci}", response_class=HTMLResponse)
def entity_page(
    usci: str,
    request: Request,
    db: Annotated[Engine, Depends(database)],
    cat: Annotated[Catalogue, Depends(catalogue)],
    as_of: str | None = None,
) -> Response:
    with db.connect() as conn:
        view = entity_view(conn, usci, as_of=parse_day(as_of, "as_of"), cat=cat)
        if view.identity.usci != usci:  # spaces, hyphens, lower case: one address per page
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(f"/entities/{view.identity.usci}{query}", status_code=301)
        start = add_months(view.as_of, -12 * CHART_YEARS)
        person = view.identity.natural_person
        points = [] if person else history(conn, view.identity.usci, start, view.as_of, cat)
        disputed = disputed_keys(conn, view)
    t = translator(request)
    context: dict[str, Any] = {"view": view, "base": cat.score.base, "disputed": disputed}
    if not person:
        b = cat.branches
        context.update(
            sentence=sentence(t, view),
            history=points,
            chart=score_chart(t, points, cat, start, view.as_of),
            chart_summary=summary(t, points, start, view.as_of),
            public_behind=_public_behind(view),
            weights={
                "from_branch": b.to_head_percent,
                "from_head": b.to_branch_percent,
                "from_sibling": b.to_sibling_percent,
            },
        )
    return render(request, "entity.html", context)

"""Two reference pages: "how scores work" (generated from the catalogue in force) and the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse

from corpcredit.catalogue import Catalogue
from corpcredit.services.lookup import format_points
from corpcredit.web.pages.render import render
from corpcredit.web.params import MAX_PER_PAGE, MAX_QUERY
from corpcredit.web.state import catalogue, web_state

__all__ = ["kind_rows", "router"]

router = APIRouter()


def kind_rows(cat: Catalogue) -> list[dict[str, Any]]:
    """One row per record kind: its rules (tier or grade, points) and periods."""
    rows = []
    for code, kind in cat.kinds.items():
        rules = []
        for name, rule in kind.rules().items():
            tier = kind.grades[name].tier if kind.graded else name
            rules.append(
                {
                    "grade": name if kind.graded else None,
                    "tier": cat.tiers[tier].label,  # type: ignore[index]
                    "label": rule.label,
                    "points": format_points(int(rule.points * 100)),
                    "period": None if kind.no_automatic_end else cat.period_months(code, tier),
                    "repair": cat.repair_after_months(code, tier) if kind.repairable else None,
                }
            )
        rows.append({"code": code, "kind": kind, "rules": rules})
    return rows


@router.get("/how-scores-work", response_class=HTMLResponse)
def how_scores_work(
    request: Request, cat: Annotated[Catalogue, Depends(catalogue)]
) -> HTMLResponse:
    return render(
        request,
        "how.html",
        {
            "cat": cat,
            "kinds": kind_rows(cat),
            "grades": sorted(cat.grades, key=lambda g: -g.min),
        },
    )


@router.get("/api", response_class=HTMLResponse)
def api_page(request: Request) -> HTMLResponse:
    settings = web_state(request).settings
    return render(
        request,
        "api.html",
        {
            "per_minute": settings.rate_limit_per_minute,
            "max_per_page": MAX_PER_PAGE,
            "max_query": MAX_QUERY,
        },
    )

"""``/api/v1/catalogue``: the rule catalogue in force, so anyone can check a score by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from corpcredit.catalogue import Catalogue
from corpcredit.services.lookup import format_points
from corpcredit.web.api.common import ERRORS
from corpcredit.web.api.schemas import CatalogueOut
from corpcredit.web.state import web_state

__all__ = ["catalogue_out", "router"]

router = APIRouter(tags=["catalogue"])


def catalogue_out(cat: Catalogue) -> dict[str, Any]:
    """The whole catalogue; points as decimal strings with two places (``-30.00``)."""
    data: dict[str, Any] = cat.model_dump(mode="json")
    for kind in data["kinds"].values():
        for rule in (*kind["tiers"].values(), *kind["grades"].values()):
            rule["points"] = format_points(int(Decimal(rule["points"]) * 100))
    return data


@router.get("/catalogue", response_model=CatalogueOut, responses={429: ERRORS[429]})
async def get_catalogue(request: Request) -> Response:
    """Version, score range, grade bands, branch weights, list rules, tiers with their
    publication and repair periods, and every record kind with its points and periods."""
    state = web_state(request)
    body = state.constant.get("catalogue")
    if body is None:  # the catalogue never changes while the app runs
        body = bytes(JSONResponse(catalogue_out(state.catalogue)).body)
        state.constant["catalogue"] = body
    return Response(body, media_type="application/json")

"""The REST API under ``/api/v1``: one router module per resource."""

from fastapi import APIRouter

from corpcredit.web.api import catalogue, entities, lists, search

__all__ = ["API_PREFIX", "MODULES", "router"]

API_PREFIX = "/api/v1"

router = APIRouter(prefix=API_PREFIX)
#: The router modules, one per resource.
MODULES = (entities, search, lists, catalogue)
for _module in MODULES:
    router.include_router(_module.router)

"""Server-rendered pages (Chinese by default, English with ``?lang=en``): no JavaScript needed."""

from fastapi import APIRouter

from corpcredit.web.pages import entity, guide, home, lists

__all__ = ["MODULES", "router"]

router = APIRouter(include_in_schema=False)
#: The router modules, one per resource.
MODULES = (home, entity, lists, guide)
for _module in MODULES:
    router.include_router(_module.router)

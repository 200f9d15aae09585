"""Server-rendered pages (Chinese by default, English with ``?lang=en``): no JavaScript needed.

Every route declares who may use it (:mod:`corpcredit.web.auth`): the public
pages through their router here, the signed-in ones in their own signatures.
"""

from fastapi import APIRouter, Depends

from corpcredit.web.auth import PUBLIC
from corpcredit.web.pages import (
    account,
    cases,
    entity,
    guide,
    home,
    lists,
    screen,
    watchlist,
)

__all__ = ["MODULES", "PUBLIC_MODULES", "SIGNED_IN_MODULES", "router"]

router = APIRouter(include_in_schema=False)
#: The router modules whose every route is public.
PUBLIC_MODULES = (home, entity, lists, guide)
#: The router modules for signed-in people (each route declares its roles).
SIGNED_IN_MODULES = (account, cases, screen, watchlist)
#: The router modules, one per resource.
MODULES = (*PUBLIC_MODULES, *SIGNED_IN_MODULES)
for _module in PUBLIC_MODULES:
    router.include_router(_module.router, dependencies=[Depends(PUBLIC)])
for _module in SIGNED_IN_MODULES:
    router.include_router(_module.router)

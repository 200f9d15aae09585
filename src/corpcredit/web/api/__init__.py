"""The REST API under ``/api/v1``: one router module per resource.

Every route declares who may use it (:mod:`corpcredit.web.auth`): the public
resources through their router here, the others in their own signatures.
"""

from fastapi import APIRouter, Depends

from corpcredit.catalogue import Catalogue
from corpcredit.web.api import (
    catalogue,
    entities,
    events,
    lists,
    screen,
    search,
    watchlist,
    webhooks,
)
from corpcredit.web.auth import PUBLIC
from corpcredit.web.cache import Reader
from corpcredit.web.connection import KeptConnection

__all__ = [
    "API_PREFIX",
    "MODULES",
    "PUBLIC_MODULES",
    "SIGNED_IN_MODULES",
    "direct_readers",
    "router",
]

API_PREFIX = "/api/v1"

router = APIRouter(prefix=API_PREFIX)
#: The router modules whose every route is public.
PUBLIC_MODULES = (entities, search, lists, catalogue)
#: The router modules that need a token (each route declares its roles).
SIGNED_IN_MODULES = (screen, watchlist, events, webhooks)
#: The router modules, one per resource.
MODULES = (*PUBLIC_MODULES, *SIGNED_IN_MODULES)
for _module in PUBLIC_MODULES:
    router.include_router(_module.router, dependencies=[Depends(PUBLIC)])
for _module in SIGNED_IN_MODULES:
    router.include_router(_module.router)


def direct_readers(reads: KeptConnection, cat: Catalogue) -> dict[str, Reader]:
    """The public reads answered before routing, by path prefix (see
    :class:`~corpcredit.web.cache.KeptAnswers`): today's view of one organisation and
    a name search, the two a public registry is asked most, on the event loop's
    connection."""
    return {
        f"{API_PREFIX}/entities/": entities.today_reader(reads, cat),
        f"{API_PREFIX}/search": search.search_reader(reads),
    }

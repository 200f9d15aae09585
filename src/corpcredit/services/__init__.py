"""Services: the registry's use cases, each composing the core and the store in a transaction.

Rescoring and materialisation live here; ingestion (:mod:`corpcredit.ingest`) builds
on them.
"""

from corpcredit.services.materialise import ListChanges, list_basis
from corpcredit.services.rescore import (
    Progress,
    RescoreSummary,
    due_for_refresh,
    load_organisations,
    load_registry,
    refresh,
    rescore_all,
    rescore_organisations,
)

__all__ = [
    "ListChanges",
    "Progress",
    "RescoreSummary",
    "due_for_refresh",
    "list_basis",
    "load_organisations",
    "load_registry",
    "refresh",
    "rescore_all",
    "rescore_organisations",
]

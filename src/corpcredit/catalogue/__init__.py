"""The rule catalogue (DOMAIN.md §3–5): kinds, tiers, points, periods and list rules."""

from corpcredit.catalogue.loader import default_catalogue, load_catalogue, parse_catalogue
from corpcredit.catalogue.model import NEGATIVE_TIERS, TIER_NAMES, Catalogue, Kind

__all__ = [
    "NEGATIVE_TIERS",
    "TIER_NAMES",
    "Catalogue",
    "Kind",
    "default_catalogue",
    "load_catalogue",
    "parse_catalogue",
]

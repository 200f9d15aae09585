"""The organisation types the synthetic registry mixes, with their USCI type codes.

GB 32100-2015 positions 1-2: ``91`` enterprise, ``92`` individual business (a
natural person in law), ``93`` farmers' co-operative (market regulation); ``51``
social organisation, ``52`` private non-enterprise unit, ``53`` foundation (civil
affairs); ``12`` public institution (staffing office).
"""

from __future__ import annotations

__all__ = [
    "BODY_PREFIX",
    "COOP",
    "ENTERPRISE",
    "FOUNDATION",
    "INDIVIDUAL",
    "LEGAL_FORM",
    "PRIVATE_NON_ENTERPRISE",
    "PUBLIC",
    "ROOT_TYPE_WEIGHTS",
    "SOCIAL",
    "TYPE_CODES",
]

ENTERPRISE, INDIVIDUAL, COOP, SOCIAL, PRIVATE_NON_ENTERPRISE, FOUNDATION, PUBLIC = range(7)

TYPE_CODES = ("91", "92", "93", "51", "52", "53", "12")

# Legal form column per type; enterprises take theirs from the name's suffix.
LEGAL_FORM = (
    "",
    "个体工商户",
    "农民专业合作社",
    "社会团体",
    "民办非企业单位",
    "基金会",
    "事业单位",
)

# Modern organisation-code bodies begin with the issuing system's letters:
# MA market regulation, MJ civil affairs, MB staffing offices.
BODY_PREFIX = ("MA", "MA", "MA", "MJ", "MJ", "MJ", "MB")

# Mix of types among entities that are neither natural persons nor in a branch network.
ROOT_TYPE_WEIGHTS = {
    ENTERPRISE: 0.900,
    COOP: 0.030,
    SOCIAL: 0.018,
    PRIVATE_NON_ENTERPRISE: 0.022,
    FOUNDATION: 0.005,
    PUBLIC: 0.025,
}

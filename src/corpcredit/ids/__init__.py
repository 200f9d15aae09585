"""Identifiers: the USCI of organisations (GB 32100-2015, GB 11714-1997, GB/T 2260),
and a guard against PRC resident identity numbers (GB 11643-1999, ISO 7064 MOD 11-2),
which the registry must never store.

Pure Python and Polars; no web or SQL imports.
"""

from corpcredit.ids._tables import AUTHORITIES, ENTITY_TYPES, PROVINCE_CODES, Label
from corpcredit.ids.allowlist import Allowlist, AllowlistEntry, default_allowlist, load_allowlist
from corpcredit.ids.bulk import MISSING_CODE, normalize, validate_series
from corpcredit.ids.check import CheckError, CheckResult, check_usci
from corpcredit.ids.divisions import division_full_name, division_name, province_name
from corpcredit.ids.exceptions import (
    AllowlistError,
    UsciAuthorityError,
    UsciCharacterError,
    UsciCheckError,
    UsciChecksumError,
    UsciDivisionError,
    UsciEntityTypeError,
    UsciLengthError,
    UsciOrgCheckError,
    UsciProvinceError,
)
from corpcredit.ids.resident import (
    Match,
    contains_resident_id,
    find_resident_ids,
    resident_id_mask,
)
from corpcredit.ids.usci import UsciInfo, compact, format, is_valid, parse, validate

__all__ = [
    "AUTHORITIES",
    "ENTITY_TYPES",
    "MISSING_CODE",
    "PROVINCE_CODES",
    "Allowlist",
    "AllowlistEntry",
    "AllowlistError",
    "CheckError",
    "CheckResult",
    "Label",
    "Match",
    "UsciAuthorityError",
    "UsciCharacterError",
    "UsciCheckError",
    "UsciChecksumError",
    "UsciDivisionError",
    "UsciEntityTypeError",
    "UsciInfo",
    "UsciLengthError",
    "UsciOrgCheckError",
    "UsciProvinceError",
    "check_usci",
    "compact",
    "contains_resident_id",
    "default_allowlist",
    "division_full_name",
    "division_name",
    "find_resident_ids",
    "format",
    "is_valid",
    "load_allowlist",
    "normalize",
    "parse",
    "province_name",
    "resident_id_mask",
    "validate",
    "validate_series",
]

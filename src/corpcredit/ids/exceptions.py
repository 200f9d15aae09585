"""Typed errors of the identifier schemes, each with a stable code.

All derive from :class:`corpcredit.errors.InvalidIdentifier` (itself a
:class:`~corpcredit.errors.CorpCreditError`), so the web app and the CLI map them in
their one place. ``exc.details`` carries ``position`` (1-based), ``expected`` and
``found`` where they apply.
"""

from __future__ import annotations

from corpcredit.errors import CorpCreditError, InvalidIdentifier

__all__ = [
    "AllowlistError",
    "UsciAuthorityError",
    "UsciCharacterError",
    "UsciCheckError",
    "UsciChecksumError",
    "UsciDivisionError",
    "UsciEntityTypeError",
    "UsciLengthError",
    "UsciOrgCheckError",
    "UsciProvinceError",
]


class UsciLengthError(InvalidIdentifier):
    """Not 18 characters after normalisation."""

    code = "usci.length"


class UsciCharacterError(InvalidIdentifier):
    """A character outside the 31-symbol USCI alphabet."""

    code = "usci.character"


class UsciAuthorityError(InvalidIdentifier):
    """Position 1 is no registration authority of GB 32100."""

    code = "usci.authority"


class UsciEntityTypeError(InvalidIdentifier):
    """Position 2 is no entity type allowed for the authority at position 1."""

    code = "usci.entity_type"


class UsciDivisionError(InvalidIdentifier):
    """Positions 3-8 (the GB/T 2260 division code) are not all digits."""

    code = "usci.division"


class UsciProvinceError(InvalidIdentifier):
    """The division code does not start with a province-level code."""

    code = "usci.province"


class UsciChecksumError(InvalidIdentifier):
    """A check character is wrong; the only failures an allow-list may excuse."""

    code = "usci.checksum"


class UsciOrgCheckError(UsciChecksumError):
    """Position 17, the GB 11714 organisation-code check character, is wrong."""

    code = "usci.org_check"


class UsciCheckError(UsciChecksumError):
    """Position 18, the GB 32100 check character, is wrong."""

    code = "usci.check"


class AllowlistError(CorpCreditError):
    """The USCI allow-list file cannot be used; ``details`` names the file and entry."""

    code = "allowlist.invalid"
    http_status = 500

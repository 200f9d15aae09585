"""Normalisation and the rules of the USCI (GB 32100-2015, GB 11714-1997, GB/T 2260).

:func:`diagnose` lists every rule a compact code breaks, in a fixed order (length,
character, authority, entity type, division, province, organisation-code check,
check), as typed errors whose messages say what is wrong, where and what to do.
"""

from __future__ import annotations

import unicodedata

from corpcredit.errors import InvalidIdentifier
from corpcredit.ids._checksum import USCI_VALUES, org_check_character, usci_check_character
from corpcredit.ids._tables import (
    AUTHORITIES,
    ENTITY_TYPES,
    NATIONAL_DIVISION,
    PROVINCE_CODES,
    allowed_types,
)
from corpcredit.ids.exceptions import (
    UsciAuthorityError,
    UsciCharacterError,
    UsciCheckError,
    UsciDivisionError,
    UsciEntityTypeError,
    UsciLengthError,
    UsciOrgCheckError,
    UsciProvinceError,
)

__all__ = ["ASCII_DROPPED", "USCI_LENGTH", "compact", "diagnose", "show_character"]

USCI_LENGTH = 18
# Hyphen-like characters people put between groups; NFKC already folds U+FF0D and
# U+FE63 to "-", the others it leaves alone.
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")
# Letters left out of the alphabet because they look like digits.
_LOOKALIKES = {"O": "0", "I": "1", "Z": "2", "S": "5"}
_PROVINCE_RANGES = "11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82"


def _dropped(ch: str) -> bool:
    # Whitespace anywhere, hyphens, and format characters (category Cf: zero-width
    # space and joiners, word joiner, byte-order mark, soft hyphen, bidi marks).
    return ch.isspace() or ch in _HYPHENS or unicodedata.category(ch) == "Cf"


# What _dropped() removes from ASCII: its whitespace (\t \n \v \f \r \x1c-\x1f, space)
# and the hyphen-minus. The bulk path removes the same characters.
ASCII_DROPPED = "".join(c for c in map(chr, range(128)) if _dropped(c))
_ASCII_TABLE = str.maketrans("", "", ASCII_DROPPED)


def _compact_once(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in folded if not _dropped(ch)).upper()


def compact(value: str) -> str:
    """Normalise a USCI as typed: NFKC (full-width → ASCII), drop whitespace, hyphens
    and zero-width characters, upper-case. Does not validate.

    ASCII input needs one pass. A few non-ASCII letters change again under NFKC once
    upper-cased, so passes repeat until nothing changes: ``compact`` is idempotent.
    """
    if value.isascii():  # the common case, and exactly what the general path does on ASCII
        return value.translate(_ASCII_TABLE).upper()
    result = _compact_once(value)
    for _ in range(4):
        again = _compact_once(result)
        if again == result:
            break
        result = again
    return result


def show_character(ch: str) -> str:
    """A character quoted for a message; escaped when it is not printable."""
    shown = ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
    return f"'{shown}'"


def _character_error(code: str) -> UsciCharacterError | None:
    bad = [(pos, ch) for pos, ch in enumerate(code, start=1) if ch not in USCI_VALUES]
    if not bad:
        return None
    pos, ch = bad[0]
    hint = f"; did you mean '{_LOOKALIKES[ch]}'?" if ch in _LOOKALIKES else ""
    more = f" ({len(bad) - 1} more bad characters follow)" if len(bad) > 1 else ""
    return UsciCharacterError(
        f"character {show_character(ch)} at position {pos} is not in the USCI alphabet "
        f"(digits and capital letters except I, O, Z, S, V){hint}{more}",
        details={"position": pos, "found": ch, "count": len(bad)},
    )


def _type_errors(code: str) -> list[InvalidIdentifier]:
    authority, kind = code[0], code[1]
    if authority not in AUTHORITIES:
        return [
            UsciAuthorityError(
                f"{show_character(authority)} at position 1 is not a registration authority "
                "of GB 32100: use 1-9, A, N or Y",
                details={"position": 1, "expected": "1-9, A, N, Y", "found": authority},
            )
        ]
    if kind not in ENTITY_TYPES[authority]:
        label = AUTHORITIES[authority].en
        return [
            UsciEntityTypeError(
                f"entity type {show_character(kind)} at position 2 is not allowed for "
                f"registration authority '{authority}' ({label}): allowed are "
                f"{allowed_types(authority)}",
                details={
                    "position": 2,
                    "expected": list(ENTITY_TYPES[authority]),
                    "found": kind,
                },
            )
        ]
    return []


def _division_errors(code: str) -> list[InvalidIdentifier]:
    division = code[2:8]
    for pos, ch in enumerate(division, start=3):
        if not ch.isdigit():
            return [
                UsciDivisionError(
                    "positions 3-8 hold the administrative division code (GB/T 2260) and "
                    f"must be digits; found {show_character(ch)} at position {pos}",
                    details={"position": pos, "expected": "digit", "found": ch},
                )
            ]
    if division[:2] not in PROVINCE_CODES and division != NATIONAL_DIVISION:
        return [
            UsciProvinceError(
                f"division code {division} (positions 3-8) does not start with a "
                f"province-level code of GB/T 2260: '{division[:2]}' is not one of "
                f"{_PROVINCE_RANGES} (national-level codes use {NATIONAL_DIVISION})",
                details={"position": 3, "expected": _PROVINCE_RANGES, "found": division[:2]},
            )
        ]
    return []


def _check_errors(code: str) -> list[InvalidIdentifier]:
    errors: list[InvalidIdentifier] = []
    org_expected = org_check_character(code[8:16])
    if code[16] != org_expected:
        errors.append(
            UsciOrgCheckError(
                "the organisation-code check character at position 17 (GB 11714) should be "
                f"'{org_expected}' but is '{code[16]}': positions 9-17 were probably "
                "mistyped; compare them with the business licence",
                details={"position": 17, "expected": org_expected, "found": code[16]},
            )
        )
    expected = usci_check_character(code[:17])
    if code[17] != expected:
        errors.append(
            UsciCheckError(
                f"the check character at position 18 (GB 32100) should be '{expected}' but "
                f"is '{code[17]}': the code was probably mistyped; compare it with the "
                "business licence",
                details={"position": 18, "expected": expected, "found": code[17]},
            )
        )
    return errors


def diagnose(code: str) -> list[InvalidIdentifier]:
    """Every rule the compact ``code`` breaks, most fundamental first; empty when valid."""
    if len(code) != USCI_LENGTH:
        return [
            UsciLengthError(
                f"a USCI has {USCI_LENGTH} characters, this has {len(code)}: "
                "look for a missing or extra character",
                details={"expected": USCI_LENGTH, "found": len(code)},
            )
        ]
    bad_character = _character_error(code)
    if bad_character is not None:
        return [bad_character]
    return _type_errors(code) + _division_errors(code) + _check_errors(code)

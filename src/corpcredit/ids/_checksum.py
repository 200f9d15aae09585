"""Check-character arithmetic shared by the identifier schemes.

GB 32100-2015 (USCI, outer check over 17 characters, modulus 31) and GB 11714-1997
(organisation code, inner check over 8 characters, modulus 11), and ISO 7064
MOD 11-2 (PRC resident identity numbers, which ingestion must recognise to refuse).
"""

from __future__ import annotations

USCI_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCI_VALUES = {c: i for i, c in enumerate(USCI_ALPHABET)}
USCI_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ISO7064_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def _org_value(c: str) -> int:
    if c.isdigit():
        return ord(c) - 48
    return ord(c) - 55  # A=10 ... Z=35


def usci_check_character(first17: str) -> str:
    """The 18th character of a USCI whose first 17 characters are given."""
    total = sum(USCI_VALUES[c] * w for c, w in zip(first17, USCI_WEIGHTS, strict=True))
    return USCI_ALPHABET[(31 - total % 31) % 31]


def org_check_character(body8: str) -> str:
    """The 9th character of an organisation code (USCI positions 9-16 → 17)."""
    total = sum(_org_value(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def iso7064_mod11_2_check(first17: str) -> str:
    """Check character of an 18-digit resident identity number (ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, ISO7064_WEIGHTS, strict=True))
    c = (12 - total % 11) % 11
    return "X" if c == 10 else str(c)

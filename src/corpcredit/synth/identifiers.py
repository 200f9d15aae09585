"""Vectorised construction of valid, unique USCIs (GB 32100-2015) for synthetic entities.

Positions 1-2 are the authority and type codes, 3-8 a GB/T 2260 district code,
9-16 the organisation-code body, 17 its GB 11714 check and 18 the USCI check.
The arithmetic is that of :mod:`corpcredit.ids._checksum`, applied to whole numpy
arrays at once because a million identifiers one by one in Python would take
seconds; ``tests/synth`` checks the results against the scalar helpers.

Uniqueness is by construction: the body encodes the entity's row index through a
bijective affine map (``a * i + c mod m`` with ``a`` coprime to ``m``), so no two
rows share a body and the codes still look random.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from corpcredit.ids._checksum import ORG_WEIGHTS, USCI_ALPHABET, USCI_WEIGHTS

__all__ = ["build_uscis", "legacy_bodies", "modern_bodies"]

_ALPHABET = np.frombuffer(USCI_ALPHABET.encode("ascii"), dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_MODERN_SPACE = 31**6
_LEGACY_SPACE = 10**8


def _value_tables() -> tuple[np.ndarray, np.ndarray]:
    """Byte → value lookups: USCI alphabet index, and GB 11714 value (A=10 ... Z=35)."""
    usci = np.full(256, -1, dtype=np.int64)
    usci[_ALPHABET] = np.arange(31)
    org = np.full(256, -1, dtype=np.int64)
    org[_DIGITS] = np.arange(10)
    org[ord("A") : ord("Z") + 1] = np.arange(10, 36)
    return usci, org


_USCI_VALUE, _ORG_VALUE = _value_tables()


def _affine(
    index: np.ndarray, space: int, rng: np.random.Generator, coprime: tuple[int, ...]
) -> np.ndarray:
    """A seed-chosen bijection of ``range(space)`` applied to ``index``."""
    while True:
        a = int(rng.integers(space // 7, space - 1))
        if all(a % p for p in coprime):
            break
    c = int(rng.integers(0, space))
    return (index.astype(np.int64) * a + c) % space


def modern_bodies(index: np.ndarray, prefix: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bodies like ``MA27U5XK``: a two-letter prefix (rows of ``prefix``, uint8 pairs)
    and six base-31 characters of a permuted row index."""
    value = _affine(index, _MODERN_SPACE, rng, (31,))
    body = np.empty((len(index), 8), dtype=np.uint8)
    body[:, :2] = prefix
    for pos in range(7, 1, -1):
        body[:, pos] = _ALPHABET[value % 31]
        value //= 31
    return body


def legacy_bodies(index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Eight-digit bodies like the pre-2015 organisation codes (``71526726``)."""
    value = _affine(index, _LEGACY_SPACE, rng, (2, 5))
    body = np.empty((len(index), 8), dtype=np.uint8)
    for pos in range(7, -1, -1):
        body[:, pos] = _DIGITS[value % 10]
        value //= 10
    return body


def build_uscis(type_code: np.ndarray, division: np.ndarray, body: np.ndarray) -> pl.Series:
    """Assemble USCIs from ``type_code`` (uint8 pairs such as ``b"91"``), six-digit
    ``division`` integers and eight-character ``body`` rows, computing both checks."""
    n = len(division)
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :2] = type_code
    div = division.astype(np.int64)
    for pos in range(7, 1, -1):
        chars[:, pos] = _DIGITS[div % 10]
        div //= 10
    chars[:, 8:16] = body

    # GB 11714: digits are worth 0-9 and letters A=10 ... Z=35.
    c = 11 - (_ORG_VALUE[body] @ np.array(ORG_WEIGHTS, dtype=np.int64)) % 11
    chars[:, 16] = np.where(c == 10, ord("X"), np.where(c == 11, ord("0"), c + ord("0")))

    # GB 32100: values are alphabet indices, weights 3^(i-1) mod 31.
    total = _USCI_VALUE[chars[:, :17]] @ np.array(USCI_WEIGHTS, dtype=np.int64)
    chars[:, 17] = _ALPHABET[(31 - total % 31) % 31]
    return pl.Series("usci", np.ascontiguousarray(chars).view("S18").ravel()).cast(pl.String)

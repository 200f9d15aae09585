"""Errors of supplier screening, each with a stable code (see :mod:`corpcredit.errors`)."""

from __future__ import annotations

from corpcredit.errors import CorpCreditError, InputError

__all__ = [
    "IndexUnusable",
    "ScreeningError",
    "ScreeningInputError",
    "TooManyRows",
    "UnknownDecision",
]


class ScreeningError(CorpCreditError):
    """Root of the screening errors."""

    code = "screening.error"


class IndexUnusable(ScreeningError):
    """A saved candidate index that cannot be read; rebuild it (``--rebuild-index``)."""

    code = "screening.index_unusable"
    http_status = 500


class ScreeningInputError(InputError):
    """An input file or row list that cannot be screened (no ``name``/``usci`` column,
    too many rows, an unsupported file type)."""

    code = "screening.invalid_input"


class TooManyRows(ScreeningInputError):
    """More rows than one request may screen (the API: 1,000); split the list."""

    code = "screening.too_many_rows"
    http_status = 413


class UnknownDecision(ScreeningError):
    """A reviewer decision naming an organisation the registry does not hold."""

    code = "screening.unknown_entity"
    http_status = 404

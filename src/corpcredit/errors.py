"""One root error for the whole project, each with a stable code and an HTTP status.

Every error corpcredit raises derives from :class:`CorpCreditError`. The web app and
the CLI each map them in one place, so users see the same code and a sentence that
says what to do. Third-party exceptions are translated at the boundary with
``raise ... from exc``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "CatalogueError",
    "CorpCreditError",
    "InputError",
    "InvalidIdentifier",
    "NotFound",
    "RowError",
]


class CorpCreditError(Exception):
    """Root of every error the project raises."""

    code: str = "corpcredit.error"
    http_status: int = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}


class InvalidIdentifier(CorpCreditError):
    """An identifier (USCI) that is not valid; ``code`` says why (``usci.*``)."""

    code = "usci.invalid"
    http_status = 422


class CatalogueError(CorpCreditError):
    """A rule catalogue that cannot be used; ``details['path']`` names the key."""

    code = "catalogue.invalid"
    http_status = 422


class NotFound(CorpCreditError):
    code = "not_found"
    http_status = 404


@dataclass(frozen=True)
class RowError:
    """One problem with one field of one row of an input file."""

    file: str
    row: int
    column: str
    value: str
    code: str
    message: str

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return (
            f"{self.file}, row {self.row}, column {self.column!r} ({shown!r}): "
            f"{self.message} [{self.code}]"
        )


class InputError(CorpCreditError):
    """An input file that cannot be used as a whole; ``rows`` lists what is wrong."""

    code = "input.invalid"
    http_status = 422

    def __init__(self, message: str, rows: list[RowError] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.rows: list[RowError] = rows or []

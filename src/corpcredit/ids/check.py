"""A USCI check that never raises, for the ``ids check`` command and reports.

:func:`check_usci` gathers everything :mod:`corpcredit.ids.usci` knows about one
input: whether it is valid (GB 32100-2015 rules and the allow-list), its normalised
form, every rule it breaks (not only the first), warnings, and for a valid code the
authority, entity type and whether the holder is a natural person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corpcredit.errors import InvalidIdentifier
from corpcredit.ids._rules import compact, diagnose
from corpcredit.ids._tables import Label
from corpcredit.ids.allowlist import Allowlist
from corpcredit.ids.usci import parse

__all__ = ["CheckError", "CheckResult", "check_usci"]


@dataclass(frozen=True)
class CheckError:
    """One broken rule: its stable code and a sentence saying what to do."""

    code: str
    message: str


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one input; ``errors[0]`` is what ``validate`` raises."""

    input: str
    valid: bool
    normalized: str
    errors: tuple[CheckError, ...] = ()
    warnings: tuple[str, ...] = ()
    authority: Label | None = None
    entity_type: Label | None = None
    natural_person: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``corpcredit ids check --json`` (FORMATS.md)."""
        return {
            "input": self.input,
            "valid": self.valid,
            "normalized": self.normalized,
            "errors": [{"code": e.code, "message": e.message} for e in self.errors],
            "warnings": list(self.warnings),
            "authority": self.authority.to_dict() if self.authority else None,
            "entity_type": self.entity_type.to_dict() if self.entity_type else None,
            "natural_person": self.natural_person,
        }


def check_usci(value: str, *, allowlist: Allowlist | None = None) -> CheckResult:
    """Check one input; invalid inputs give ``valid=False`` and their errors."""
    normalized = compact(value)
    try:
        info = parse(value, allowlist=allowlist)
    except InvalidIdentifier:
        errors = tuple(CheckError(e.code, e.message) for e in diagnose(normalized))
        return CheckResult(input=value, valid=False, normalized=normalized, errors=errors)
    return CheckResult(
        input=value,
        valid=True,
        normalized=info.usci,
        warnings=info.warnings,
        authority=info.authority,
        entity_type=info.entity_type,
        natural_person=info.natural_person,
    )

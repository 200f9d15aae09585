"""Unified Social Credit Identifier (统一社会信用代码, GB 32100-2015).

The 18-character code of every organisation registered in the PRC, over the alphabet
``0123456789ABCDEFGHJKLMNPQRTUWXY``:

* position 1: registration authority; position 2: entity type (GB 32100 tables,
  as amended in 2016);
* positions 3-8: administrative division code (GB/T 2260);
* positions 9-17: organisation code (GB 11714-1997), 8 characters and a check
  character (modulus 11);
* position 18: check character (modulus 31).

The module has the shape of python-stdnum's modules: :func:`compact`,
:func:`validate`, :func:`is_valid`, :func:`format`, plus :func:`parse`. Unlike
``stdnum.cn.uscc`` it accepts the letter authorities (A, N, Y), checks the inner
organisation-code check character, the authority/type table and the province.

>>> validate("9111 0000 6000 3734 1L")
'91110000600037341L'
>>> format("91110000600037341L")
'91 110000 600037341 L'
"""

from __future__ import annotations

from dataclasses import dataclass

from corpcredit.errors import InvalidIdentifier
from corpcredit.ids._rules import USCI_LENGTH, compact, diagnose
from corpcredit.ids._tables import AUTHORITIES, ENTITY_TYPES, NATURAL_PERSON_TYPES, Label
from corpcredit.ids.allowlist import Allowlist, default_allowlist
from corpcredit.ids.divisions import division_full_name
from corpcredit.ids.exceptions import UsciChecksumError

__all__ = ["UsciInfo", "compact", "format", "is_valid", "parse", "validate"]


@dataclass(frozen=True)
class UsciInfo:
    """What a valid USCI says about its holder.

    ``entity_type.code`` is the single character at position 2; read it together
    with ``authority.code``. ``division_name`` is the full GB/T 2260 name
    (province, prefecture, county) or ``None`` when the bundled table lacks the code.
    ``organisation_code`` is positions 9-17 (the GB 11714 code with its check).
    """

    usci: str
    authority: Label
    entity_type: Label
    division_code: str
    division_name: str | None
    province_code: str
    organisation_code: str
    natural_person: bool
    warnings: tuple[str, ...] = ()


def _checked(value: str, allowlist: Allowlist | None) -> tuple[str, list[str]]:
    """The compact code and its warnings; raises the first rule it breaks."""
    code = compact(value)
    warnings: list[str] = []
    errors = diagnose(code)
    if errors:
        excusable = all(isinstance(e, UsciChecksumError) for e in errors)
        admitted = default_allowlist() if allowlist is None else allowlist
        entry = admitted.get(code) if excusable else None
        if entry is None:
            raise errors[0]
        failed = ", ".join(
            f"position {e.details['position']} should be '{e.details['expected']}'" for e in errors
        )
        warnings.append(
            f"{code} fails its check character ({failed}) but is admitted by the "
            f"allow-list as really issued (source: {entry.source})"
        )
    division = code[2:8]
    if division_full_name(division) is None:
        warnings.append(
            f"division code {division} is not in GB/T 2260 (the bundled table): it may be "
            "an abolished or mistyped division"
        )
    return code, warnings


def validate(value: str, *, allowlist: Allowlist | None = None) -> str:
    """The canonical compact form of a valid USCI.

    Raises a subclass of :class:`~corpcredit.errors.InvalidIdentifier` whose ``code``
    (``usci.length``, ``usci.character``, ``usci.authority``, ``usci.entity_type``,
    ``usci.division``, ``usci.province``, ``usci.org_check``, ``usci.check``) says which
    rule failed first and whose ``details`` hold ``position``, ``expected``, ``found``.
    A code on the allow-list (the packaged one when ``allowlist`` is None) that fails
    only check characters is admitted.
    """
    return _checked(value, allowlist)[0]


def is_valid(value: str, *, allowlist: Allowlist | None = None) -> bool:
    """Whether ``value`` is a valid USCI (after normalisation)."""
    try:
        _checked(value, allowlist)
    except InvalidIdentifier:
        return False
    return True


def format(value: str) -> str:
    """Group a USCI by meaning: registration (authority and type), division,
    organisation code, check character — ``91 110000 600037341 L``.

    The input is only compacted, not validated; a value that is not 18 characters
    long is returned compacted. :func:`compact` undoes the grouping.
    """
    code = compact(value)
    if len(code) != USCI_LENGTH:
        return code
    return " ".join((code[:2], code[2:8], code[8:17], code[17]))


def parse(value: str, *, allowlist: Allowlist | None = None) -> UsciInfo:
    """Validate ``value`` and say what it encodes; raises like :func:`validate`."""
    code, warnings = _checked(value, allowlist)
    authority = AUTHORITIES[code[0]]
    division = code[2:8]
    return UsciInfo(
        usci=code,
        authority=authority,
        entity_type=ENTITY_TYPES[code[0]][code[1]],
        division_code=division,
        division_name=division_full_name(division),
        province_code=division[:2],
        organisation_code=code[8:17],
        natural_person=code[:2] in NATURAL_PERSON_TYPES,
        warnings=tuple(warnings),
    )

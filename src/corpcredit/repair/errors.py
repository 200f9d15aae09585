"""Errors of the due-process workflow (DOMAIN.md §6), each with a stable code.

Repair errors carry ``repair.*`` codes, objection errors ``objection.*``; the
same classes serve both, the machine passing its own prefix. The web app and the
CLI map them like every :class:`~corpcredit.errors.CorpCreditError`.
"""

from __future__ import annotations

from corpcredit.errors import CorpCreditError

__all__ = [
    "CaseError",
    "DeadlinePassed",
    "ExtensionUsed",
    "ForbiddenAction",
    "IllegalTransition",
    "InvalidCaseInput",
    "NotInForce",
    "NotRepairable",
    "NotYetEligible",
]


class CaseError(CorpCreditError):
    """Root of the errors of repair and objection cases."""

    code = "case.error"
    http_status = 409


class IllegalTransition(CaseError):
    """An action the case's state does not allow (e.g. approving a withdrawn case)."""

    code = "repair.illegal_transition"
    http_status = 409


class ForbiddenAction(CaseError):
    """An action the actor's role (or organisation) may not take on this case."""

    code = "repair.forbidden"
    http_status = 403


class InvalidCaseInput(CaseError):
    """A missing reason, a date before the case's last step, a malformed field."""

    code = "repair.invalid_input"
    http_status = 422


class ExtensionUsed(CaseError):
    """The decision deadline was already extended once."""

    code = "repair.extension_used"
    http_status = 409


class DeadlinePassed(CaseError):
    """An extension asked for after the deadline it would extend."""

    code = "repair.deadline_passed"
    http_status = 409


class NotRepairable(CaseError):
    """The record's kind cannot be repaired, or the record is not a negative one."""

    code = "repair.not_repairable"
    http_status = 422


class NotInForce(CaseError):
    """The record is not in force (not yet decided, expired, lifted, repaired, withdrawn)."""

    code = "repair.not_in_force"
    http_status = 409


class NotYetEligible(CaseError):
    """The record's earliest repair date has not come; ``details`` names it."""

    code = "repair.not_yet_eligible"
    http_status = 409

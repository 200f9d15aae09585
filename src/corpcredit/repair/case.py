"""What repair and objection cases share: actors, record references, case events.

A case event is what one transition appends to the case's history and to the
audit chain (actor, action, reason, date), and, for the transitions that change
a record's effect, the record event the store must add (``repaired``,
``revoked_repair`` or ``withdrawn``, effective on the transition's date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from corpcredit.repair.errors import ForbiddenAction, InvalidCaseInput

__all__ = [
    "ROLES",
    "Actor",
    "CaseEvent",
    "RecordEvent",
    "RecordRef",
    "Role",
    "check_reason",
    "check_role",
]

Role = Literal["representative", "reviewer"]
ROLES: tuple[Role, ...] = ("representative", "reviewer")
RecordEvent = Literal["repaired", "revoked_repair", "withdrawn"]

_MAX_REASON = 4000


@dataclass(frozen=True)
class Actor:
    """Who acts: an account id and role; a representative is bound to one USCI."""

    id: str
    role: Role
    usci: str | None = None

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise InvalidCaseInput("an actor needs an id", code="case.invalid_actor")
        if self.role not in ROLES:
            raise InvalidCaseInput(f"unknown role {self.role!r}", code="case.invalid_actor")
        if self.role == "representative" and not self.usci:
            raise InvalidCaseInput(
                "a representative acts for one organisation: give its USCI",
                code="case.invalid_actor",
            )

    @property
    def name(self) -> str:
        """``role:id``, as the audit chain names actors."""
        return f"{self.role}:{self.id}"


@dataclass(frozen=True)
class RecordRef:
    """A record by its feed key."""

    source: str
    record_id: str

    def __str__(self) -> str:
        return f"{self.source}/{self.record_id}"


@dataclass(frozen=True)
class CaseEvent:
    """One transition of one case: the history line and the audit-chain entry."""

    case_type: Literal["repair", "objection"]
    case_id: str
    usci: str
    record: RecordRef
    action: str
    actor: Actor
    on: date
    from_state: str | None
    to_state: str
    reason: str = ""
    record_event: RecordEvent | None = None
    details: tuple[tuple[str, str], ...] = ()

    @property
    def audit_action(self) -> str:
        """``repair.approve``, ``objection.dismiss``, ..."""
        return f"{self.case_type}.{self.action}"

    def audit_payload(self) -> dict[str, Any]:
        """The payload of the audit entry: everything but the actor (named beside it)."""
        return {
            "usci": self.usci,
            "record": {"source": self.record.source, "record_id": self.record.record_id},
            "from": self.from_state,
            "to": self.to_state,
            "on": self.on.isoformat(),
            "reason": self.reason,
            "record_event": self.record_event,
            **({"details": dict(self.details)} if self.details else {}),
        }


def check_reason(reason: str, required: bool, prefix: str, action: str) -> str:
    """The reason, trimmed; refused when required and empty, or absurdly long."""
    text = reason.strip()
    if required and not text:
        raise InvalidCaseInput(
            f"{action} needs a reason the organisation will be shown",
            code=f"{prefix}.reason_required",
        )
    if len(text) > _MAX_REASON:
        raise InvalidCaseInput(
            f"a reason may have at most {_MAX_REASON} characters", code=f"{prefix}.invalid_input"
        )
    return text


def check_role(actor: Actor, allowed: frozenset[Role], usci: str, prefix: str, action: str) -> None:
    """Refuse an actor whose role may not ``action``, or a representative of another USCI."""
    if actor.role not in allowed:
        raise ForbiddenAction(
            f"a {actor.role} may not {action} a case", code=f"{prefix}.forbidden", http_status=403
        )
    if actor.role == "representative" and actor.usci != usci:
        raise ForbiddenAction(
            "a representative may act only on its own organisation's cases",
            code=f"{prefix}.forbidden",
        )

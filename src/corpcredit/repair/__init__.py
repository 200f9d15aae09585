"""Due process (DOMAIN.md §6): credit repair and objections, pure.

NDRC Order 36 (national credit-repair measures, in force 2026-04-01) and SAMR
Order 107 (market-regulation credit repair, in force 2025-12-25) set the rules
this package implements:

- :mod:`.machine` — the repair state machine and its working-day deadlines;
- :mod:`.objection` — the objection state machine;
- :mod:`.eligibility` — whether a record may be repaired now, and from when;
- :mod:`.commitment` — the bilingual credit commitment letter and its hash;
- :mod:`.evidence` — checks on an evidence upload (size, type by content, name);
- :mod:`.planner` — the outcome of repairing each record, computed by the kernel.

Nothing here touches the store or the web; :mod:`corpcredit.cases` does.
"""

from corpcredit.repair.case import ROLES, Actor, CaseEvent, RecordRef, Role
from corpcredit.repair.commitment import (
    TEMPLATE_VERSION,
    CommitmentLetter,
    RecordSummary,
    commitment_sha256,
    render_commitment,
)
from corpcredit.repair.eligibility import (
    ELIGIBLE,
    Eligibility,
    RecordFacts,
    earliest_repair_date,
    eligibility,
)
from corpcredit.repair.errors import (
    CaseError,
    DeadlinePassed,
    ExtensionUsed,
    ForbiddenAction,
    IllegalTransition,
    InvalidCaseInput,
    NotInForce,
    NotRepairable,
    NotYetEligible,
)
from corpcredit.repair.evidence import (
    MAX_EVIDENCE_BYTES,
    CheckedEvidence,
    EvidenceRejected,
    check_evidence,
    sniff_media_type,
)
from corpcredit.repair.machine import (
    DECISION_DAYS,
    EXTENSION_DAYS,
    INTAKE_DAYS,
    OPEN_STATES,
    TERMINAL_STATES,
    RepairAction,
    RepairCase,
    RepairState,
    allowed_actions,
    submit,
    transition,
)
from corpcredit.repair.objection import (
    TERMINAL_OBJECTION_STATES,
    Objection,
    ObjectionAction,
    ObjectionState,
    decide,
    file_objection,
)
from corpcredit.repair.planner import Outcome, PlanItem, RepairPlan, plan_repairs, repaired_event

__all__ = [
    "DECISION_DAYS",
    "ELIGIBLE",
    "EXTENSION_DAYS",
    "INTAKE_DAYS",
    "MAX_EVIDENCE_BYTES",
    "OPEN_STATES",
    "ROLES",
    "TEMPLATE_VERSION",
    "TERMINAL_OBJECTION_STATES",
    "TERMINAL_STATES",
    "Actor",
    "CaseError",
    "CaseEvent",
    "CheckedEvidence",
    "CommitmentLetter",
    "DeadlinePassed",
    "Eligibility",
    "EvidenceRejected",
    "ExtensionUsed",
    "ForbiddenAction",
    "IllegalTransition",
    "InvalidCaseInput",
    "NotInForce",
    "NotRepairable",
    "NotYetEligible",
    "Objection",
    "ObjectionAction",
    "ObjectionState",
    "Outcome",
    "PlanItem",
    "RecordFacts",
    "RecordRef",
    "RecordSummary",
    "RepairAction",
    "RepairCase",
    "RepairPlan",
    "RepairState",
    "Role",
    "allowed_actions",
    "check_evidence",
    "commitment_sha256",
    "decide",
    "earliest_repair_date",
    "eligibility",
    "file_objection",
    "plan_repairs",
    "render_commitment",
    "repaired_event",
    "sniff_media_type",
    "submit",
    "transition",
]

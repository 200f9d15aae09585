"""Due-process cases in the store: repair applications, objections, evidence, the desk.

Each service composes the pure core (:mod:`corpcredit.repair`) with the store in
one write transaction: the case row, its history line, the audit-chain entry and
any record event commit together, and the organisation is rescored before the
commit when a record's effect changes. Tables: :mod:`corpcredit.store.schema_cases`.
"""

from corpcredit.cases.accounts import (
    Account,
    ApiToken,
    AuthError,
    authenticate,
    authenticate_token,
    create_account,
    create_token,
    disable_account,
    list_accounts,
    revoke_token,
)
from corpcredit.cases.desk import (
    DeskItem,
    HistoryLine,
    case_history,
    open_cases,
    organisation_cases,
)
from corpcredit.cases.evidence import (
    EvidenceFile,
    Upload,
    add_evidence,
    check_uploads,
    evidence_of,
    evidence_path,
    store_evidence,
)
from corpcredit.cases.objections import (
    decide_objection,
    disputed_records,
    file_objection,
    get_objection,
)
from corpcredit.cases.records import CaseRecord, load_case_record
from corpcredit.cases.repairs import (
    act_on_repair,
    apply_for_repair,
    commitment_letter,
    get_repair_case,
    repair_eligibility,
)
from corpcredit.cases.repository import CaseConflict, new_case_id

__all__ = [
    "Account",
    "ApiToken",
    "AuthError",
    "CaseConflict",
    "CaseRecord",
    "DeskItem",
    "EvidenceFile",
    "HistoryLine",
    "Upload",
    "act_on_repair",
    "add_evidence",
    "apply_for_repair",
    "authenticate",
    "authenticate_token",
    "case_history",
    "check_uploads",
    "commitment_letter",
    "create_account",
    "create_token",
    "decide_objection",
    "disable_account",
    "disputed_records",
    "evidence_of",
    "evidence_path",
    "file_objection",
    "get_objection",
    "get_repair_case",
    "list_accounts",
    "load_case_record",
    "new_case_id",
    "open_cases",
    "organisation_cases",
    "repair_eligibility",
    "revoke_token",
    "store_evidence",
]

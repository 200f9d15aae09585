"""Due process on the site (DOMAIN.md §6): objections, credit repair, the reviewer desk.

A representative objects to a record or applies to repair one from its own page
(``/account``), follows its cases and, on ``/account/planner``, sees for every
negative record the earliest repair date and the outcome of repairing it. A
reviewer works from ``/desk``: open cases by due date, overdue ones flagged; on a
case page the actions the state machine allows are offered as buttons, each with
a reason. Every form carries the session's CSRF token; every step is one write
transaction with its audit-chain entry (the services in :mod:`corpcredit.cases`).

Evidence files are served only to the organisation's representative and to
reviewers, as attachments, never cached.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from corpcredit.cases.desk import case_history, open_cases
from corpcredit.cases.evidence import Upload, evidence_of, evidence_path
from corpcredit.cases.objections import decide_objection, file_objection, get_objection
from corpcredit.cases.records import load_case_record
from corpcredit.cases.repairs import (
    act_on_repair,
    apply_for_repair,
    commitment_letter,
    commitment_of,
    get_repair_case,
    repair_eligibility,
    repair_plan,
)
from corpcredit.errors import CorpCreditError, NotFound
from corpcredit.repair.case import RecordRef
from corpcredit.repair.evidence import MAX_EVIDENCE_BYTES
from corpcredit.repair.machine import RepairAction, allowed_actions
from corpcredit.repair.objection import ObjectionAction
from corpcredit.web.auth import (
    CASEWORKER,
    REPRESENTATIVE,
    REVIEWER,
    Principal,
    check_csrf,
    require_own,
)
from corpcredit.web.pages.render import render
from corpcredit.web.state import web_state

__all__ = ["router"]

router = APIRouter()
_NO_STORE = {"Cache-Control": "private, no-store"}
#: At most this many evidence files in one application.
MAX_FILES = 10


async def _uploads(files: list[UploadFile]) -> list[Upload]:
    """The files of a form, read with a bound: an oversized one is refused by the checks."""
    uploads = []
    for f in files:
        if not f.filename:
            continue  # an empty file input
        content = await f.read(MAX_EVIDENCE_BYTES + 1)
        uploads.append(Upload(f.filename, content, f.content_type))
    if len(uploads) > MAX_FILES:
        raise CorpCreditError(
            f"at most {MAX_FILES} evidence files per application",
            code="evidence.too_many",
            http_status=413,
        )
    return uploads


def _record(source: str, record_id: str) -> RecordRef:
    if not source or not record_id or len(source) > 200 or len(record_id) > 200:
        raise CorpCreditError(
            "name the record by its source and record_id", code="record.invalid", http_status=422
        )
    return RecordRef(source, record_id)


def _own_record(request: Request, who: Principal, ref: RecordRef) -> None:
    state = web_state(request)
    with state.engine.connect() as conn:
        usci = load_case_record(conn, ref, state.catalogue).usci
    require_own(who, usci)


# -- the representative ------------------------------------------------------------------


@router.get("/account/planner", response_class=HTMLResponse)
def planner_page(request: Request, who: Annotated[Principal, Depends(REPRESENTATIVE)]) -> Response:
    state = web_state(request)
    assert who.usci is not None
    with state.engine.connect() as conn:
        plan = repair_plan(conn, who.usci, state.catalogue, web_state(request).clock())
    return render(
        request, "planner.html", {"plan": plan, "cat": state.catalogue}, headers=_NO_STORE
    )


@router.get("/cases/repair/new", response_class=HTMLResponse)
def repair_form(
    request: Request,
    who: Annotated[Principal, Depends(REPRESENTATIVE)],
    source: str = "",
    record_id: str = "",
) -> Response:
    ref = _record(source, record_id)
    _own_record(request, who, ref)
    state = web_state(request)
    on = web_state(request).clock()
    with state.engine.connect() as conn:
        answer = repair_eligibility(conn, ref, state.catalogue, on)
        letter = commitment_letter(conn, ref, state.catalogue, on) if answer.eligible else None
        record = load_case_record(conn, ref, state.catalogue)
    return render(
        request,
        "repair_new.html",
        {
            "who": who, "ref": ref, "record": record, "answer": answer, "letter": letter,
            "max_mb": MAX_EVIDENCE_BYTES // (1024 * 1024), "max_files": MAX_FILES,
        },
        headers=_NO_STORE,
    )  # fmt: skip


@router.post("/cases/repair/new")
async def repair_apply(
    request: Request,
    who: Annotated[Principal, Depends(REPRESENTATIVE)],
    source: Annotated[str, Form(max_length=200)],
    record_id: Annotated[str, Form(max_length=200)],
    commitment_sha256: Annotated[str, Form(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
    evidence: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    check_csrf(request, who, csrf_token)
    if confirm != "yes":
        raise CorpCreditError(
            "confirm the credit commitment letter to apply",
            code="repair.commitment_unconfirmed",
            http_status=422,
        )
    ref = _record(source, record_id)
    uploads = await _uploads(evidence or [])
    state = web_state(request)
    case = apply_for_repair(
        state.engine, who.actor(), ref, commitment_sha256, state.clock(), state.catalogue,
        evidence=uploads, evidence_dir=state.settings.evidence_dir, cal=state.calendar,
    )  # fmt: skip
    return RedirectResponse(f"/cases/repair/{case.case_id}", status_code=303)


@router.get("/cases/objection/new", response_class=HTMLResponse)
def objection_form(
    request: Request,
    who: Annotated[Principal, Depends(REPRESENTATIVE)],
    source: str = "",
    record_id: str = "",
) -> Response:
    ref = _record(source, record_id)
    _own_record(request, who, ref)
    state = web_state(request)
    with state.engine.connect() as conn:
        record = load_case_record(conn, ref, state.catalogue)
    return render(
        request,
        "objection_new.html",
        {"who": who, "ref": ref, "record": record,
         "max_mb": MAX_EVIDENCE_BYTES // (1024 * 1024), "max_files": MAX_FILES},
        headers=_NO_STORE,
    )  # fmt: skip


@router.post("/cases/objection/new")
async def objection_file(
    request: Request,
    who: Annotated[Principal, Depends(REPRESENTATIVE)],
    source: Annotated[str, Form(max_length=200)],
    record_id: Annotated[str, Form(max_length=200)],
    statement: Annotated[str, Form(max_length=20_000)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    evidence: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    check_csrf(request, who, csrf_token)
    ref = _record(source, record_id)
    uploads = await _uploads(evidence or [])
    state = web_state(request)
    case = file_objection(
        state.engine, who.actor(), ref, statement, state.clock(), state.catalogue,
        evidence=uploads, evidence_dir=state.settings.evidence_dir,
    )  # fmt: skip
    return RedirectResponse(f"/cases/objection/{case.case_id}", status_code=303)


# -- both sides of a case -------------------------------------------------------------------


@router.get("/cases/{case_type}/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    who: Annotated[Principal, Depends(CASEWORKER)],
    case_type: str,
    case_id: str,
) -> Response:
    state = web_state(request)
    with state.engine.connect() as conn:
        if case_type == "repair":
            case = get_repair_case(conn, case_id)
            require_own(who, case.usci)
            actions = [a.value for a in allowed_actions(case, who.actor().role)]
            text = commitment_of(conn, case_id)
        elif case_type == "objection":
            case = get_objection(conn, case_id)  # type: ignore[assignment]
            require_own(who, case.usci)
            open_ = case.is_open
            actions = [a.value for a in ObjectionAction] if open_ and who.role == "reviewer" else []
            text = None
        else:
            raise NotFound(f"no such case type {case_type!r}", code="not_found")
        record = load_case_record(conn, case.record, state.catalogue)
        history = case_history(conn, case_type, case_id)
        files = evidence_of(conn, case_type, case_id)  # type: ignore[arg-type]
    return render(
        request,
        "case.html",
        {"who": who, "case_type": case_type, "case": case, "record": record, "letter": text,
         "history": history, "files": files, "actions": actions},
        headers=_NO_STORE,
    )  # fmt: skip


@router.post("/cases/repair/{case_id}/act")
def repair_act(
    request: Request,
    who: Annotated[Principal, Depends(CASEWORKER)],
    case_id: str,
    action: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_csrf(request, who, csrf_token)
    state = web_state(request)
    with state.engine.connect() as conn:
        require_own(who, get_repair_case(conn, case_id).usci)
    try:
        chosen = RepairAction(action)
    except ValueError as exc:
        raise CorpCreditError(
            f"unknown action {action!r}", code="repair.invalid_action", http_status=422
        ) from exc
    on = state.clock()
    act_on_repair(
        state.engine, case_id, chosen, who.actor(), on, state.catalogue, reason, cal=state.calendar
    )
    return RedirectResponse(f"/cases/repair/{case_id}", status_code=303)


@router.post("/cases/objection/{case_id}/decide")
def objection_decide(
    request: Request,
    who: Annotated[Principal, Depends(REVIEWER)],
    case_id: str,
    action: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_csrf(request, who, csrf_token)
    try:
        chosen = ObjectionAction(action)
    except ValueError as exc:
        raise CorpCreditError(
            f"unknown action {action!r}", code="objection.invalid_action", http_status=422
        ) from exc
    state = web_state(request)
    on = state.clock()
    decide_objection(state.engine, case_id, chosen, who.actor(), on, reason, state.catalogue)
    return RedirectResponse(f"/cases/objection/{case_id}", status_code=303)


@router.get("/evidence/{evidence_id}")
def evidence_download(
    request: Request, who: Annotated[Principal, Depends(CASEWORKER)], evidence_id: int
) -> Response:
    state = web_state(request)
    with state.engine.connect() as conn:
        meta, path = evidence_path(conn, state.settings.evidence_dir, evidence_id)
        if meta.case_type == "repair":
            usci = get_repair_case(conn, meta.case_id).usci
        else:
            usci = get_objection(conn, meta.case_id).usci
    require_own(who, usci)
    return FileResponse(
        path,
        media_type=meta.media_type,
        filename=meta.file_name,
        headers={**_NO_STORE, "X-Content-Type-Options": "nosniff"},
    )


# -- the reviewer -------------------------------------------------------------------------------


@router.get("/desk", response_class=HTMLResponse)
def desk_page(request: Request, who: Annotated[Principal, Depends(REVIEWER)]) -> Response:
    state = web_state(request)
    with state.engine.connect() as conn:
        items = open_cases(conn, state.clock(), state.calendar)
    overdue = sum(1 for i in items if i.overdue)
    return render(
        request, "desk.html", {"who": who, "items": items, "overdue": overdue}, headers=_NO_STORE
    )

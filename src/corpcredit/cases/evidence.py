"""Keeping evidence files: on disk under the evidence directory, metadata in the store.

The directory is ``Settings.evidence_dir`` (by default ``var/evidence``), outside
any served directory; files are written with owner-only permissions under
``<case type>/<case id>/<sha256><ext>``, names the registry builds itself (see
:func:`corpcredit.repair.evidence.check_evidence`). A resolved path that would
leave the directory is refused all the same. Evidence is never public.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from corpcredit import audit
from corpcredit.cases.repository import OBJECT_TYPES, load_objection, load_repair_case
from corpcredit.errors import CorpCreditError, NotFound
from corpcredit.repair.case import Actor, check_role
from corpcredit.repair.errors import IllegalTransition
from corpcredit.repair.evidence import MAX_EVIDENCE_BYTES, CheckedEvidence, check_evidence
from corpcredit.store import begin_write
from corpcredit.store.schema_cases import case_evidence

__all__ = [
    "EvidenceFile",
    "Upload",
    "add_evidence",
    "check_uploads",
    "evidence_of",
    "evidence_path",
    "store_evidence",
]

CaseType = Literal["repair", "objection"]


@dataclass(frozen=True)
class Upload:
    """A file as a client sent it: its name, bytes and declared media type (if any)."""

    file_name: str
    content: bytes
    declared_type: str | None = None


@dataclass(frozen=True)
class EvidenceFile:
    """Stored metadata of one evidence file (``storage_path`` is relative)."""

    id: int
    case_type: str
    case_id: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    storage_path: str
    uploaded_at: datetime
    uploaded_by: str


def check_uploads(
    uploads: Sequence[Upload], max_bytes: int = MAX_EVIDENCE_BYTES
) -> list[tuple[Upload, CheckedEvidence]]:
    """Check every upload before anything is written (the first bad one raises)."""
    return [
        (
            u,
            check_evidence(
                u.file_name, u.content, declared_type=u.declared_type, max_bytes=max_bytes
            ),
        )
        for u in uploads
    ]


def _inside(root: Path, relative: str) -> Path:
    base = root.resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base):
        raise CorpCreditError(
            "an evidence path would leave the evidence directory",
            code="evidence.bad_path",
            http_status=500,
        )
    return path


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store_evidence(
    conn: Connection,
    root: Path,
    case_type: CaseType,
    case_id: str,
    checked: Sequence[tuple[Upload, CheckedEvidence]],
    uploaded_by: str,
    at: datetime,
) -> list[CheckedEvidence]:
    """Write checked files and their metadata; a file already on the case is skipped."""
    stored = []
    for upload, ev in checked:
        exists = conn.execute(
            sa.select(case_evidence.c.id).where(
                case_evidence.c.case_type == case_type,
                case_evidence.c.case_id == case_id,
                case_evidence.c.sha256 == ev.sha256,
            )
        ).first()
        if exists is not None:
            continue
        relative = f"{case_type}/{case_id}/{ev.storage_name}"
        _write(_inside(root, relative), upload.content)
        conn.execute(
            case_evidence.insert().values(
                case_type=case_type,
                case_id=case_id,
                file_name=ev.file_name,
                media_type=ev.media_type,
                size=ev.size,
                sha256=ev.sha256,
                storage_path=relative,
                uploaded_at=at,
                uploaded_by=uploaded_by,
            )
        )
        stored.append(ev)
    return stored


def evidence_of(conn: Connection, case_type: CaseType, case_id: str) -> list[EvidenceFile]:
    """The evidence files of a case, oldest first."""
    rows = conn.execute(
        sa.select(case_evidence)
        .where(case_evidence.c.case_type == case_type, case_evidence.c.case_id == case_id)
        .order_by(case_evidence.c.id)
    ).mappings()
    return [EvidenceFile(**dict(r)) for r in rows]


def evidence_path(conn: Connection, root: Path, evidence_id: int) -> tuple[EvidenceFile, Path]:
    """An evidence file's metadata and absolute path, for a reviewer's download."""
    row = conn.execute(sa.select(case_evidence).where(case_evidence.c.id == evidence_id)).first()
    if row is None:
        raise NotFound(f"no evidence file {evidence_id}", code="evidence.not_found")
    meta = EvidenceFile(**dict(row._mapping))
    return meta, _inside(root, meta.storage_path)


def add_evidence(
    engine: Engine,
    actor: Actor,
    case_type: CaseType,
    case_id: str,
    uploads: Sequence[Upload],
    evidence_dir: Path,
    *,
    max_bytes: int = MAX_EVIDENCE_BYTES,
    at: datetime | None = None,
) -> list[CheckedEvidence]:
    """The applicant adds evidence to its own open case; each file is on the audit chain
    by its hash, size and type (never its name or content)."""
    checked = check_uploads(uploads, max_bytes)
    at = at or datetime.now(UTC)
    with begin_write(engine) as conn:
        case = (
            load_repair_case(conn, case_id)
            if case_type == "repair"
            else load_objection(conn, case_id)
        )
        check_role(actor, frozenset({"representative"}), case.usci, case_type, "add evidence to")
        if not case.is_open:
            raise IllegalTransition(
                f"the case is {case.state.value}: evidence can be added only while it is open",
                code=f"{case_type}.illegal_transition",
            )
        stored = store_evidence(conn, evidence_dir, case_type, case_id, checked, actor.id, at)
        for ev in stored:
            audit.append(
                conn, actor.name, f"{case_type}.evidence_added", OBJECT_TYPES[case_type], case_id,
                {"sha256": ev.sha256, "size": ev.size, "media_type": ev.media_type}, at=at,
            )  # fmt: skip
    return stored

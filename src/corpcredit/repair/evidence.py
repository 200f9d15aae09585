"""Checks on an evidence file before it is kept (pure: bytes in, metadata out).

Evidence of a repair application or an objection (a payment receipt, a
rectification report, a filed annual report) is never public (DOMAIN.md §7).
Before anything is written:

- its size must be within the limit (and not empty);
- its type is decided by its **content** (magic bytes: PDF, PNG, JPEG), and the
  file name's extension must agree with it; a declared media type, when the
  client sent one, must agree too;
- its name is a plain file name: a path (``/``, ``\\``), a leading dot (so
  ``..``), a drive letter or a control character is refused, never cleaned up, so nothing a client
  sends can steer where the file goes;
- the name it is stored under is built from its SHA-256 and its type alone.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from corpcredit.errors import CorpCreditError

__all__ = [
    "MAX_EVIDENCE_BYTES",
    "MEDIA_TYPES",
    "CheckedEvidence",
    "EvidenceRejected",
    "check_evidence",
    "sniff_media_type",
]

#: Default size limit per file: 10 MiB.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
_MAX_NAME = 200

#: Allowed media types: their magic bytes, the extensions they may carry, and the
#: extension of the stored file.
MEDIA_TYPES: dict[str, tuple[bytes, tuple[str, ...], str]] = {
    "application/pdf": (b"%PDF-", (".pdf",), ".pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",), ".png"),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg"), ".jpg"),
}


class EvidenceRejected(CorpCreditError):
    """An upload refused before it was stored; ``code`` says why (``evidence.*``)."""

    code = "evidence.rejected"
    http_status = 422


@dataclass(frozen=True)
class CheckedEvidence:
    """An accepted file's metadata: ``storage_name`` is ``<sha256><ext>``."""

    file_name: str
    media_type: str
    size: int
    sha256: str
    storage_name: str


def sniff_media_type(content: bytes) -> str | None:
    """The allowed media type ``content`` starts like, or None."""
    for media_type, (magic, _exts, _stored) in MEDIA_TYPES.items():
        if content.startswith(magic):
            return media_type
    return None


def _check_name(file_name: str) -> str:
    name = unicodedata.normalize("NFC", file_name)
    problem = None
    if not name.strip():
        problem = "the file has no name"
    elif "/" in name or "\\" in name or (len(name) > 1 and name[1] == ":"):
        problem = "the file name contains a path; send the file itself, named like receipt.pdf"
    elif any(unicodedata.category(c)[0] == "C" for c in name):
        problem = "the file name contains control characters"
    elif len(name) > _MAX_NAME:
        problem = f"the file name is longer than {_MAX_NAME} characters"
    elif name.startswith("."):  # also "." and ".."
        problem = "the file name starts with a dot"
    if problem:
        raise EvidenceRejected(problem, code="evidence.bad_name", details={"file_name": file_name})
    return name


def check_evidence(
    file_name: str,
    content: bytes,
    *,
    declared_type: str | None = None,
    max_bytes: int = MAX_EVIDENCE_BYTES,
) -> CheckedEvidence:
    """Accept ``content`` uploaded as ``file_name``, or raise :class:`EvidenceRejected`."""
    name = _check_name(file_name)
    size = len(content)
    if size > max_bytes:
        raise EvidenceRejected(
            f"the file is {size:,} bytes; the limit is {max_bytes:,} bytes",
            code="evidence.too_large",
            http_status=413,
            details={"file_name": name, "size": size, "limit": max_bytes},
        )
    if size == 0:
        raise EvidenceRejected(
            "the file is empty", code="evidence.empty", details={"file_name": name}
        )
    media_type = sniff_media_type(content)
    if media_type is None:
        raise EvidenceRejected(
            "the file is not a PDF, PNG or JPEG document (checked by its content)",
            code="evidence.type_not_allowed",
            http_status=415,
            details={"file_name": name},
        )
    _magic, extensions, stored_ext = MEDIA_TYPES[media_type]
    ext = name[name.rfind(".") :].lower() if "." in name else ""
    if ext not in extensions:
        raise EvidenceRejected(
            f"the file's content is {media_type} but its name ends in {ext or 'no extension'!r}: "
            f"name it {' or '.join(extensions)}",
            code="evidence.type_mismatch",
            http_status=415,
            details={"file_name": name, "content_type": media_type},
        )
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared and declared not in ("application/octet-stream", media_type):
        raise EvidenceRejected(
            f"the file was sent as {declared} but its content is {media_type}",
            code="evidence.type_mismatch",
            http_status=415,
            details={"file_name": name, "content_type": media_type, "declared": declared},
        )
    digest = hashlib.sha256(content).hexdigest()
    return CheckedEvidence(
        file_name=name,
        media_type=media_type,
        size=size,
        sha256=digest,
        storage_name=digest + stored_ext,
    )

"""Evidence uploads: size limit, type by content, safe names, SHA-256."""

from __future__ import annotations

import hashlib

import pytest

from corpcredit.repair import MAX_EVIDENCE_BYTES, EvidenceRejected, check_evidence

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "content", "media_type", "ext"),
    [
        ("缴款凭证.pdf", PDF, "application/pdf", ".pdf"),
        ("site.PNG", PNG, "image/png", ".png"),
        ("photo.jpeg", JPEG, "image/jpeg", ".jpg"),
        ("photo.jpg", JPEG, "image/jpeg", ".jpg"),
    ],
)
def test_allowed_files_are_accepted_with_their_hash(
    name: str, content: bytes, media_type: str, ext: str
) -> None:
    ev = check_evidence(name, content)
    digest = hashlib.sha256(content).hexdigest()
    assert (ev.media_type, ev.size, ev.sha256) == (media_type, len(content), digest)
    assert ev.storage_name == digest + ext  # nothing of the user's name
    assert ev.file_name == name


def test_an_oversized_file_is_refused() -> None:
    big = PDF + b"\x00" * MAX_EVIDENCE_BYTES
    with pytest.raises(EvidenceRejected) as caught:
        check_evidence("receipt.pdf", big)
    err = caught.value
    assert err.code == "evidence.too_large" and err.http_status == 413
    assert "limit" in err.message and err.details["limit"] == MAX_EVIDENCE_BYTES
    with pytest.raises(EvidenceRejected):
        check_evidence("receipt.pdf", PDF, max_bytes=len(PDF) - 1)
    assert check_evidence("receipt.pdf", PDF, max_bytes=len(PDF)).size == len(PDF)


def test_content_not_matching_the_extension_is_refused() -> None:
    with pytest.raises(EvidenceRejected) as caught:
        check_evidence("receipt.pdf", PNG)
    assert caught.value.code == "evidence.type_mismatch" and caught.value.http_status == 415
    assert "image/png" in caught.value.message


def test_a_disallowed_content_type_is_refused_whatever_its_name() -> None:
    with pytest.raises(EvidenceRejected) as caught:
        check_evidence("receipt.pdf", b"MZ\x90\x00 this is a Windows program")
    assert caught.value.code == "evidence.type_not_allowed"
    with pytest.raises(EvidenceRejected):
        check_evidence("page.html", b"<html><script>alert(1)</script>")


def test_a_declared_type_must_agree_with_the_content() -> None:
    with pytest.raises(EvidenceRejected) as caught:
        check_evidence("receipt.pdf", PDF, declared_type="image/png")
    assert caught.value.code == "evidence.type_mismatch"
    assert check_evidence("receipt.pdf", PDF, declared_type="application/pdf; x=1").size


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\receipt.pdf",
        "/etc/receipt.pdf",
        "C:\\Users\\me\\receipt.pdf",
        "..",
        ".hidden.pdf",
        "receipt\x00.pdf",
        "",
    ],
)
def test_path_traversal_and_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(EvidenceRejected) as caught:
        check_evidence(name, PDF)
    assert caught.value.code == "evidence.bad_name"
    assert caught.value.message


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(EvidenceRejected) as caught:
        check_evidence("receipt.pdf", b"")
    assert caught.value.code == "evidence.empty"

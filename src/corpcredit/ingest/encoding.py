"""A feed file's fingerprint and text encoding, found in one streaming pass.

The SHA-256 of the file's bytes identifies a batch (an interrupted ingest of the
same bytes is resumed, not restarted) and goes into the batch's audit entry.

Text feeds (CSV, JSON Lines) are UTF-8, with or without a byte-order mark.
GB18030 (and so GBK, its subset), common in exports from Chinese office software,
is detected and transcoded to a temporary UTF-8 file; anything else is refused
rather than read as garbage. The rule is the one :func:`corpcredit.feeds.decode_text`
applies to a whole file in memory, here over blocks so that a file larger than
memory works: a file is UTF-8 when it decodes as UTF-8; otherwise GB18030 when it
decodes as GB18030 into text without control characters. A file that starts
with many NUL bytes (UTF-16 or UTF-32 without a byte-order mark) is refused; a
stray NUL inside a field is a row error (see :mod:`.checks`).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from corpcredit.feeds.read import UnreadableFile

__all__ = ["FileInfo", "inspect_file", "utf8_copy"]

_BLOCK = 1 << 20
_BOM = b"\xef\xbb\xbf"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


@dataclass(frozen=True)
class FileInfo:
    """The file's SHA-256, size, and for text feeds its encoding (``utf-8``/``gb18030``)."""

    sha256: str
    size: int
    encoding: str | None


class _Check:
    """Feeds blocks to an incremental decoder; remembers the first problem's offset."""

    def __init__(self, encoding: str, *, strict_text: bool) -> None:
        self.decoder = codecs.getincrementaldecoder(encoding)("strict")
        self.strict_text = strict_text
        self.offset = 0
        self.bad_at: int | None = None

    def feed(self, block: bytes, *, final: bool = False) -> None:
        if self.bad_at is not None:
            return
        if self.offset == 0 and block.startswith(_BOM):
            block = block[len(_BOM) :]
            self.offset = len(_BOM)
        try:
            text = self.decoder.decode(block, final=final)
        except UnicodeDecodeError as exc:
            self.bad_at = self.offset + exc.start
            return
        if self.offset <= len(_BOM) and block[:4096].count(0) * 10 > len(block[:4096]):
            self.bad_at = self.offset + block.index(b"\x00")  # UTF-16 or UTF-32, not text
        elif self.strict_text and _CONTROL.search(text):
            self.bad_at = self.offset
        self.offset += len(block)


def _gb18030_text(path: Path) -> bool:
    check = _Check("gb18030", strict_text=True)
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            check.feed(block)
    check.feed(b"", final=True)
    return check.bad_at is None


def inspect_file(path: Path, *, text: bool) -> FileInfo:
    """Fingerprint ``path``; for a text feed, find its encoding or refuse it."""
    if not path.is_file():
        raise UnreadableFile(f"{path}: no such file")
    digest = hashlib.sha256()
    utf8 = _Check("utf-8", strict_text=False)
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
            size += len(block)
            if text:
                utf8.feed(block)
    if not text:
        return FileInfo(digest.hexdigest(), size, None)
    utf8.feed(b"", final=True)
    if utf8.bad_at is None:
        return FileInfo(digest.hexdigest(), size, "utf-8")
    if _gb18030_text(path):
        return FileInfo(digest.hexdigest(), size, "gb18030")
    raise UnreadableFile(
        f"{path}: the file is neither UTF-8 nor GB18030/GBK text (first bad byte at offset "
        f"{utf8.bad_at}); save it as UTF-8 and try again",
        code="input.encoding",
    )


@contextmanager
def utf8_copy(path: Path, encoding: str) -> Iterator[Path]:
    """``path`` itself when UTF-8, else a temporary UTF-8 transcoding of it."""
    if encoding == "utf-8":
        yield path
        return
    fd, name = tempfile.mkstemp(prefix="corpcredit-", suffix=path.suffix)
    try:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        with os.fdopen(fd, "wb") as out, path.open("rb") as src:
            while block := src.read(_BLOCK):
                out.write(decoder.decode(block).encode("utf-8"))
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)

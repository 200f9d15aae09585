"""Character-level folding of organisation names, before any name-level rule.

Unicode NFKC folds full-width letters, digits and brackets to ASCII
(``（杭州）`` → ``(杭州)``, ``ＡＢＣ`` → ``ABC``); zero-width characters are
dropped; traditional characters become simplified with OpenCC's ``t2s``
conversion (``華信`` → ``华信``), so a name written in Taiwan or Hong Kong style
meets the registered simplified form. Whitespace collapses to single spaces.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Protocol

__all__ = ["fold", "has_han", "is_han"]

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
# Brackets that NFKC leaves alone but people use around a region or a note.
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")"})


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@functools.cache
def _t2s() -> _Converter:
    import opencc  # imported lazily: loading its dictionaries takes a moment

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def is_han(ch: str) -> bool:
    """A CJK unified ideograph (the basic block and extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


_HAN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]")


def has_han(text: str) -> bool:
    """Whether ``text`` holds at least one Chinese character."""
    return _HAN.search(text) is not None


def fold(text: str) -> str:
    """NFKC, no zero-width characters, simplified characters, single spaces, trimmed."""
    folded = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    folded = _ZERO_WIDTH.sub("", folded)
    if has_han(folded):
        folded = _t2s().convert(folded)
    return _SPACES.sub(" ", folded).strip()

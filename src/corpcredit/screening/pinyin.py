"""Toneless pinyin for Chinese characters, and splitting Latin text into syllables.

This is the pinyin bridge: a registered name's characters get their toneless
Hanyu Pinyin (``华信`` → ``hua xin``), so that a query written in Latin letters
(``Huaxin``) or a character typed by a pinyin input method's wrong pick
(``华鑫`` for ``华信``) can be recognised.

The readings come from pypinyin's own tables (its single-character dictionary and
its phrase dictionary), but the lookup is done here: calling
``pypinyin.lazy_pinyin`` costs about 100 µs a name, too slow for indexing a
million names, while a dictionary lookup per character costs well under one. A
character gets its default reading, except inside a phrase whose reading
differs (``银行`` → ``yin hang``, ``重庆`` → ``chong qing``). ``ü`` is written
``v``, as pypinyin writes it.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["is_syllable", "segmentations", "sounds", "split_syllables", "syllables"]

_MAX_PHRASE = 4
_INTERJECTIONS = frozenset({"n", "ng", "m", "hm", "hng"})
_MAX_SYLLABLE = 6


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, tuple[str, ...]], frozenset[str]]:
    """Default reading per character, phrase overrides, and every valid syllable."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    default: dict[str, str] = {}
    valid: set[str] = set()
    for code, readings in pinyin_dict.items():
        options = [_toneless(r) for r in readings.split(",")]
        default[chr(code)] = options[0]
        valid.update(options)
    overrides: dict[str, tuple[str, ...]] = {}
    for phrase, phrase_readings in phrases_dict.items():
        if not 2 <= len(phrase) <= _MAX_PHRASE or len(phrase_readings) != len(phrase):
            continue
        toneless = tuple(_toneless(r[0]) for r in phrase_readings)
        if any(default.get(ch) != s for ch, s in zip(phrase, toneless, strict=True)):
            overrides[phrase] = toneless
    # Interjections (嗯 n, ng; 呣 m) never occur in names, and would let any
    # "…n" / "…ng" be split off as a syllable of its own.
    return default, overrides, frozenset(valid - _INTERJECTIONS)


def sounds(text: str) -> list[str]:
    """One toneless syllable per character; characters without one stand for themselves."""
    default, overrides, _ = _tables()
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        for size in range(min(_MAX_PHRASE, n - i), 1, -1):
            found = overrides.get(text[i : i + size])
            if found is not None:
                out.extend(found)
                i += size
                break
        else:
            ch = text[i]
            out.append(default.get(ch, ch.lower()))
            i += 1
    return out


def is_syllable(text: str) -> bool:
    """Whether ``text`` is one toneless pinyin syllable (``xin``, ``zhuang``, ``lv``)."""
    return text in _tables()[2]


@functools.lru_cache(maxsize=65536)
def split_syllables(word: str) -> tuple[str, ...] | None:
    """Split a lower-case Latin word into pinyin syllables, or ``None`` when it is not
    pinyin. Among the splits, the one with the fewest syllables wins, the longer first
    syllable breaking ties (``xian`` stays one syllable, ``huaxin`` → ``hua xin``).
    """
    valid = _tables()[2]
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[n] = ()
    for i in range(n - 1, -1, -1):
        for size in range(min(_MAX_SYLLABLE, n - i), 0, -1):
            rest = best[i + size]
            piece = word[i : i + size]
            if rest is not None and piece in valid:
                current = best[i]
                if current is None or len(rest) + 1 < len(current):
                    best[i] = (piece, *rest)
    return best[0]


def segmentations(text: str, limit: int = 8) -> list[tuple[str, ...]]:
    """Up to ``limit`` ways to read ``text`` as pinyin syllables, longer syllables first.

    Pinyin written without apostrophes is ambiguous: ``chiliao`` is 驰力奥 (``chi li
    ao``) as well as ``chi liao``; a Latin query is looked up under every reading.
    """
    valid = _tables()[2]
    found: list[tuple[str, ...]] = []

    def walk(i: int, taken: tuple[str, ...]) -> None:
        if len(found) >= limit:
            return
        if i == len(text):
            found.append(taken)
            return
        for size in range(min(_MAX_SYLLABLE, len(text) - i), 0, -1):
            piece = text[i : i + size]
            if piece in valid:
                walk(i + size, (*taken, piece))

    walk(0, ())
    return found


def syllables(text: str) -> str:
    """Toneless pinyin of ``text`` as one lower-case string, e.g. ``重庆`` → ``chongqing``."""
    return "".join(sounds(text))

"""Blocking keys: which index postings a normalised name is filed under.

A name is filed under the bigrams of its core characters (``c华信``, ``c信科``,
``c科技``) and under the bigrams of its sounds (``shua xin``, ``sxin ke`` …).
Sound keys are shared by Chinese names and their pinyin, so a Latin query
(``Huaxin Keji``) and a homophone typo (``华鑫科技``) find ``华信科技``; English
names file their words the same way (``shua xin``, ``sxin technology``). A core
of one unit is filed under that unit.

A name with a region is also filed under the *junction* of region and core
(``c州华``, ``szhou hua`` for ``杭州华信``): where a region ends is not always
clear (``泰安科技`` — region 泰安 or trade name 泰安? ``xinxingchang`` — 新兴 + 昌
or 信星昌?), and the junction finds the name either way.
"""

from __future__ import annotations

import functools

from corpcredit.screening.normalise import NameForm
from corpcredit.screening.pinyin import is_syllable, segmentations, sounds, split_syllables

__all__ = ["blocking_keys", "query_keys"]


@functools.lru_cache(maxsize=16384)
def _region_tail(region: str, script: str) -> tuple[str, str]:
    """The last character (Chinese) and last sound of a region as written."""
    last = region.rsplit("/", 1)[-1]
    if script == "han":
        word = last.rstrip("省市区县") or last
        return word[-1], sounds(word[-1])[0]
    syllables = split_syllables(last)
    return "", syllables[-1] if syllables else last


def blocking_keys(form: NameForm) -> set[str]:
    """The keys of one name (empty for a name with an empty core)."""
    keys: set[str] = set()
    core, units = form.core, form.sounds
    if not core:
        return keys
    if form.script == "han":
        if len(core) == 1:
            keys.add("c" + core)
        keys.update("c" + core[i : i + 2] for i in range(len(core) - 1))
    if len(units) == 1:
        keys.add("s" + units[0])
    keys.update(f"s{units[i]} {units[i + 1]}" for i in range(len(units) - 1))
    if form.region:
        char, sound = _region_tail(form.region, form.script)
        if char:
            keys.add("c" + char + core[0])
        keys.add(f"s{sound} {units[0]}")
        if "/" in form.region:  # several levels (浙江嘉兴…): rare, so telling
            keys.add("r" + _region_sound(form.region, form.script))
    return keys


@functools.lru_cache(maxsize=16384)
def _region_sound(region: str, script: str) -> str:
    """``宁波市/鄞州区`` and ``ningbo/yinzhou`` → ``ningboyinzhou``."""
    words = "".join(w.rstrip("省市区县") or w for w in region.split("/"))
    return "".join(sounds(words)) if script == "han" else words


def query_keys(form: NameForm) -> set[str]:
    """The keys to look a query up under: its own, those of the name read with its
    leading region word as part of the name (:meth:`NameForm.merged`) and, for pinyin
    written without apostrophes, those of the other readings of each pair of
    adjacent syllables (``chi liao`` is also ``chi li ao``, 驰力奥)."""
    keys = blocking_keys(form)
    merged = form.merged()
    if merged is not None:  # the leading region word may be part of the name
        keys |= blocking_keys(merged)
    if form.script != "latin":
        return keys
    units = form.sounds
    for i in range(len(units) - 1):
        if not (is_syllable(units[i]) and is_syllable(units[i + 1])):
            continue
        for reading in segmentations(units[i] + units[i + 1])[1:]:
            around = [*units[max(i - 1, 0) : i], *reading, *units[i + 2 : i + 3]]
            keys.update(f"s{around[k]} {around[k + 1]}" for k in range(len(around) - 1))
    return keys

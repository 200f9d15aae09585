"""How alike two normalised names are: a score in [0, 1] and the reason for it.

The score starts at 1 and loses points for each difference, so a reviewer can
read why a pair scored what it did:

- core (trade name and industry words, aligned with RapidFuzz's Levenshtein
  edit operations): a *meaningful* difference — another character, another
  pinyin syllable, another word — costs :data:`HARD`; a difference a typist makes
  — a homophone picked from a pinyin input method (``信``/``鑫``), a doubled
  character, a misspelt English word — costs :data:`SOFT`. So ``杭州华信科技`` and
  ``杭州华达科技`` (another firm) fall below the match threshold, while
  ``杭州华鑫科技`` for ``杭州华信科技`` stays above it;
- region: another region costs :data:`REGION_DIFFERS` (same trade name, other
  city: another firm); a region contained in the other (``浙江`` ⊃ ``杭州``) or
  missing on one side costs a little, so an exact region wins a tie;
- legal form, group word: a little, to break ties (``有限公司`` vs ``股份有限公司``);
- branch against head office, or another branch: :data:`BRANCH_DIFFERS`.

A Latin-script name is compared through sounds: its units against the other
name's pinyin syllables (the pinyin bridge) or English words.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from rapidfuzz.distance import Levenshtein

from corpcredit.screening.forms import FORM_LABELS, forms_agree
from corpcredit.screening.normalise import NameForm
from corpcredit.screening.pinyin import is_syllable, sounds
from corpcredit.screening.regions import codes_relation

__all__ = [
    "BRANCH_DIFFERS",
    "HARD",
    "REGION_DIFFERS",
    "SOFT",
    "Similarity",
    "compare",
]

HARD = 0.25
SOFT = 0.06
REGION_DIFFERS = 0.35
REGION_NESTED = 0.04
REGION_MISSING = 0.02
REGION_BY_REGISTRATION = 0.03
FORM_DIFFERS = 0.03
GROUP_DIFFERS = 0.03
BRANCH_DIFFERS = 0.4
_MIN_WORD = 5  # English words at least this long may carry a typo


@dataclass(frozen=True, slots=True)
class Similarity:
    """A score in [0, 1] (1: the same name) and which parts agreed or differed."""

    score: float
    reason: str


def _neighbour_repeats(text: str, i: int) -> bool:
    return (i > 0 and text[i - 1] == text[i]) or (i + 1 < len(text) and text[i + 1] == text[i])


def _han_core(q: NameForm, c: NameForm) -> tuple[int, int, list[str]]:
    """Hard and soft differences between two Chinese cores, with notes."""
    hard = soft = 0
    notes: list[str] = []
    for op in Levenshtein.editops(q.core, c.core):
        if op.tag == "replace":
            a, b = q.core[op.src_pos], c.core[op.dest_pos]
            if q.sounds[op.src_pos] == c.sounds[op.dest_pos]:
                soft += 1
                notes.append(f"homophone {a}/{b}")
            else:
                hard += 1
                notes.append(f"{a}/{b} differ")
        elif op.tag == "delete":
            ch = q.core[op.src_pos]
            repeated = _neighbour_repeats(q.core, op.src_pos)
            soft, hard = (soft + 1, hard) if repeated else (soft, hard + 1)
            notes.append(f"{ch} doubled" if repeated else f"extra {ch}")
        else:
            ch = c.core[op.dest_pos]
            repeated = _neighbour_repeats(c.core, op.dest_pos)
            soft, hard = (soft + 1, hard) if repeated else (soft, hard + 1)
            notes.append(f"{ch} written once" if repeated else f"missing {ch}")
    return hard, soft, notes


def _sound_core(q: NameForm, c: NameForm) -> tuple[int, int, list[str]]:
    """Hard and soft differences between two sequences of sounds (pinyin or words)."""
    a, b = "".join(q.sounds), "".join(c.sounds)
    if a == b:
        return 0, 0, []
    q_ends = list(accumulate(len(s) for s in q.sounds))
    c_ends = list(accumulate(len(s) for s in c.sounds))
    touched_q: dict[int, int] = {}
    touched_c: dict[int, int] = {}
    # A replaced character touches a unit on both sides, a deleted one only the
    # query's, an inserted one only the candidate's (at a unit boundary the side
    # that lacks the character cannot tell which unit it belongs to).
    for op in Levenshtein.editops(a, b):
        if op.tag != "insert":
            qi = bisect_right(q_ends, op.src_pos)
            touched_q[qi] = touched_q.get(qi, 0) + 1
        if op.tag != "delete":
            ci = bisect_right(c_ends, op.dest_pos)
            touched_c[ci] = touched_c.get(ci, 0) + 1
    soft = sum(
        1
        for ci, edits in touched_c.items()
        if len(c.sounds[ci]) >= _MIN_WORD
        and not is_syllable(c.sounds[ci])
        and edits <= len(c.sounds[ci]) // 4
    )
    units = max(len(touched_q), len(touched_c))
    hard = max(units - soft, 0)
    words = ", ".join(c.sounds[i] for i in sorted(touched_c)) or ", ".join(
        q.sounds[i] for i in sorted(touched_q)
    )
    return hard, soft, [f"differs in {words}"]


def _region(q: NameForm, c: NameForm, division: str | None) -> tuple[float, str | None]:
    if not q.codes:
        return (REGION_MISSING, "region not given") if c.codes else (0.0, None)
    if not c.codes:
        if not division:
            return REGION_MISSING, "region not in the registered name"
        relation = codes_relation(q.codes, frozenset({division}))
        if relation == "differs":
            return REGION_DIFFERS, f"region {q.region} is not where it is registered"
        return REGION_BY_REGISTRATION, f"region {q.region} where it is registered"
    relation = codes_relation(q.codes, c.codes)
    if relation == "same":
        return 0.0, f"same region {c.region}"
    if relation == "nested":
        return REGION_NESTED, f"region {q.region} ~ {c.region}"
    return REGION_DIFFERS, f"other region ({q.region} vs {c.region})"


def _branch(q: NameForm, c: NameForm) -> tuple[float, str | None]:
    if q.branch is None and c.branch is None:
        return 0.0, None
    if q.branch is None or c.branch is None:
        which = "a branch" if c.branch is not None else "a head office"
        return BRANCH_DIFFERS, f"it is {which}"
    q_place, _, q_no = q.branch.partition("#")
    c_place, _, c_no = c.branch.partition("#")
    same_place = q_place == c_place or (
        bool(q.branch_codes and c.branch_codes)
        and codes_relation(q.branch_codes, c.branch_codes) == "same"
    )
    if same_place and q_no == c_no:
        return 0.0, f"same branch {c.branch}"
    return BRANCH_DIFFERS, f"other branch ({q.branch} vs {c.branch})"


@functools.lru_cache(maxsize=4096)
def _merged(form: NameForm) -> NameForm | None:
    return form.merged()


def _cost(q: NameForm, c: NameForm, division: str | None) -> tuple[float, int, list[str]]:
    """The points ``c`` loses against ``q``, the meaningful differences, and notes."""
    if q.script == "han" and c.script == "han":
        hard, soft, notes = _han_core(q, c)
    else:
        hard, soft, notes = _sound_core(q, c)
    cost = HARD * hard + SOFT * soft
    parts = ["same name" if not notes else "; ".join(notes[:3])]
    if q.script != c.script:
        parts.append("via pinyin" if c.script == "han" else "via Latin spelling")
    for extra, note in (_region(q, c, division), _branch(q, c)):
        cost += extra
        if note:
            parts.append(note)
    if not forms_agree(q.form, c.form):
        cost += FORM_DIFFERS
        parts.append(f"legal form {FORM_LABELS[q.form]} vs {FORM_LABELS[c.form]}")
    elif q.form != c.form and not q.form:
        parts.append("legal form not given")
    if q.group != c.group:
        cost += GROUP_DIFFERS
        parts.append("group word " + ("added" if q.group else "not given"))
    return cost, hard, parts


def compare(q: NameForm, c: NameForm, division: str | None = None) -> Similarity:
    """Score candidate ``c`` for query ``q``; ``division`` is the candidate's
    registered division code, used when its name has no region.

    When one or two meaningful differences remain, the names are also compared with
    a leading region word read as part of the name, on either side (``西城`` the
    district or the trade name; ``Jinanxu`` — 济南 + xu, or 金安旭?), and the better
    reading counts.
    """
    if not q.core or not c.core:
        return Similarity(0.0, "nothing to compare")
    cost, hard, parts = _cost(q, c, division)
    if 0 < hard <= 2 and (q.tail or c.tail):
        for a, b in _rereadings(q, c):
            alt_cost, _, alt_parts = _cost(a, b, division)
            if alt_cost < cost:
                cost, parts = alt_cost, [*alt_parts, "region read as name"]
    return Similarity(round(max(0.0, 1.0 - cost), 3), "; ".join(parts))


@functools.lru_cache(maxsize=16384)
def _tail_sound(tail: str, script: str) -> str:
    return "".join(sounds(tail)) if script == "han" else tail


def _rereadings(q: NameForm, c: NameForm) -> list[tuple[NameForm, NameForm]]:
    """The pairs worth comparing with a region word moved into the core: only where
    the sounds suggest it (the other core opens with that word, or both names sound
    alike from the start), so the cost stays small."""
    qs = _tail_sound(q.tail, q.script) if q.tail else ""
    cs = _tail_sound(c.tail, c.script) if c.tail else ""
    q_core, c_core = "".join(q.sounds), "".join(c.sounds)
    first = bool(qs) and c_core.startswith(qs)
    second = bool(cs) and q_core.startswith(cs)
    both = bool(qs and cs) and (qs + q_core)[:8] == (cs + c_core)[:8]
    if not (first or second or both):
        return []
    qm, cm = _merged(q), c.merged()
    pairs = []
    if first and qm is not None:
        pairs.append((qm, c))
    if second and cm is not None:
        pairs.append((q, cm))
    if both and qm is not None and cm is not None:
        pairs.append((qm, cm))
    return pairs

"""Organisation names reduced to comparable parts: region, core, legal form, branch.

``杭州华信科技有限公司``, ``华信（杭州）科技有限责任公司`` and ``華信(杭州)科技有限公司``
all become region ``杭州`` (division prefix ``3301``), core ``华信科技`` (with the
sounds ``hua xin ke ji``) and legal form ``ltd``; ``Hangzhou Huaxin Keji Youxian
Gongsi`` becomes the same region and form with the Latin core ``hua xin ke ji``.
A branch keeps its place apart (``…有限公司上海分公司`` → branch ``上海``): a
branch and its head office are different organisations.

Chinese names are handled in characters, Latin names (English, pinyin) in
units: a word that spells pinyin is split into syllables (``huaxin`` → ``hua
xin``), any other word (``technology``) is one unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from corpcredit.screening import forms
from corpcredit.screening.pinyin import sounds, split_syllables
from corpcredit.screening.regions import (
    NATIONAL,
    RegionLexicon,
    codes_relation,
    region_lexicon,
)
from corpcredit.screening.text import fold, has_han

__all__ = ["NameForm", "normalise"]

_BRACKET = re.compile(r"\(([^()]*)\)")
_NOT_WORD = re.compile(r"[^\w]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_HAN_NUMBER = re.compile(r"第([一二三四五六七八九十百零〇两\d]+)$")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_SEP = "\x1e"
_MAX_REGION_WORDS = 3


@dataclass(frozen=True, slots=True)
class NameForm:
    """The comparable parts of one name.

    ``core`` is the name without region, legal form, group word and branch part:
    characters for Chinese script, units joined by spaces for Latin script.
    ``sounds`` has one toneless syllable per core character (Chinese) or is the
    units themselves (Latin). ``codes`` are the division-code prefixes of the
    region words (empty when the name has none); ``region`` shows them as written.
    ``branch`` is ``None`` for a name that is not a branch, else its place
    (``上海``, ``秀英#2``; empty when it cannot be told). ``tail`` is the last
    region word taken from the front of the name (``西城`` in ``北京西城包装``) and
    ``rest_codes`` the codes of the words before it: where a region ends is not
    always clear (西城 may be the district or the trade name), and
    :meth:`merged` reads the name the other way.
    """

    script: str
    core: str
    sounds: tuple[str, ...]
    region: str
    codes: frozenset[str]
    form: str
    group: bool
    branch: str | None
    branch_codes: frozenset[str]
    tail: str = ""
    rest_codes: frozenset[str] = frozenset()

    def merged(self) -> NameForm | None:
        """The same name with its last leading region word read as part of the core
        (``北京`` + ``西城包装`` for ``北京/西城`` + ``包装``); ``None`` without one."""
        if not self.tail:
            return None
        if self.script == "han":
            core, snd = self.tail + self.core, (*sounds(self.tail), *self.sounds)
        else:
            tail_units = split_syllables(self.tail) or (self.tail,)
            core, snd = " ".join((*tail_units, *self.sounds)), (*tail_units, *self.sounds)
        region = self.region.rsplit("/", 1)[0] if "/" in self.region else ""
        return replace(
            self, core=core, sounds=snd, region=region, codes=self.rest_codes, tail="",
            rest_codes=frozenset(),
        )  # fmt: skip

    @property
    def key(self) -> str:
        """What identifies the query for a reviewer's decision: the same for every
        spelling that normalises alike, legal form left out."""
        branch = "" if self.branch is None else f"/{self.branch}"
        return f"{self.script}:{self.core}|{','.join(sorted(self.codes))}|{self.group:d}{branch}"

    def pack(self) -> str:
        """One string, for the candidate index's storage (see :meth:`unpack`)."""
        return _SEP.join(
            (
                self.script,
                self.core,
                " ".join(self.sounds) if self.script == "han" else "",
                self.region,
                ",".join(sorted(self.codes)),
                self.form,
                "1" if self.group else "",
                "\x00" if self.branch is None else self.branch,
                ",".join(sorted(self.branch_codes)),
                self.tail,
                ",".join(sorted(self.rest_codes)),
            )
        )

    @classmethod
    def unpack(cls, packed: str) -> NameForm:
        script, core, snd, region, codes, form, group, branch, bcodes, tail, rest = packed.split(
            _SEP
        )
        return cls(
            script=script,
            core=core,
            sounds=tuple(snd.split(" ") if script == "han" else core.split(" ")) if core else (),
            region=region,
            codes=frozenset(codes.split(",")) if codes else frozenset(),
            form=form,
            group=group == "1",
            branch=None if branch == "\x00" else branch,
            branch_codes=frozenset(bcodes.split(",")) if bcodes else frozenset(),
            tail=tail,
            rest_codes=frozenset(rest.split(",")) if rest else frozenset(),
        )


def _merge(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """Two regions of one name (prefix and brackets): the deeper one when nested."""
    if not a or not b:
        return a or b
    deeper = {x for x in a | b if any(x.startswith(y) for y in a | b)}
    return frozenset(deeper) if codes_relation(a, b) != "differs" else a


def _han_number(text: str) -> tuple[str, int]:
    """``秀英区第二`` → (``秀英区``, 2); no number → (text, 1)."""
    m = _HAN_NUMBER.search(text)
    if m is None:
        return text, 1
    digits = m.group(1)
    if digits.isdigit():
        return text[: m.start()], int(digits)
    value, current = 0, 0
    for ch in digits:
        if ch == "十":
            value += (current or 1) * 10
            current = 0
        elif ch == "百":
            value += (current or 1) * 100
            current = 0
        else:
            current = _DIGITS.get(ch, 0)
    return text[: m.start()], value + current


def _branch_label(place: str, number: int, codes: frozenset[str]) -> str:
    return place + (f"#{number}" if number > 1 else "")


class _Parts:
    """Mutable state while one name is taken apart."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.form = ""
        self.group = False
        self.region: list[str] = []
        self.codes: frozenset[str] = frozenset()
        self.branch: str | None = None
        self.branch_codes: frozenset[str] = frozenset()
        self.tail = ""
        self.rest_codes: frozenset[str] = frozenset()


def _han_brackets(p: _Parts, lex: RegionLexicon) -> None:
    def replace(m: re.Match[str]) -> str:
        inner = _NOT_WORD.sub("", m.group(1))
        if inner in forms.BRACKET_FORMS:
            p.form = p.form or forms.BRACKET_FORMS[inner]
            return ""
        if inner in forms.HAN_GROUP:
            p.group = True
            return ""
        codes = lex.han_word(inner)
        if codes:
            p.region.append(inner)
            p.codes = _merge(p.codes, codes)
            return ""
        return inner

    p.text = _BRACKET.sub(replace, p.text)


def _han_branch(p: _Parts, lex: RegionLexicon) -> None:
    marker = next((m for m in forms.HAN_BRANCH if p.text.endswith(m)), None)
    if marker is None or len(p.text) <= len(marker):
        return
    rest, number = _han_number(p.text[: -len(marker)])
    end = max((rest.rfind(e) + len(e) for e in forms.HAN_HEAD_ENDINGS if e in rest), default=-1)
    head, place = (rest[:end], rest[end:]) if end > 0 else (rest, "")
    codes = lex.han_word(place)
    if not codes and place:
        word, codes = lex.han_prefix(place + "_", None)
        place = word or place
    short = place
    for suffix in ("市", "区", "县"):
        if short.endswith(suffix) and len(short) > 2:
            short = short[: -len(suffix)]
    p.text, p.branch, p.branch_codes = head, _branch_label(short, number, codes), codes


_HAN_FORM_CLASS = dict(forms.HAN_FORMS)
_HAN_TAIL = re.compile(
    "(?:" + "|".join((*(f for f, _ in forms.HAN_FORMS), *forms.HAN_GROUP)) + ")$"
)


def _han_forms(p: _Parts) -> None:
    whole = _HAN_FORM_CLASS.get(p.text)
    if whole is not None:  # nothing but a legal form ("有限公司")
        p.text, p.form = "", whole
        return
    while (m := _HAN_TAIL.search(p.text)) is not None and m.start() >= 2:
        word = m.group(0)
        if word in forms.HAN_GROUP:
            p.group = True
        else:
            p.form = p.form or _HAN_FORM_CLASS[word]
        p.text = p.text[: m.start()]


def _has_bracket_region(p: _Parts) -> bool:
    """A name gives its region first or in brackets, not both: after ``华信（杭州）``
    a leading place word (``海东物流`` — 海东 is also a city) is the trade name."""
    return bool(p.codes) and p.codes != NATIONAL


def _han_region(p: _Parts, lex: RegionLexicon) -> None:
    text = _NOT_WORD.sub("", p.text)
    if _has_bracket_region(p):
        p.text = text
        return
    after: frozenset[str] | None = None
    for _ in range(_MAX_REGION_WORDS):
        word, codes = lex.han_prefix(text, None if after == NATIONAL else after)
        if not word or len(text) - len(word) < 2:
            break
        _take(p, word, after, codes)
        text, after = text[len(word) :], codes
    if after is not None:
        p.codes = _merge(after, p.codes)
    p.text = text


def _take(p: _Parts, word: str, before: frozenset[str] | None, codes: frozenset[str]) -> None:
    """Record a leading region word; the one before it becomes the rest."""
    p.region.append(word)
    p.tail, p.rest_codes = word, before or frozenset()


def _normalise_han(text: str) -> NameForm:
    lex = region_lexicon()
    p = _Parts(text)
    _han_brackets(p, lex)
    _han_branch(p, lex)
    _han_forms(p)
    _han_region(p, lex)
    core = p.text.lower()
    return NameForm(
        "han", core, tuple(sounds(core)), "/".join(p.region), p.codes, p.form, p.group,
        p.branch, p.branch_codes, p.tail, p.rest_codes,
    )  # fmt: skip


def _strip_words(words: list[str], suffix: tuple[str, ...]) -> bool:
    if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
        del words[-len(suffix) :]
        return True
    return False


def _strip_letters(words: list[str], tail: str) -> bool:
    """Remove the letters of ``tail`` from the end of ``words``, across word breaks."""
    joined = "".join(words)
    if not joined.endswith(tail) or len(joined) == len(tail):
        return False
    left = len(tail)
    while left:
        last = words.pop()
        if len(last) > left:
            words.append(last[:-left])
            break
        left -= len(last)
    return True


def _latin_brackets(p: _Parts, lex: RegionLexicon) -> None:
    def replace(m: re.Match[str]) -> str:
        words = _LATIN_WORD.findall(m.group(1))
        joined = "".join(words)
        if joined in forms.LATIN_GROUP:
            p.group = True
            return " "
        codes = lex.latin_word(joined)
        if codes:
            p.region.append(joined)
            p.codes = _merge(p.codes, codes)
            return " "
        return " " + " ".join(words) + " "

    p.text = _BRACKET.sub(replace, p.text)


def _latin_branch(words: list[str], p: _Parts, lex: RegionLexicon) -> None:
    if not (_strip_words(words, ("branch", "office")) or _strip_words(words, ("branch",))):
        return
    number = 1
    if len(words) >= 2 and words[-2] == "no" and words[-1].isdigit():
        number = int(words[-1])
        del words[-2:]
    end = 0
    for i in range(len(words), 0, -1):
        if any(tuple(words[max(0, i - len(f)) : i]) == f for f, _ in forms.LATIN_FORMS):
            end = i
            break
    place = "".join(words[end:]) if end else ""
    codes = lex.latin_word(place) or lex.latin_word(place, frozenset({""}))
    p.branch, p.branch_codes = _branch_label(place, number, codes), codes
    if end:
        del words[end:]


def _latin_forms(words: list[str], p: _Parts) -> None:
    stripped = True
    while stripped:
        stripped = False
        for suffix, cls in forms.LATIN_FORMS:
            if _strip_words(words, suffix):
                p.form, stripped = p.form or cls, True
                break
        else:
            for tail, cls in forms.PINYIN_FORMS:
                if _strip_letters(words, tail):
                    p.form, stripped = p.form or cls, True
                    break
        for word in forms.LATIN_GROUP:
            if _strip_letters(words, word):
                p.group, stripped = True, True


def _split_run_on(words: list[str], lex: RegionLexicon) -> None:
    """``hangzhouhuaxin`` → ``hangzhou huaxin`` when the word opens with a region."""
    parts = split_syllables(words[0]) if words else None
    if not parts:
        return
    for size in range(min(4, len(parts) - 1), 1, -1):
        head = "".join(parts[:size])
        if lex.latin_word(head):
            words[:1] = [head, "".join(parts[size:])]
            return


def _latin_region(words: list[str], p: _Parts, lex: RegionLexicon) -> None:
    if _has_bracket_region(p):
        return
    _split_run_on(words, lex)
    after: frozenset[str] | None = None
    for _ in range(_MAX_REGION_WORDS):
        for size in (2, 1):
            if len(words) <= size:
                continue
            codes = lex.latin_word("".join(words[:size]), None if after == NATIONAL else after)
            if codes:
                _take(p, "".join(words[:size]), after, codes)
                del words[:size]
                after = codes
                break
        else:
            break
    if after is not None:
        p.codes = _merge(after, p.codes)


def _normalise_latin(text: str) -> NameForm:
    lex = region_lexicon()
    p = _Parts(text.lower().replace("'", "").replace("’", "").replace("&", " and "))
    _latin_brackets(p, lex)
    words = _LATIN_WORD.findall(p.text)
    _latin_branch(words, p, lex)
    _latin_forms(words, p)
    _latin_region(words, p, lex)
    units: list[str] = []
    for word in words:
        units.extend(split_syllables(word) or (word,))
    core = " ".join(units)
    return NameForm(
        "latin", core, tuple(units), "/".join(p.region), p.codes, p.form, p.group,
        p.branch, p.branch_codes, p.tail, p.rest_codes,
    )  # fmt: skip


def normalise(name: str) -> NameForm:
    """Take a name apart (any script, any width, simplified or traditional)."""
    text = fold(name)
    return _normalise_han(text) if has_han(text) else _normalise_latin(text)

"""Matching one input row: the identifier first, then the name, in two stages.

1. An identifier (USCI) in the row is normalised and looked up exactly. If the
   registry holds it, that is the match, whatever the name says; a name given
   beside it is compared with the entity's names and, when it scores below the
   threshold, the row is flagged ``name_contradicts_usci`` and the name's own best
   candidates are listed as alternatives. An invalid identifier is flagged
   ``usci_invalid``, an unknown one ``usci_unknown``; both fall back to the name.
2. A name is normalised, the candidate index proposes rows, the scorer scores
   each, and the best row of each entity stands for it. The best entity is the
   match when it reaches :data:`THRESHOLD` and no other entity comes within
   :data:`MARGIN` of it (else the row is ``ambiguous``: a pinyin spelling shared
   by two firms, a name without its region found in two cities).

A reviewer's "not this one" (:mod:`.decisions`) removes that entity from the
candidates of every query that normalises to the same key; the row is flagged
``reviewer_rejected`` when that changed the outcome.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from corpcredit import ids
from corpcredit.screening.index import CandidateIndex
from corpcredit.screening.normalise import NameForm, normalise
from corpcredit.screening.rows import IndexedName
from corpcredit.screening.score import Similarity, compare

__all__ = [
    "ALTERNATIVES",
    "MARGIN",
    "MATCHER_VERSION",
    "STATUSES",
    "THRESHOLD",
    "Candidate",
    "MatchResult",
    "Matcher",
]

#: Changes whenever normalisation, keys or scoring change; saved indexes are rebuilt.
MATCHER_VERSION = "corpcredit-matcher/1"
THRESHOLD = 0.80
MARGIN = 0.02
ALTERNATIVES = 3
_ALT_FLOOR = 0.6  # candidates this close are worth a reviewer's glance
_ALIAS_COST = 0.01
_CANDIDATES = 30
#: ``usci``: matched by identifier; ``name``: by name; ``ambiguous``: two or more
#: organisations fit equally well; ``none``: nothing reached the threshold.
STATUSES = ("usci", "name", "ambiguous", "none")
_VIA_PREFIX = {"name": "", "name_en": "English name: ", "alias": "former name: "}


@dataclass(frozen=True, slots=True)
class Candidate:
    """An organisation proposed for an input row, with the name that matched."""

    usci: str
    name: str
    matched: str
    via: str  # usci | name | name_en | alias
    score: float
    reason: str
    natural_person: bool


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome for one input row (``best`` is set for ``usci`` and ``name``)."""

    status: str
    best: Candidate | None
    alternatives: tuple[Candidate, ...]
    flags: tuple[str, ...]
    query_key: str | None


class Matcher:
    """Identifier-first, then two-stage name matching over a :class:`CandidateIndex`."""

    def __init__(
        self, index: CandidateIndex, *, threshold: float = THRESHOLD, margin: float = MARGIN
    ) -> None:
        self.index = index
        self.threshold = threshold
        self.margin = margin

    def _similarity(self, form: NameForm, row: IndexedName) -> Similarity | None:
        if form.script == "han" and row.form.script != "han":
            return None  # a Chinese query is not compared with English names
        sim = compare(form, row.form, row.division)
        if row.kind == "alias":
            return Similarity(max(0.0, round(sim.score - _ALIAS_COST, 3)), sim.reason)
        return sim

    def _registered(self, usci: str, fallback: str) -> str:
        for row in self.index.names(self.index.rows_of(usci)):
            if row.kind == "name":
                return row.text
        return fallback

    def rank(self, form: NameForm, exclude: Collection[str] = ()) -> list[Candidate]:
        """Every proposed entity with its best-scoring name, best first."""
        best: dict[str, tuple[float, int, IndexedName, Similarity]] = {}
        order = {"name": 0, "name_en": 1, "alias": 2}
        for row in self.index.names(self.index.candidates(form, _CANDIDATES)):
            if row.usci in exclude:
                continue
            sim = self._similarity(form, row)
            if sim is None:
                continue
            held = best.get(row.usci)
            if held is None or (sim.score, -order[row.kind]) > (held[0], -held[1]):
                best[row.usci] = (sim.score, order[row.kind], row, sim)
        ranked = sorted(best.values(), key=lambda v: (-v[0], v[1], v[2].usci))
        return [
            Candidate(
                usci=row.usci,
                name=row.text if row.kind == "name" else self._registered(row.usci, row.text),
                matched=row.text,
                via=row.kind,
                score=score,
                reason=_VIA_PREFIX[row.kind] + sim.reason,
                natural_person=row.natural_person,
            )
            for score, _, row, sim in ranked[: ALTERNATIVES + 2]
        ]

    def match(
        self,
        name: str | None = None,
        usci: str | None = None,
        rejected: Mapping[str, Collection[str]] | None = None,
    ) -> MatchResult:
        """Match one row: ``usci`` first when it is given and known, else ``name``.

        ``rejected`` maps query keys to organisations reviewers ruled out for them
        (:func:`corpcredit.screening.decisions.rejected_for`).
        """
        name = (name or "").strip() or None
        flags: list[str] = []
        form = normalise(name) if name else None
        key = form.key if form is not None and form.core else None
        exclude: Collection[str] = (rejected or {}).get(key, ()) if key else ()
        if usci and usci.strip():
            code = ids.compact(usci)
            if not ids.is_valid(code):
                flags.append("usci_invalid")
            elif not self.index.rows_of(code):
                flags.append("usci_unknown")
            else:
                return self._by_identifier(code, form, key, flags)
        if form is None or not form.core:
            return MatchResult("none", None, (), tuple(flags), key)
        return self._by_name(form, key, flags, exclude)

    def _by_identifier(
        self, code: str, form: NameForm | None, key: str | None, flags: list[str]
    ) -> MatchResult:
        rows = self.index.names(self.index.rows_of(code))
        registered = next((r for r in rows if r.kind == "name"), rows[0])
        reason = "identifier"
        alternatives: tuple[Candidate, ...] = ()
        if form is not None and form.core:
            sims = [s for s in (self._similarity(form, r) for r in rows) if s is not None]
            agree = max(sims, key=lambda s: s.score, default=Similarity(0.0, "nothing to compare"))
            if agree.score >= self.threshold:
                reason = f"identifier; the name agrees ({agree.score:.2f})"
            else:
                flags.append("name_contradicts_usci")
                reason = (
                    f"identifier; the name given does not match the registered name "
                    f"({agree.score:.2f}: {agree.reason})"
                )
                alternatives = tuple(
                    c for c in self.rank(form, exclude={code}) if c.score >= self.threshold
                )[:ALTERNATIVES]
        best = Candidate(
            code, registered.text, registered.text, "usci", 1.0, reason, registered.natural_person
        )
        return MatchResult("usci", best, alternatives, tuple(flags), key)

    def _by_name(
        self, form: NameForm, key: str | None, flags: list[str], exclude: Collection[str]
    ) -> MatchResult:
        ranked = self.rank(form)
        if exclude and ranked and ranked[0].usci in exclude:
            flags.append("reviewer_rejected")
        ranked = [c for c in ranked if c.usci not in exclude]
        if not ranked or ranked[0].score < self.threshold:
            alternatives = tuple(c for c in ranked if c.score >= _ALT_FLOOR)[:ALTERNATIVES]
            return MatchResult("none", None, alternatives, tuple(flags), key)
        top = ranked[0]
        rivals = [c for c in ranked[1:] if top.score - c.score < self.margin - 1e-9]
        if rivals:
            return MatchResult("ambiguous", None, tuple(ranked[:ALTERNATIVES]), tuple(flags), key)
        alternatives = tuple(c for c in ranked[1:] if c.score >= _ALT_FLOOR)[:ALTERNATIVES]
        return MatchResult("name", top, alternatives, tuple(flags), key)

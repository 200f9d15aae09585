"""The candidate index: every registered, English and former name, filed by blocking key.

Stage one of matching. Each name of each entity becomes one *row* (the entity's
USCI, which name it is, its registered division, the name as written and its
normalised form); each row is filed under its blocking keys (:mod:`.keys`) in
compressed postings (one sorted ``int32`` array plus offsets per key). A query
looks up its own keys, pools the rows under the rarest ones, weighs each pooled
row by how rare the keys it shares are (a trade name counts most) plus a bonus
for a row registered in the query's region, and hands the best few dozen rows to
the scorer.

The index is built once from the store and saved to a directory (the rows end to
end in one UTF-8 file, the keys in Parquet, postings and lookups as ``.npy``
arrays, a JSON manifest), which loads in well under a second for a million
organisations. :meth:`CandidateIndex.update` keeps it current
as entities are ingested: changed entities' old rows are tombstoned and their new
rows go to a small in-memory delta, saved beside the base; :meth:`compact` folds
the delta back into the base.
"""

from __future__ import annotations

import functools
import json
import math
import os
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from corpcredit.ids import compact as compact_usci
from corpcredit.screening.errors import IndexUnusable
from corpcredit.screening.keys import blocking_keys, query_keys
from corpcredit.screening.normalise import NameForm
from corpcredit.screening.rows import (
    IndexedName,
    division_number,
    entity_record,
    form_of,
    packed_rows,
    parse_row,
    usci_of,
)

__all__ = ["FORMAT_VERSION", "CandidateIndex", "IndexManifest"]

FORMAT_VERSION = 2
_BUDGET = 5_000  # postings pooled per query, rarest keys first
_MIN_KEYS = 1  # ... but at least this many keys, however common
_POOL = 1_000  # pooled rows scored on the common keys too
_REGION_BONUS = 1.0
_RELATIVE_FLOOR = 0.5
# Character keys repeat what sound keys say, more precisely: they count half, so a
# homophone typo (华鑫 for 华信), which shares only the sounds, still ranks high.
_CHAR_WEIGHT = 0.5
_ROW_END = "\n"  # rows never hold a newline: names are folded to single spaces
_DELTA_SCHEMA: dict[str, pl.DataType] = {
    "usci": pl.String(),
    "name": pl.String(),
    "name_en": pl.String(),
    "aliases": pl.List(pl.String()),
    "division_code": pl.String(),
    "natural_person": pl.Boolean(),
}

Progress = Callable[[int], None]


@dataclass
class IndexManifest:
    """What the saved index was built from; the screening service checks it."""

    matcher_version: str
    built_at: str
    watermark: str | None = None  # the newest entities.updated_at seen
    database: str | None = None
    entities: int = 0
    format_version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)


class CandidateIndex:
    """Rows, their postings, and a delta of updates since the base was built."""

    def __init__(
        self,
        blob: bytes,
        row_offsets: np.ndarray,
        keys: Sequence[str],
        offsets: np.ndarray,
        postings: np.ndarray,
        manifest: IndexManifest,
        lookup: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.manifest = manifest
        # Rows are UTF-8 strings laid end to end in one buffer: slicing a few dozen
        # out of it is several times faster than gathering from an Arrow column,
        # and a million rows cost one object instead of a million.
        self._blob = blob
        self._row_offsets = row_offsets
        self._n = len(row_offsets) - 1
        self._vocab = {k: i for i, k in enumerate(keys)}
        self._keys = list(keys)
        self._offsets = offsets
        self._postings = postings
        self._usci_sorted, self._usci_rows, self._division = lookup or self._lookup()
        self._dead: set[int] = set()
        self._delta_rows: list[str] = []
        self._delta_postings: dict[str, list[int]] = {}
        self._delta_usci: dict[str, list[int]] = {}
        self._delta_entities: dict[str, dict[str, Any]] = {}

    def _lookup(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """USCIs sorted (with their rows) for :meth:`rows_of`; each row's division."""
        rows = self._base_rows()
        usci = np.array([usci_of(r) for r in rows], dtype="S18")
        order = np.argsort(usci, kind="stable").astype(np.int32)
        division = np.fromiter((division_number(r) for r in rows), np.int32, count=len(rows))
        return usci[order], order, division

    def _base_rows(self) -> list[str]:
        return self._blob.decode("utf-8").split(_ROW_END)[:-1] if self._n else []

    # ----------------------------------------------------------------- building

    @classmethod
    def build(
        cls,
        entities: Iterable[Mapping[str, Any]],
        manifest: IndexManifest,
        progress: Progress | None = None,
    ) -> CandidateIndex:
        """Normalise every name of ``entities`` and file it (the slow part: ~30 µs a name)."""
        packed: list[str] = []
        vocab: dict[str, int] = {}
        key_ids = array("i")
        row_ids = array("i")
        count = 0
        for entity in entities:
            for row, form in packed_rows(entity):
                r = len(packed)
                packed.append(row)
                for key in blocking_keys(form):
                    key_ids.append(vocab.setdefault(key, len(vocab)))
                    row_ids.append(r)
            count += 1
            if progress and count % 10_000 == 0:
                progress(count)
        manifest.entities = count
        return cls._assemble(packed, vocab, key_ids, row_ids, manifest)

    @classmethod
    def _from_packed(cls, packed: list[str], manifest: IndexManifest) -> CandidateIndex:
        vocab: dict[str, int] = {}
        key_ids = array("i")
        row_ids = array("i")
        for r, row in enumerate(packed):
            form = form_of(row)
            for key in blocking_keys(form):
                key_ids.append(vocab.setdefault(key, len(vocab)))
                row_ids.append(r)
        return cls._assemble(packed, vocab, key_ids, row_ids, manifest)

    @classmethod
    def _assemble(
        cls,
        packed: list[str],
        vocab: dict[str, int],
        key_ids: array[int],
        row_ids: array[int],
        manifest: IndexManifest,
    ) -> CandidateIndex:
        """Postings sorted by key, rows laid end to end."""
        k = np.frombuffer(key_ids, dtype=np.int32) if key_ids else np.zeros(0, np.int32)
        r_ = np.frombuffer(row_ids, dtype=np.int32) if row_ids else np.zeros(0, np.int32)
        order = np.argsort(k, kind="stable")
        counts = np.bincount(k, minlength=len(vocab))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        encoded = [(row + _ROW_END).encode("utf-8") for row in packed]
        lengths = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
        row_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        blob = b"".join(encoded)
        return cls(blob, row_offsets, list(vocab), offsets, r_[order].copy(), manifest)

    # ----------------------------------------------------------------- persistence

    def save(self, directory: Path) -> None:
        """Write the index to ``directory`` (created); each file is replaced atomically."""
        directory.mkdir(parents=True, exist_ok=True)

        def write(name: str, writer: Callable[[Path], object]) -> None:
            tmp = directory / f".{name}.tmp"
            writer(tmp)
            os.replace(tmp, directory / name)

        write("rows.bin", lambda p: p.write_bytes(self._blob))
        write(
            "keys.parquet",
            lambda p: pl.DataFrame({"key": self._keys}, schema={"key": pl.String}).write_parquet(p),
        )
        arrays = {
            "row_offsets": self._row_offsets,
            "offsets": self._offsets,
            "postings": self._postings,
            "usci_sorted": self._usci_sorted,
            "usci_rows": self._usci_rows,
            "division": self._division,
        }
        for name, arr in arrays.items():
            write(f"{name}.npy", functools.partial(_save_npy, arr=arr))
        delta = pl.DataFrame(list(self._delta_entities.values()), schema=_DELTA_SCHEMA)
        write("delta.parquet", lambda p: delta.write_parquet(p))
        self.manifest.extra["rows"] = len(self)
        write("manifest.json", lambda p: p.write_text(json.dumps(vars(self.manifest), indent=2)))

    @classmethod
    def load(cls, directory: Path) -> CandidateIndex:
        """Read an index saved by :meth:`save`, re-applying its delta."""
        try:
            manifest = IndexManifest(**json.loads((directory / "manifest.json").read_text()))
            if manifest.format_version != FORMAT_VERSION:
                raise IndexUnusable(f"the screening index in {directory} has an old format")
            arrays = {
                name: np.load(directory / f"{name}.npy")
                for name in (
                    "row_offsets", "offsets", "postings", "usci_sorted", "usci_rows", "division"
                )
            }  # fmt: skip
            blob = (directory / "rows.bin").read_bytes()
            keys = pl.read_parquet(directory / "keys.parquet")["key"].to_list()
            delta = pl.read_parquet(directory / "delta.parquet")
        except (OSError, ValueError, TypeError, pl.exceptions.PolarsError) as exc:
            raise IndexUnusable(
                f"the screening index in {directory} cannot be read: {exc}"
            ) from exc
        lookup = (arrays["usci_sorted"], arrays["usci_rows"], arrays["division"])
        index = cls(
            blob, arrays["row_offsets"], keys, arrays["offsets"], arrays["postings"], manifest,
            lookup,
        )  # fmt: skip
        index.update(delta.to_dicts())
        return index

    # ----------------------------------------------------------------- updating

    def update(self, entities: Iterable[Mapping[str, Any]]) -> int:
        """Re-index entities that are new or whose names changed; return how many.

        Each entity is a mapping like a row of the entities feed: ``usci``,
        ``name``, optionally ``name_en``, ``aliases``, ``division_code`` and
        ``natural_person``. Unchanged entities cost a comparison only.
        """
        changed = 0
        for entity in entities:
            usci = compact_usci(str(entity["usci"]))
            new_rows = packed_rows(entity)
            old = self.rows_of(usci)
            if sorted(self._fetch(old)) == sorted(row for row, _ in new_rows):
                continue
            self._dead.update(old)
            base = self._n + len(self._delta_rows)
            for i, (row, form) in enumerate(new_rows):
                self._delta_rows.append(row)
                self._delta_usci.setdefault(usci, []).append(base + i)
                for key in blocking_keys(form):
                    self._delta_postings.setdefault(key, []).append(base + i)
            self._delta_entities[usci] = entity_record(entity)
            changed += 1
        return changed

    def compact(self) -> CandidateIndex:
        """A new index whose base holds every live row (the delta folded in)."""
        rows = self._base_rows() + self._delta_rows
        packed = [r for i, r in enumerate(rows) if i not in self._dead]
        manifest = IndexManifest(**vars(self.manifest))
        return CandidateIndex._from_packed(packed, manifest)

    @property
    def delta_size(self) -> int:
        """Rows added since the base was built."""
        return len(self._delta_rows)

    # ----------------------------------------------------------------- reading

    def __len__(self) -> int:
        """Live rows (names), not entities."""
        return self._n + len(self._delta_rows) - len(self._dead)

    def _fetch(self, ids: Sequence[int]) -> list[str]:
        n, blob, offsets = self._n, self._blob, self._row_offsets
        out = []
        for i in ids:
            if i < n:
                out.append(blob[int(offsets[i]) : int(offsets[i + 1]) - 1].decode("utf-8"))
            else:
                out.append(self._delta_rows[i - n])
        return out

    def names(self, ids: Sequence[int]) -> list[IndexedName]:
        """The rows ``ids``, parsed."""
        return [parse_row(i, packed) for i, packed in zip(ids, self._fetch(ids), strict=True)]

    def rows_of(self, usci: str) -> list[int]:
        """Live rows of one entity (its names), in index order."""
        key = usci.encode("ascii", "replace")
        lo = int(np.searchsorted(self._usci_sorted, key, side="left"))
        hi = int(np.searchsorted(self._usci_sorted, key, side="right"))
        found = [int(i) for i in self._usci_rows[lo:hi]] + self._delta_usci.get(usci, [])
        return sorted(i for i in found if i not in self._dead)

    def _rows_under(self, key: str) -> np.ndarray | None:
        """The rows filed under ``key``, ascending (base rows, then delta rows)."""
        parts = []
        kid = self._vocab.get(key)
        if kid is not None:
            parts.append(self._postings[self._offsets[kid] : self._offsets[kid + 1]])
        extra = self._delta_postings.get(key)
        if extra:
            parts.append(np.asarray(extra, dtype=np.int32))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def candidates(self, form: NameForm, limit: int = 50) -> list[int]:
        """Up to ``limit`` rows sharing the most telling keys with ``form``, best first.

        The pool is drawn from the rarest keys (within a budget of postings); each
        row of the pool then scores the inverse document frequency of every key it
        shares with the query, common ones included, so that among the many rows
        sharing a rare trade-name key the one sharing the rest of the name wins.
        """
        found: list[tuple[np.ndarray, float]] = []
        for key in query_keys(form):
            ids = self._rows_under(key)
            if ids is not None:
                found.append((ids, _CHAR_WEIGHT if key[0] == "c" else 1.0))
        if not found:
            return []
        found.sort(key=lambda item: len(item[0]))
        size = self._n + len(self._delta_rows)
        weight = [factor * math.log1p(size / len(ids)) for ids, factor in found]
        chosen, total = 0, 0
        while chosen < len(found) and (
            chosen < _MIN_KEYS or total + len(found[chosen][0]) <= _BUDGET
        ):
            total += len(found[chosen][0])
            chosen += 1
        pool, inverse = np.unique(
            np.concatenate([ids for ids, _ in found[:chosen]]), return_inverse=True
        )
        score = np.bincount(
            inverse,
            weights=np.concatenate([np.full(len(found[i][0]), weight[i]) for i in range(chosen)]),
        ).astype(np.float64)
        if self._dead:
            score[np.isin(pool, np.fromiter(self._dead, dtype=np.int64))] = -1.0
        score += _REGION_BONUS * self._in_region(pool, form.codes)
        if len(pool) > _POOL:
            top = np.argpartition(-score, _POOL)[:_POOL]
            pool, score = pool[top], score[top]
        # The common keys left out of the pool still tell its rows apart.
        for (ids, _), w in zip(found[chosen:], weight[chosen:], strict=True):
            at = np.minimum(np.searchsorted(ids, pool), len(ids) - 1)
            score += (ids[at] == pool) * w
        if len(pool) > limit:
            top = np.argpartition(-score, limit)[:limit]
            pool, score = pool[top], score[top]
        # Rows sharing much less than the best row shares are not worth scoring.
        keep = score >= _RELATIVE_FLOOR * score.max()
        pool, score = pool[keep], score[keep]
        order = np.lexsort((pool, -score))
        return [int(pool[i]) for i in order if score[i] >= 0]

    def _in_region(self, ids: np.ndarray, codes: frozenset[str]) -> np.ndarray:
        """1.0 for rows registered inside one of the region prefixes ``codes``."""
        hit = np.zeros(len(ids), dtype=np.float64)
        if not codes:
            return hit
        n = self._n
        base = ids < n
        division = np.zeros(len(ids), dtype=np.int64)
        division[base] = self._division[ids[base]]
        for j in np.flatnonzero(~base):
            division[j] = division_number(self._delta_rows[int(ids[j]) - n])
        for prefix in codes:
            if prefix and prefix.isdigit():
                scale = 10 ** (6 - len(prefix))
                hit[(division // scale) == int(prefix)] = 1.0
        return hit

    def stamp(self) -> str:
        """When the index was built and how large it is, for a report."""
        return f"{self.manifest.built_at}, {len(self):,} names"


def _save_npy(path: Path, arr: np.ndarray) -> None:  # (path first: a partial's argument)
    with path.open("wb") as fh:
        np.save(fh, arr)


def now_iso() -> str:
    """The current instant, ISO 8601 in UTC (for manifests)."""
    return datetime.now(UTC).isoformat(timespec="seconds")

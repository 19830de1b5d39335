"""Reading the offers index: a process-wide reader and consistent snapshots.

`OffersIndex.snapshot()` costs one `stat` of the pointer when nothing changed;
after a publish it opens the new manifest (reusing the parts it already has
open). A search holds one `Snapshot` from start to end, so it finishes on the
generation it started on, and the next search after a publish sees it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from search import index_store, text_index
from search.index_parts import Part, key_hash

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BrandChoice:
    """One brand an article exists under, for the user to choose from."""

    brand: str
    name: str
    offers: int


ALL_DEPARTMENTS = "*"
"""A department that sees every price list (an admin with no department)."""


def allowed_suppliers(
    manifest: index_store.Manifest,
    *,
    department: str | None,
    price_groups: Sequence[str] | None = None,
) -> frozenset[str]:
    """Suppliers a department may see, narrowed to some price groups (those
    with no live load yet too, so that they can be listed)."""
    wanted = set(price_groups or ())
    out = set()
    for supplier_id, meta in manifest.metas().items():
        if (
            meta.departments
            and department != ALL_DEPARTMENTS
            and department not in meta.departments
        ):
            continue
        if wanted and not wanted & set(meta.price_groups):
            continue
        out.add(supplier_id)
    return frozenset(out)


class Snapshot:
    """One manifest with its parts opened: what a search reads."""

    def __init__(self, manifest: index_store.Manifest, parts: list[Part]) -> None:
        self.manifest = manifest
        self.parts = parts
        self._live = [self._live_mask(p) for p in parts]
        self._masks: dict[frozenset[str], list[np.ndarray]] = {}
        self._allowed: dict[tuple[Any, ...], frozenset[str] | None] = {}
        self._lock = threading.Lock()

    @cached_property
    def supplier_details(self) -> dict[str, tuple[str, float | None, str | None]]:
        """Per supplier: the name, delivery probability and the price group
        pricing uses (its first), as quote lines show them."""
        return {
            s: (
                e.meta.name,
                e.meta.delivery_probability,
                e.meta.price_groups[0] if e.meta.price_groups else None,
            )
            for s, e in self.manifest.suppliers.items()
        }

    @property
    def generation(self) -> str:
        return self.manifest.generation

    @property
    def seq(self) -> int:
        return self.manifest.seq

    def _live_mask(self, part: Part) -> np.ndarray:
        suppliers = self.manifest.suppliers
        return np.array(
            [
                s in suppliers and suppliers[s].part == part.part_id
                for s in part.supplier_names
            ],
            dtype=bool,
        )

    def allowed(
        self, department: str | None, price_groups: Sequence[str] = ()
    ) -> frozenset[str] | None:
        """The suppliers a caller may see; None when that is every supplier."""
        key = (department, tuple(sorted(price_groups)))
        with self._lock:
            if key in self._allowed:
                return self._allowed[key]
        found: frozenset[str] | None = allowed_suppliers(
            self.manifest, department=department, price_groups=price_groups
        )
        if found == frozenset(self.manifest.suppliers) | set(self.manifest.unloaded):
            found = None
        with self._lock:
            if len(self._allowed) > 256:
                self._allowed.clear()
            self._allowed[key] = found
        return found

    def masks(self, allowed: frozenset[str] | None) -> list[np.ndarray]:
        """Per part, which of its supplier codes a search may return."""
        if allowed is None:
            return self._live
        with self._lock:
            found = self._masks.get(allowed)
            if found is None:
                found = [
                    live & np.array([s in allowed for s in p.supplier_names], bool)
                    for p, live in zip(self.parts, self._live, strict=True)
                ]
                if len(self._masks) > 256:
                    self._masks.clear()
                self._masks[allowed] = found
        return found

    def find(
        self,
        keys: Sequence[tuple[str, str]],
        *,
        allowed: frozenset[str] | None = None,
        limit: int | None = None,
    ) -> tuple[dict[str, list[Any]], list[int], bool]:
        """Offers of identities `(brand, article)` as columns, the index of the
        key each row answers, and whether `limit` cut them (the first keys keep
        their rows, the cheapest in their currency first)."""
        columns: dict[str, list[Any]] = {}
        asked: list[int] = []
        if not keys:
            return columns, asked, False
        hashes = np.fromiter(
            (key_hash(b, a) for b, a in keys), dtype=np.uint64, count=len(keys)
        )
        for part, mask in zip(self.parts, self.masks(allowed), strict=True):
            hits = part.find(hashes, keys)
            if not len(hits.rows):
                continue
            keep = mask[part.supplier_codes(hits.rows)]
            if not keep.any():
                continue
            found = part.gather(hits.rows[keep])
            for name, values in found.items():
                columns.setdefault(name, []).extend(values)
            asked.extend(hits.asked[keep].tolist())
        truncated = limit is not None and len(asked) > limit
        if truncated:
            assert limit is not None
            price = columns["price_kop"]
            order = sorted(range(len(asked)), key=lambda i: (asked[i], price[i]))
            order = order[:limit]
            columns = {n: [v[i] for i in order] for n, v in columns.items()}
            asked = [asked[i] for i in order]
        return columns, asked, truncated

    def brands(
        self, article: str, *, allowed: frozenset[str] | None = None
    ) -> list[BrandChoice]:
        """Brands holding this canonical article, with visible offer counts."""
        names: dict[str, str] = {}
        for part in self.parts:
            for brand, _count, name in part.brands_of(article):
                names.setdefault(brand, name)
        if not names:
            return []
        keys = [(b, article) for b in names]
        columns, asked, _ = self.find(keys, allowed=allowed)
        counts = np.bincount(np.asarray(asked, np.int64), minlength=len(keys))
        first_name: dict[int, str] = {}
        for i, name in zip(asked, columns.get("name", []), strict=True):
            if name:
                first_name.setdefault(i, name)
        # a brand only superseded, removed or hidden suppliers hold is not offered
        choices = [
            BrandChoice(brand=b, name=first_name.get(i) or names[b],
                        offers=int(counts[i]))
            for i, b in enumerate(names)
            if counts[i]
        ]  # fmt: skip
        return sorted(choices, key=lambda c: (-c.offers, c.brand))

    def text(
        self,
        words: Sequence[str],
        *,
        allowed: frozenset[str] | None = None,
        brand: str | None = None,
        limit: int = 50,
    ) -> list[tuple[str, str]]:
        """Identities whose names hold every word, best first (BM25 weighted by
        the number of offers), at most `limit`."""
        scored: list[tuple[float, str, str]] = []
        for part, mask in zip(self.parts, self.masks(allowed), strict=True):
            # a part's documents name every supplier it was built with: keep
            # those still served by this part (and allowed), as `find` does
            live = [s for s, ok in zip(part.supplier_names, mask, strict=True) if ok]
            query = text_index.words_query(
                part.text,
                words,
                suppliers=None if mask.all() else live,
                brand=brand,
            )
            if query is None:
                return []
            hits = part.text_search(query, limit)
            keys = part.identity_keys([ident for _, ident in hits])
            scored.extend(
                (score, b, a) for (score, _), (b, a) in zip(hits, keys, strict=True)
            )
        scored.sort(key=lambda t: (-t[0], t[1], t[2]))
        seen: dict[tuple[str, str], None] = {}
        for _, b, a in scored:
            seen.setdefault((b, a), None)
        return list(seen)[:limit]

    def stats(self) -> dict[str, Any]:
        """Counts of the live index."""
        return {
            "generation": self.manifest.generation,
            "seq": self.manifest.seq,
            "parts": [p.info.__dict__ | {"folder": p.folder.name} for p in self.parts],
            "suppliers": len(self.manifest.suppliers),
            "offers": sum(e.rows for e in self.manifest.suppliers.values()),
            "bytes": sum(_folder_bytes(p.folder) for p in self.parts),
        }


def _folder_bytes(folder: Path) -> int:
    total = 0
    for base, _dirs, names in os.walk(folder):
        for name in names:
            total += os.path.getsize(os.path.join(base, name))
    return total


class OffersIndex:
    """The index of one data dir, shared by the threads of a process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._parts: dict[str, Part] = {}
        self._snapshot: Snapshot | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    def _pointer_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.root / "CURRENT")
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def snapshot(self) -> Snapshot | None:
        """The live snapshot; None while nothing was indexed yet."""
        stamp = self._pointer_stamp()
        current = self._snapshot
        if stamp is not None and stamp == self._stamp and current is not None:
            return current
        with self._lock:
            stamp = self._pointer_stamp()
            if stamp is None:
                return None
            if stamp != self._stamp or self._snapshot is None:
                self._snapshot = self._open(stamp)
            return self._snapshot

    def _open(self, stamp: tuple[int, int, int]) -> Snapshot | None:
        manifest = index_store.read_current(self.root)
        if manifest is None:
            return None
        layout = index_store.IndexLayout(self.root)
        parts = [self._part(layout.parts / p) for p in manifest.parts]
        self._parts = {p.part_id: p for p in parts}  # drop parts no longer named
        self._stamp = stamp
        log.info(
            "index opened: generation=%s seq=%d parts=%d",
            manifest.generation, manifest.seq, len(parts),
        )  # fmt: skip
        return Snapshot(manifest, parts)

    def _part(self, folder: Path) -> Part:
        found = self._parts.get(folder.name)
        return found if found is not None else Part(folder)


def open_index(root: Path) -> OffersIndex:
    """A reader over an index folder (it may not exist yet)."""
    return OffersIndex(root)

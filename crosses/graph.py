"""The cross graph: which parts replace which, resolved in memory.

Identities `(brand, article)` are interned to ints; edges become a CSR
adjacency (`indptr`, `dst`, the edge id of every arc) over numpy arrays, and
lookups go through a sorted array of 64-bit FNV-1a hashes of `brand\\x1farticle`
checked against the stored strings, so no Python object is kept per part.

Rules of `CrossGraph.analogs`:

- `analog` and `oe` edges are followed both ways; `replacement` (old → new) and
  `one_way` only from a to b.
- Transitive up to `depth` edges. Identities are exact: `616024` never finds
  `AA616024ZZ`, and the same number under two brands is two parts.
- A part whose brand is unknown (an OE number a file gave without its maker)
  is listed but never passed through: two files naming the same bare number
  may mean two makers.
- OE makers: a part is an OE number when its brand is a vehicle maker
  (`crosses.vehicle_makers`: car and truck makers, and OE parts brands such as
  HYUNDAI MOBIS) whatever edge reached it, when it is the original side of an
  `oe` edge, or when it shares its brand with one across a direct edge
  (same-maker related numbers). An `analog` edge between an aftermarket part
  and a vehicle maker's number is taken as `oe` (aftermarket → OE). A path
  remembers the maker (the numbering: HYUNDAI, KIA and HYUNDAI MOBIS share
  one) of the last OE number on it, and may enter an OE number of another
  maker only over a direct OE-to-OE edge, never through an aftermarket part:
  VOLVO 20998367 ↔ MANN X ↔ SCANIA 20998367 is refused, whichever kind the
  edges have, unless a source links the two OE numbers directly.
- Blocked edges are not followed; with `include_blocked` the parts they lead
  to are listed with `blocked: true`. An analog is `verified` when every edge
  of its path is.
- The group guard: a part with more edges than `max_group` (a bad line that
  joins thousands of parts) is listed but not expanded, and a resolution stops
  at `max_group` analogs; either way the answer says `truncated` and names the
  part and the edge that led to it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from crosses import store
from crosses.articles import normalize_article
from crosses.brands import BrandTable, default_table
from crosses.vehicle_makers import is_maker_expr, vehicle_makers

log = logging.getLogger(__name__)

DEFAULT_DEPTH = 2
DEFAULT_MAX_GROUP = 200
SEP = "\x1f"
KIND_CODE: dict[str, int] = {kind: code for code, kind in enumerate(store.KINDS)}
_TWO_WAY_CODES = [KIND_CODE[k] for k in store.TWO_WAY]
_OE = KIND_CODE["oe"]

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK = (1 << 64) - 1


class CrossGraphError(Exception):
    """The edges cannot be made into a graph (a hash collision, bad columns)."""


def fnv1a(text: str) -> int:
    """64-bit FNV-1a of the UTF-8 bytes of `text`."""
    value = _FNV_OFFSET
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * _FNV_PRIME) & _MASK
    return value


def fnv1a_array(strings: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """`fnv1a` of every string of an Arrow array, one byte position at a time."""
    array = pc.cast(strings, pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    n = len(array)
    _validity, offsets_buf, data_buf = array.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[
        array.offset : array.offset + n + 1
    ]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf else np.empty(0, np.uint8)
    )
    lengths = np.diff(offsets)
    order = np.argsort(-lengths, kind="stable")
    starts = offsets[:-1][order]
    longer_than = -lengths[order]  # ascending; strings longer than j come first
    hashes = np.full(n, _FNV_OFFSET, dtype=np.uint64)
    prime = np.uint64(_FNV_PRIME)
    for j in range(int(lengths.max()) if n else 0):
        count = int(np.searchsorted(longer_than, -j, side="left"))
        hashes[:count] ^= data[starts[:count] + j]
        hashes[:count] *= prime
    out = np.empty_like(hashes)
    out[order] = hashes
    return out


# Answers --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hop:
    """One edge followed, in the direction it was followed."""

    from_brand: str
    from_article: str
    to_brand: str
    to_article: str
    kind: str
    source: str
    sources: tuple[str, ...]
    verified: bool
    blocked: bool
    row: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": {"brand": self.from_brand or None, "article": self.from_article},
            "to": {"brand": self.to_brand or None, "article": self.to_article},
            "kind": self.kind,
            "source": self.source,
            "sources": list(self.sources),
            "verified": self.verified,
            "blocked": self.blocked,
            "row": self.row,
        }


@dataclass(frozen=True, slots=True)
class Analog:
    """A part that can stand in for the one asked for, and how it was reached."""

    brand: str
    article: str
    kind: str
    verified: bool
    blocked: bool
    path: tuple[Hop, ...]
    confirmed: bool | None = None  # by the catalogue; None when none is loaded

    @property
    def depth(self) -> int:
        return len(self.path)

    def to_dict(self) -> dict[str, Any]:
        """The object `parts analogs --json` prints (an unknown brand is null)."""
        return {
            "brand": self.brand or None,
            "article": self.article,
            "kind": self.kind,
            "verified": self.verified,
            "blocked": self.blocked,
            "confirmed": self.confirmed,
            "depth": self.depth,
            "path": [hop.to_dict() for hop in self.path],
        }


@dataclass(frozen=True)
class Guard:
    """Why a resolution was cut: the part that joins too many, and how it was reached."""

    reason: str  # "hub": not expanded; "group_cap": the answer reached the cap
    brand: str
    article: str
    degree: int
    via: Hop | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "brand": self.brand or None,
            "article": self.article,
            "degree": self.degree,
            "via": self.via.to_dict() if self.via else None,
            "message": self.message,
        }


@dataclass
class Resolution:
    """The analogs of one identity, with what stopped the search early, if anything."""

    brand: str
    article: str
    known: bool
    analogs: list[Analog] = field(default_factory=list)
    truncated: bool = False
    guard: Guard | None = None
    oe_hops_refused: int = 0

    def to_list(self) -> list[dict[str, Any]]:
        """The JSON array of `parts analogs --json`."""
        return [analog.to_dict() for analog in self.analogs]


# The graph ------------------------------------------------------------------------

_Key = tuple[int, int]  # (node, maker of the last OE number on the path, or -1)


@dataclass
class _Walk:
    """The state of one breadth-first resolution."""

    parent: dict[_Key, tuple[_Key | None, int]]
    parallel: dict[_Key, list[int]] = field(default_factory=dict)
    first: dict[int, _Key] = field(default_factory=dict)
    blocked: list[tuple[_Key, int, int]] = field(default_factory=list)
    refused: int = 0
    truncated: bool = False
    guard: tuple[str, int, _Key] | None = None  # reason, degree, key of the node


class CrossGraph:
    """Live crosses of every source as compact arrays; `analogs` resolves one part."""

    def __init__(
        self,
        *,
        brands: list[str],
        node_brand: np.ndarray,
        articles: pa.Array,
        edge_a: np.ndarray,
        edge_b: np.ndarray,
        edge_kind: np.ndarray,
        edge_source: np.ndarray,
        sources: list[str],
        edge_row: np.ndarray,
        verified: np.ndarray,
        blocked: np.ndarray,
        max_group: int = DEFAULT_MAX_GROUP,
        depth: int = DEFAULT_DEPTH,
        brand_table: BrandTable | None = None,
        node_hash: np.ndarray | None = None,
    ) -> None:
        """Arrays as `build` makes them; node ids must follow the hash order."""
        self.max_group = max_group
        self.depth = depth
        self._brand_table = brand_table or default_table()
        self._brands = brands
        self._brand_id = {b: i for i, b in enumerate(brands)}
        self._node_brand = node_brand
        self._articles = articles
        self._node_hash = (
            node_hash if node_hash is not None else fnv1a_array(self._keys())
        )
        self._article_hash = fnv1a_array(articles)
        self._article_order = np.argsort(self._article_hash, kind="stable")
        self._article_sorted = self._article_hash[self._article_order]
        self._edge_a, self._edge_b = edge_a, edge_b
        self._edge_kind, self._edge_source = edge_kind, edge_source
        self._sources = sources
        self._edge_row = edge_row
        self._src_verified, self._src_blocked = verified, blocked
        self._verified, self._blocked = verified.copy(), blocked.copy()
        self.unmatched_marks: list[dict[str, Any]] = []
        self._adjacency()
        self._oe_makers()

    # building ----------------------------------------------------------------

    def _keys(self) -> pa.Array:
        brands = pa.array(self._brands, pa.large_string()).take(
            pa.array(self._node_brand)
        )
        sep = pa.scalar(SEP, pa.large_string())
        return pc.binary_join_element_wise(brands, self._articles, sep)

    def _adjacency(self) -> None:
        n = len(self._node_brand)
        two_way = np.isin(self._edge_kind, _TWO_WAY_CODES)
        ids = np.arange(len(self._edge_a), dtype=np.int32)
        src = np.concatenate([self._edge_a, self._edge_b[two_way]])
        dst = np.concatenate([self._edge_b, self._edge_a[two_way]])
        arc_edge = np.concatenate([ids, ids[two_way]])
        order = np.argsort(src, kind="stable")
        self._dst = dst[order]
        self._arc_edge = arc_edge[order]
        self._indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=self._indptr[1:])

    def _oe_makers(self) -> None:
        n = len(self._node_brand)
        makers = vehicle_makers(self._brand_table)
        numbering: dict[str, int] = {}
        brand_maker = np.array(
            [
                numbering.setdefault(makers.get(b, b), len(numbering))
                for b in self._brands
            ],
            dtype=np.int32,
        )
        vehicle = np.array([b in makers for b in self._brands], dtype=bool)
        is_oe = vehicle[self._node_brand] if n else np.zeros(0, dtype=bool)
        is_oe[self._edge_b[self._edge_kind == _OE]] = True
        a, b = self._edge_a, self._edge_b
        same = (self._node_brand[a] == self._node_brand[b]) & (self._edge_kind != _OE)
        sa, sb = a[same], b[same]
        for _ in range(8):  # related numbers of one maker: a short chain at most
            linked = is_oe[sa] | is_oe[sb]
            grown = int(is_oe.sum())
            is_oe[sa[linked]] = True
            is_oe[sb[linked]] = True
            if int(is_oe.sum()) == grown:
                break
        unknown = self._brand_id.get("", -1)
        self._leaf = self._node_brand == unknown
        self._is_oe = is_oe
        self._maker = np.where(
            is_oe & ~self._leaf, brand_maker[self._node_brand], -1
        ).astype(np.int32)

    @classmethod
    def build(
        cls,
        edges: pl.DataFrame,
        *,
        marks: pl.DataFrame | None = None,
        brand_table: BrandTable | None = None,
        max_group: int = DEFAULT_MAX_GROUP,
        depth: int = DEFAULT_DEPTH,
    ) -> CrossGraph:
        """A graph from edges in the lake's schema, with people's marks applied."""
        table = brand_table or default_table()
        frame = _edge_frame(edges, table)
        if marks is not None and not marks.is_empty():
            frame = pl.concat([frame, _manual_edges(frame, store.latest_marks(marks))])
        graph = cls._from_frame(frame, table, max_group=max_group, depth=depth)
        if marks is not None and not marks.is_empty():
            graph.apply_marks(marks)
        return graph

    @classmethod
    def _from_frame(
        cls, frame: pl.DataFrame, table: BrandTable, *, max_group: int, depth: int
    ) -> CrossGraph:
        e = frame.height
        brand_all = pl.concat([frame["brand_a"], frame["brand_b"]])
        article_all = pl.concat([frame["article_a"], frame["article_b"]])
        ids, first, node_hash = _intern(pl.concat([frame["key_a"], frame["key_b"]]))
        node_brands = brand_all.gather(first)
        brands = node_brands.unique().sort()
        sources = frame["source"].unique().sort()
        return cls(
            brands=brands.to_list(),
            node_brand=brands.search_sorted(node_brands).to_numpy().astype(np.int32),
            articles=article_all.gather(first).to_arrow(),
            edge_a=ids[:e],
            edge_b=ids[e:],
            edge_kind=frame["kind"]
            .replace_strict(KIND_CODE, return_dtype=pl.Int8)
            .to_numpy(),
            edge_source=sources.search_sorted(frame["source"])
            .to_numpy()
            .astype(np.int16),
            sources=sources.to_list(),
            edge_row=frame["row"].fill_null(-1).to_numpy().astype(np.int32),
            verified=frame["verified"].fill_null(False).to_numpy().copy(),
            blocked=frame["blocked"].fill_null(False).to_numpy().copy(),
            max_group=max_group,
            depth=depth,
            brand_table=table,
            node_hash=node_hash,
        )

    # marks -------------------------------------------------------------------

    def apply_marks(self, marks: pl.DataFrame) -> list[dict[str, Any]]:
        """Put people's verified/blocked marks over the sources' flags, in place.

        Returns the marks whose pair has no edge here (kept in `unmatched_marks`).
        """
        self._verified[:] = self._src_verified
        self._blocked[:] = self._src_blocked
        missing = []
        for mark in store.latest_marks(marks).iter_rows(named=True):
            a = self.node_id(mark["brand_a"], mark["article_a"])
            b = self.node_id(mark["brand_b"], mark["article_b"])
            if a is None or b is None:
                missing.append(mark)
                continue
            edges = self._edges_between(a, b)
            if not len(edges):
                missing.append(mark)
                continue
            verify = mark["action"] == "verify"
            self._verified[edges] = verify
            self._blocked[edges] = not verify
        self.unmatched_marks = missing
        return missing

    def _edges_between(self, a: int, b: int) -> np.ndarray:
        found = [
            self._arc_edge[self._indptr[u] : self._indptr[u + 1]][
                self._dst[self._indptr[u] : self._indptr[u + 1]] == v
            ]
            for u, v in ((a, b), (b, a))
        ]
        return np.unique(np.concatenate(found))

    # lookups -----------------------------------------------------------------

    @property
    def node_count(self) -> int:
        return len(self._node_brand)

    @property
    def edge_count(self) -> int:
        return len(self._edge_a)

    def brand_of(self, node: int) -> str:
        return self._brands[int(self._node_brand[node])]

    def article_of(self, node: int) -> str:
        value = self._articles[node].as_py()
        return value if isinstance(value, str) else ""

    def node_id(self, brand: str, article: str) -> int | None:
        """The node of a canonical identity, or None when no cross names it."""
        brand_id = self._brand_id.get(brand)
        if brand_id is None:
            return None
        target = fnv1a(f"{brand}{SEP}{article}")
        hashes = self._node_hash
        i = int(np.searchsorted(hashes, np.uint64(target)))
        while i < len(hashes) and int(hashes[i]) == target:
            if self._node_brand[i] == brand_id and self.article_of(i) == article:
                return i
            i += 1
        return None

    def canonical(self, brand: str, article: str) -> tuple[str, str]:
        """The canonical identity of a brand and article as a person types them."""
        canonical_article, _note = normalize_article(article)
        return self._brand_table.canonical(brand) if brand else "", canonical_article

    def identities(self, article: str) -> list[tuple[str, str]]:
        """Every `(brand, article)` holding exactly this canonical article."""
        target = fnv1a(article)
        lo = int(np.searchsorted(self._article_sorted, np.uint64(target), "left"))
        hi = int(np.searchsorted(self._article_sorted, np.uint64(target), "right"))
        nodes = self._article_order[lo:hi].tolist()
        return sorted(
            (self.brand_of(n), article) for n in nodes if self.article_of(n) == article
        )

    def _names(self, nodes: list[int]) -> dict[int, tuple[str, str]]:
        index = np.asarray(nodes, dtype=np.int64)
        brands = self._node_brand[index].tolist()
        articles = self._articles.take(pa.array(index)).to_pylist()
        return {
            n: (self._brands[b], a or "")
            for n, b, a in zip(nodes, brands, articles, strict=True)
        }

    def _edge_attrs(
        self, edges: list[int]
    ) -> dict[int, tuple[str, str, int | None, bool, bool]]:
        index = np.asarray(edges, dtype=np.int64)
        kinds = self._edge_kind[index].tolist()
        sources = self._edge_source[index].tolist()
        rows = self._edge_row[index].tolist()
        verified = self._verified[index].tolist()
        blocked = self._blocked[index].tolist()
        return {
            e: (store.KINDS[k], self._sources[s], r if r >= 0 else None, v, b)
            for e, k, s, r, v, b in zip(
                edges, kinds, sources, rows, verified, blocked, strict=True
            )
        }

    # resolution --------------------------------------------------------------

    def analogs(
        self,
        brand: str,
        article: str,
        *,
        depth: int | None = None,
        include_blocked: bool = False,
        max_group: int | None = None,
    ) -> Resolution:
        """The analogs of a part, each with the path of edges that reached it."""
        brand, article = self.canonical(brand, article)
        node = self.node_id(brand, article)
        if node is None:
            return Resolution(brand, article, known=False)
        cap = max_group if max_group is not None else self.max_group
        walk = self._walk(
            node, depth if depth is not None else self.depth, cap, include_blocked
        )
        return self._answer(brand, article, walk, cap)

    def _walk(self, start: int, depth: int, cap: int, include_blocked: bool) -> _Walk:
        indptr, dst, arc_edge = self._indptr, self._dst, self._arc_edge
        maker, blocked_edges = self._maker, self._blocked
        first_key: _Key = (start, int(maker[start]))
        walk = _Walk(parent={first_key: (None, -1)})
        frontier = [first_key]
        for _level in range(depth):
            following: list[_Key] = []
            for key in frontier:
                u, state = key
                lo, hi = int(indptr[u]), int(indptr[u + 1])
                if u != start and (self._leaf[u] or hi - lo > cap):
                    if hi - lo > cap:
                        self._note_guard(walk, "hub", hi - lo, key)
                    continue
                if lo == hi:
                    continue
                vs, es = dst[lo:hi], arc_edge[lo:hi]
                u_oe = maker[u] >= 0
                for v, e, is_blocked, mv in zip(
                    vs.tolist(),
                    es.tolist(),
                    blocked_edges[es].tolist(),
                    maker[vs].tolist(),
                    strict=True,
                ):
                    if v == start:
                        continue
                    if is_blocked:
                        if include_blocked:
                            walk.blocked.append((key, e, v))
                        continue
                    if mv >= 0 and not u_oe and state >= 0 and state != mv:
                        walk.refused += 1
                        continue
                    next_key = (v, mv if mv >= 0 else state)
                    seen = walk.parent.get(next_key)
                    if seen is not None:
                        if seen[0] == key:
                            walk.parallel.setdefault(next_key, []).append(e)
                        continue
                    if v not in walk.first and len(walk.first) >= cap:
                        self._cap_guard(walk)
                        return walk
                    walk.parent[next_key] = (key, e)
                    following.append(next_key)
                    walk.first.setdefault(v, next_key)
            frontier = following
        return walk

    def _cap_guard(self, walk: _Walk) -> None:
        """At the cap, name the busiest part reached: the likely bad line."""
        keys = [next(iter(walk.parent)), *walk.first.values()]
        nodes = np.fromiter((k[0] for k in keys), dtype=np.int64, count=len(keys))
        degree = self._indptr[nodes + 1] - self._indptr[nodes]
        best = int(np.argmax(degree))
        walk.guard = None
        self._note_guard(walk, "group_cap", int(degree[best]), keys[best])

    @staticmethod
    def _note_guard(walk: _Walk, reason: str, degree: int, key: _Key) -> None:
        walk.truncated = True
        if walk.guard is None or degree > walk.guard[1]:
            walk.guard = (reason, degree, key)

    def _answer(self, brand: str, article: str, walk: _Walk, cap: int) -> Resolution:
        answer = Resolution(brand, article, known=True, truncated=walk.truncated)
        answer.oe_hops_refused = walk.refused
        blocked: dict[int, tuple[_Key, int]] = {}
        for key, edge, v in walk.blocked:
            if v not in walk.first and v not in blocked:
                blocked[v] = (key, edge)
        view = _View(
            self,
            walk,
            extra_nodes=list(blocked),
            extra_edges=[e for _, e in blocked.values()],
        )
        for node, key in walk.first.items():
            answer.analogs.append(view.analog(node, view.path(key)))
        for v, (key, edge) in blocked.items():
            path = (*view.path(key), view.hop(key[0], v, [edge]))
            answer.analogs.append(view.analog(v, path, blocked=True))
        answer.analogs.sort(key=_analog_order)
        if walk.guard is not None:
            answer.guard = self._guard(walk, cap, view)
            log.warning(
                "cross resolution of %s %s cut: %s",
                brand,
                article,
                answer.guard.message,
            )
        return answer

    def _guard(self, walk: _Walk, cap: int, view: _View) -> Guard:
        assert walk.guard is not None
        reason, degree, key = walk.guard
        brand, article = view.names[key[0]]
        path = view.path(key)
        via = path[-1] if path else None
        where = f" (reached over source `{via.source}`, row {via.row})" if via else ""
        if reason == "hub":
            message = (
                f"`{brand} {article}` has {degree} crosses, over the group cap of "
                f"{cap}{where}: listed but not followed"
            )
        else:
            message = (
                f"stopped at {cap} analogs, the group cap; the busiest part reached "
                f"is `{brand} {article}` with {degree} crosses{where}"
            )
        return Guard(reason, brand, article, degree, via, message)

    # figures -----------------------------------------------------------------

    def stats(self, *, top: int = 10) -> dict[str, Any]:
        """Counts by kind and source, and the busiest parts (possible bad lines)."""
        degree = np.diff(self._indptr)
        busiest = np.argsort(-degree, kind="stable")[:top]
        kinds = np.bincount(self._edge_kind, minlength=len(store.KINDS))
        per_source = np.bincount(self._edge_source, minlength=len(self._sources))
        return {
            "nodes": self.node_count,
            "edges": self.edge_count,
            "edges_by_kind": {k: int(kinds[i]) for i, k in enumerate(store.KINDS)},
            "edges_by_source": {
                s: int(per_source[i]) for i, s in enumerate(self._sources)
            },
            "oe_numbers": int(self._is_oe.sum()),
            "unknown_brand_parts": int(self._leaf.sum()),
            "verified_edges": int(self._verified.sum()),
            "blocked_edges": int(self._blocked.sum()),
            "busiest": [
                {
                    "brand": self.brand_of(int(n)) or None,
                    "article": self.article_of(int(n)),
                    "degree": int(degree[n]),
                    "over_cap": bool(degree[n] > self.max_group),
                }
                for n in busiest
                if degree[n] > 0
            ],
        }


def _intern(keys: pl.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node ids of identity keys, ordered by their FNV-1a hash.

    Returns the id of every key, the first position of every node's key, and the
    sorted node hashes. Keys are grouped by a fast hash first and then checked
    string by string, so two identities are never merged by a hash collision.
    """
    if keys.is_empty():
        empty = np.empty(0, np.int64)
        return empty.astype(np.int32), empty, np.empty(0, np.uint64)
    provisional = (keys.hash().rank("dense").cast(pl.Int64) - 1).to_numpy()
    n = int(provisional.max()) + 1
    first = np.empty(n, dtype=np.int64)
    positions = np.arange(len(keys), dtype=np.int64)
    first[provisional[::-1]] = positions[::-1]
    node_keys = keys.gather(first)
    same = keys == node_keys.gather(provisional)
    if not same.all():
        clash = keys.filter(~same)[0]
        raise CrossGraphError(f"two identities share a 64-bit hash (one is `{clash}`)")
    node_hash = fnv1a_array(node_keys.to_arrow())
    order = np.argsort(node_hash, kind="stable")
    remap = np.empty(n, dtype=np.int32)
    remap[order] = np.arange(n, dtype=np.int32)
    return remap[provisional], first[order], node_hash[order]


class _View:
    """Names and edge attributes of one walk, fetched with one array call each."""

    def __init__(
        self,
        graph: CrossGraph,
        walk: _Walk,
        *,
        extra_nodes: list[int],
        extra_edges: list[int],
    ) -> None:
        self.walk = walk
        self.graph = graph
        nodes = list({k[0] for k in walk.parent}.union(extra_nodes))
        edges = {e for _, e in walk.parent.values() if e >= 0}
        edges.update(extra_edges)
        for more in walk.parallel.values():
            edges.update(more)
        self.names = graph._names(nodes)
        self.is_oe = dict(zip(nodes, graph._is_oe[nodes].tolist(), strict=True))
        self.edges = graph._edge_attrs(list(edges))
        self._paths: dict[_Key, tuple[Hop, ...]] = {}

    def path(self, key: _Key) -> tuple[Hop, ...]:
        """The hops from the start to `key`, memoized along the way."""
        found = self._paths.get(key)
        if found is not None:
            return found
        previous, edge = self.walk.parent[key]
        if previous is None:
            path: tuple[Hop, ...] = ()
        else:
            edges = [edge, *self.walk.parallel.get(key, ())]
            path = (*self.path(previous), self.hop(previous[0], key[0], edges))
        self._paths[key] = path
        return path

    def hop(self, u: int, v: int, edges: list[int]) -> Hop:
        """The hop u → v over `edges` (the first one followed, the rest parallel)."""
        kind, source, row, verified, blocked = self.edges[edges[0]]
        sources: tuple[str, ...] = (source,)
        if len(edges) > 1:
            sources = tuple(sorted({self.edges[e][1] for e in edges}))
            verified = any(self.edges[e][3] for e in edges)
        from_brand, from_article = self.names[u]
        to_brand, to_article = self.names[v]
        return Hop(from_brand, from_article, to_brand, to_article, kind, source,
                   sources, verified, blocked, row)  # fmt: skip

    def analog(
        self, node: int, path: tuple[Hop, ...], *, blocked: bool = False
    ) -> Analog:
        """The analog reached over `path`."""
        brand, article = self.names[node]
        return Analog(
            brand=brand,
            article=article,
            kind=_path_kind(path, self.is_oe[node]),
            verified=all(hop.verified for hop in path),
            blocked=blocked,
            path=path,
        )


def _analog_order(analog: Analog) -> tuple[int, bool, bool, str, str]:
    return (
        analog.depth,
        analog.blocked,
        not analog.verified,
        analog.brand,
        analog.article,
    )


def _path_kind(path: tuple[Hop, ...], target_is_oe: bool) -> str:
    """The relation of the last part to the first: one edge gives its own kind."""
    if len(path) == 1:
        return path[0].kind
    kinds = {hop.kind for hop in path}
    if kinds == {"replacement"}:
        return "replacement"
    if target_is_oe:
        return "oe"
    if kinds & {"replacement", "one_way"}:
        return "one_way"
    return "analog"


def _edge_frame(edges: pl.DataFrame, table: BrandTable) -> pl.DataFrame:
    """The columns the graph needs, brands re-mapped through the current alias table."""
    text = [
        pl.col(c).cast(pl.String) for c in ("article_a", "article_b", "kind", "source")
    ]
    frame = edges.select(
        pl.col("brand_a").cast(pl.String).fill_null(""),
        pl.col("brand_b").cast(pl.String).fill_null(""),
        *text,
        pl.col("row").cast(pl.Int32),
        pl.col("verified").cast(pl.Boolean).fill_null(False),
        pl.col("blocked").cast(pl.Boolean).fill_null(False),
    ).filter(
        (pl.col("article_a").fill_null("") != "")
        & (pl.col("article_b").fill_null("") != "")
    )
    spelled = pl.concat([frame["brand_a"], frame["brand_b"]]).unique().to_list()
    mapping = {b: (table.canonical(b) if b else "") for b in spelled}
    changed = {k: v for k, v in mapping.items() if k != v}
    if changed:
        frame = frame.with_columns(
            pl.col(c).replace(changed) for c in ("brand_a", "brand_b")
        )
    return _with_keys(_maker_edges_as_oe(frame, table))


def _maker_edges_as_oe(frame: pl.DataFrame, table: BrandTable) -> pl.DataFrame:
    """An `analog` edge between an aftermarket part and a vehicle maker's number
    is an `oe` edge, aftermarket → OE (edges loaded before the rule included)."""
    maker_a = is_maker_expr("brand_a", table)
    maker_b = is_maker_expr("brand_b", table)
    analog = pl.col("kind") == "analog"
    to_b = analog & maker_b & ~maker_a & (pl.col("brand_a") != "")
    to_a = analog & maker_a & ~maker_b & (pl.col("brand_b") != "")
    if not frame.select((to_a | to_b).any()).item():
        return frame
    pairs = (("brand_a", "brand_b"), ("article_a", "article_b"))
    return frame.with_columns(
        kind=pl.when(to_a | to_b).then(pl.lit("oe")).otherwise(pl.col("kind")),
        **{
            name: pl.when(to_a).then(pl.col(other)).otherwise(pl.col(name))
            for a, b in pairs
            for name, other in ((a, b), (b, a))
        },
    )


def _with_keys(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        key_a=pl.concat_str("brand_a", pl.lit(SEP), "article_a"),
        key_b=pl.concat_str("brand_b", pl.lit(SEP), "article_b"),
    )


def _manual_edges(frame: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame:
    """Verified pairs no source has: crosses a person added."""
    verified = latest.filter(pl.col("action") == "verify")
    if verified.is_empty():
        return frame.clear()
    ids = ["brand_a", "article_a", "brand_b", "article_b"]
    swapped = dict(
        zip(ids, ["brand_b", "article_b", "brand_a", "article_a"], strict=True)
    )
    known = frame.select(ids)
    new = verified.join(known, on=ids, how="anti").join(
        known.rename(swapped), on=ids, how="anti"
    )
    manual = new.select(
        *ids,
        pl.col("kind"),
        source=pl.lit(store.MANUAL_SOURCE),
        row=pl.lit(None, dtype=pl.Int32),
        verified=pl.lit(True),
        blocked=pl.lit(False),
    )
    return _with_keys(manual).select(frame.columns)


def open_graph(
    lake: Path,
    *,
    max_group: int = DEFAULT_MAX_GROUP,
    depth: int = DEFAULT_DEPTH,
    brand_table: BrandTable | None = None,
) -> CrossGraph:
    """The graph of every source's live edges in a lake, with the marks applied."""
    columns = ["brand_a", "article_a", "brand_b", "article_b", "kind", "source",
               "row", "verified", "blocked"]  # fmt: skip
    edges = store.scan_edges(lake).select(columns).collect()
    return CrossGraph.build(
        edges,
        marks=store.read_marks(lake),
        brand_table=brand_table,
        max_group=max_group,
        depth=depth,
    )


class GraphCache:
    """One process's graph: rebuilt when a source is re-loaded, re-marked in place
    when people mark crosses (rebuilt when a mark adds a cross no source has)."""

    def __init__(
        self,
        lake: Path,
        *,
        max_group: int = DEFAULT_MAX_GROUP,
        depth: int = DEFAULT_DEPTH,
    ) -> None:
        self.lake = lake
        self.max_group = max_group
        self.depth = depth
        self._graph: CrossGraph | None = None
        self._loads: dict[str, str] = {}
        self._marks: tuple[int, int] | None = None

    def _live_loads(self) -> dict[str, str]:
        loads = {}
        for source in store.sources(self.lake):
            pointer = store.current(self.lake, source)
            if pointer is not None:
                loads[source] = pointer.load_id
        return loads

    def get(self) -> CrossGraph:
        """The graph of what is live now."""
        loads = self._live_loads()
        marks = store.marks_stamp(self.lake)
        if self._graph is None or loads != self._loads:
            self._graph = open_graph(
                self.lake, max_group=self.max_group, depth=self.depth
            )
        elif marks != self._marks:
            missing = self._graph.apply_marks(store.read_marks(self.lake))
            if any(m["action"] == "verify" for m in missing):
                self._graph = open_graph(
                    self.lake, max_group=self.max_group, depth=self.depth
                )
        self._loads, self._marks = loads, marks
        return self._graph


TRUSTED_SOURCES = frozenset({"catalogue", "manual"})


def confirm_analogs(
    resolution: Resolution, oe_numbers: pl.DataFrame | None
) -> Resolution:
    """Mark each analog confirmed or not by the catalogue's OE numbers.

    An analog is confirmed when every edge on its path comes from the catalogue
    or a person (or was verified), when it is one of the part's OE numbers (or
    the part is one of its), or when the two share an OE number in the
    catalogue. Otherwise a supplier's analog is flagged unconfirmed. With no
    catalogue loaded (`oe_numbers` None) nothing is said (`confirmed` None).
    """
    if oe_numbers is None:
        return resolution
    wanted = {(resolution.brand, resolution.article)} | {
        (a.brand, a.article) for a in resolution.analogs
    }
    keys = pl.DataFrame(
        {"brand": [b for b, _ in wanted], "article": [a for _, a in wanted]},
        schema={"brand": pl.String, "article": pl.String},
    )
    rows = oe_numbers.join(keys, on=["brand", "article"], how="semi")
    oe_of: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for brand, article, oe_brand, oe_number in rows.select(
        "brand", "article", "oe_brand", "oe_number"
    ).iter_rows():
        oe_of.setdefault((brand, article), set()).add((oe_brand or "", oe_number))
    mine = oe_of.get((resolution.brand, resolution.article), set())
    me = (resolution.brand, resolution.article)
    confirmed = []
    for analog in resolution.analogs:
        theirs = oe_of.get((analog.brand, analog.article), set())
        trusted = all(
            hop.verified or TRUSTED_SOURCES & set(hop.sources) for hop in analog.path
        )
        direct_oe = (analog.brand, analog.article) in mine or me in theirs
        ok = bool(trusted or direct_oe or (mine & theirs))
        confirmed.append(replace(analog, confirmed=ok))
    return replace(resolution, analogs=confirmed)

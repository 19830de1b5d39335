"""The offers index on disk: immutable parts, manifests and the live pointer.

Layout under `index/`:

    parts/<part_id>/          one immutable part (`search.index_parts`)
    manifests/<seq>.json      which parts are live and which part serves each
                              supplier, with the supplier's search attributes
    CURRENT                   pointer to the live manifest, swapped atomically

A generation is a full build (one base part) and the deltas published on top
of it. `sync` keeps the index in step with the lake:

- a supplier whose live load changed gets a delta part with its offers alone;
  the manifest then routes that supplier to the delta, and the base's rows of
  that supplier are skipped at search time (no full rebuild);
- a full rebuild (on request, or when deltas pile up) writes a new base beside
  the live one and swaps the pointer: searches in flight keep the parts they
  opened (parts are never changed, and removed only after a grace period).

The pointer is replaced only after every file it names is on disk, so once
`sync` returns the next search sees what it published (read-your-writes).
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from crosses import lake_files as files
from search import index_parts, lake

log = logging.getLogger(__name__)

MANIFEST_FORMAT = 2  # of the manifest and the parts it names
MAX_DELTAS = 12
MAX_DELTA_SHARE = 0.3
KEEP_MANIFESTS = 20
GRACE_S = 120.0


@dataclass(frozen=True)
class SupplierMeta:
    """What search needs to know of a supplier beyond its offers."""

    name: str = ""
    price_groups: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()  # empty: every department sees it
    delivery_probability: float | None = None  # percent
    expected_every_hours: int | None = None  # how often a new list is due

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "price_groups": list(self.price_groups),
            "departments": list(self.departments),
            "delivery_probability": self.delivery_probability,
            "expected_every_hours": self.expected_every_hours,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SupplierMeta:
        return cls(
            name=data.get("name", ""),
            price_groups=tuple(data.get("price_groups", ())),
            departments=tuple(data.get("departments", ())),
            delivery_probability=data.get("delivery_probability"),
            expected_every_hours=data.get("expected_every_hours"),
        )


@dataclass(frozen=True)
class SupplierEntry:
    """A supplier in a manifest: the part that serves it and its load."""

    part: str
    load_id: str
    rows: int
    meta: SupplierMeta


@dataclass(frozen=True)
class Manifest:
    """The live state of the index."""

    seq: int
    generation: str
    base: str | None
    parts: tuple[str, ...]
    suppliers: dict[str, SupplierEntry]
    created_at: str
    base_rows: int = 0
    delta_rows: int = 0
    unloaded: dict[str, SupplierMeta] = field(default_factory=dict)
    """Suppliers with a profile and no live load: listed (and their
    departments known) before their first load."""

    def metas(self) -> dict[str, SupplierMeta]:
        """Every supplier the index knows, with or without a live load."""
        return {**self.unloaded, **{s: e.meta for s, e in self.suppliers.items()}}

    def to_json(self) -> str:
        data = {
            "format": MANIFEST_FORMAT,
            "seq": self.seq,
            "generation": self.generation,
            "base": self.base,
            "parts": list(self.parts),
            "created_at": self.created_at,
            "base_rows": self.base_rows,
            "delta_rows": self.delta_rows,
            "suppliers": {
                s: {
                    "part": e.part,
                    "load_id": e.load_id,
                    "rows": e.rows,
                    **e.meta.to_json(),
                }
                for s, e in sorted(self.suppliers.items())
            },
            "unloaded": {s: m.to_json() for s, m in sorted(self.unloaded.items())},
        }
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if data.get("format") != MANIFEST_FORMAT:
            raise index_parts.IndexFormatError(
                f"index manifest format {data.get('format')} is not "
                f"{MANIFEST_FORMAT}; rebuild with `parts index build`"
            )
        return cls(
            seq=data["seq"],
            generation=data["generation"],
            base=data.get("base"),
            parts=tuple(data["parts"]),
            created_at=data["created_at"],
            base_rows=data.get("base_rows", 0),
            delta_rows=data.get("delta_rows", 0),
            suppliers={
                s: SupplierEntry(
                    part=e["part"],
                    load_id=e["load_id"],
                    rows=e["rows"],
                    meta=SupplierMeta.from_json(e),
                )
                for s, e in data["suppliers"].items()
            },
            unloaded={  # absent before it was kept
                s: SupplierMeta.from_json(m)
                for s, m in data.get("unloaded", {}).items()
            },
        )


@dataclass
class SyncReport:
    """What a sync did."""

    action: str  # "none" | "delta" | "full" | "meta"
    manifest_seq: int = 0
    generation: str = ""
    suppliers_changed: list[str] = field(default_factory=list)
    suppliers_removed: list[str] = field(default_factory=list)
    parts_built: list[str] = field(default_factory=list)
    offers_indexed: int = 0
    seconds: float = 0.0
    docs_per_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class IndexLayout:
    """Paths of one index folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.parts = root / "parts"
        self.manifests = root / "manifests"

    def manifest_path(self, seq: int) -> Path:
        return self.manifests / f"{seq:08d}.json"

    def pointer(self) -> Path:
        return self.root / files.POINTER


def read_current(root: Path) -> Manifest | None:
    """The live manifest, or None before the first sync."""
    layout = IndexLayout(root)
    pointer = files.read_pointer(root)
    if pointer is None:
        return None
    text = (layout.manifests / pointer["manifest"]).read_text("utf-8")
    return Manifest.from_json(text)


@contextmanager
def index_lock(root: Path) -> Iterator[None]:
    """One writer at a time across processes."""
    with files.locked(root):
        yield


def live_loads(lake_dir: Path) -> dict[str, lake.Pointer]:
    """Every supplier's live load in the lake."""
    found = {}
    for supplier_id in lake.suppliers(lake_dir):
        pointer = lake.current(lake_dir, supplier_id)
        if pointer is not None:
            found[supplier_id] = pointer
    return found


def _read_loads(lake_dir: Path, loads: dict[str, lake.Pointer]) -> pl.DataFrame:
    paths = [
        lake_dir / "offers" / s / "loads" / f"{p.load_id}.parquet"
        for s, p in sorted(loads.items())
    ]
    if not paths:
        return pl.DataFrame(schema=lake.OFFERS_SCHEMA)
    return pl.read_parquet(paths)


def _part_id(kind: str) -> str:
    return f"{kind}-{lake.new_load_id()}"


def sync(
    root: Path,
    lake_dir: Path,
    *,
    metas: dict[str, SupplierMeta] | None = None,
    full: bool = False,
    allow_compaction: bool = True,
) -> SyncReport:
    """Bring the index in step with the lake's live loads; see the module doc.

    `metas` gives suppliers' search attributes (from their profiles); a
    supplier missing from it keeps what the manifest has. `allow_compaction`
    False (the ingest path) never starts a full rebuild: it adds a delta.
    """
    started = time.perf_counter()
    metas = metas or {}
    with index_lock(root):
        try:
            manifest = read_current(root)
        except index_parts.IndexFormatError:
            if not full:
                raise
            manifest = None  # a full rebuild replaces an index of an old format
        loads = live_loads(lake_dir)
        if manifest is None or full:
            report = _full(root, lake_dir, loads, metas, previous=manifest)
        else:
            report = _incremental(
                root, lake_dir, manifest, loads, metas, allow_compaction
            )
        _prune(IndexLayout(root))
    report.seconds = round(time.perf_counter() - started, 3)
    if report.offers_indexed and report.seconds:
        report.docs_per_s = round(report.offers_indexed / report.seconds)
    log.info(
        "index sync %s: seq=%d changed=%s removed=%s offers=%d %.2f s",
        report.action, report.manifest_seq, report.suppliers_changed,
        report.suppliers_removed, report.offers_indexed, report.seconds,
    )  # fmt: skip
    return report


def load_changes(
    manifest: Manifest, loads: dict[str, lake.Pointer]
) -> tuple[list[str], list[str]]:
    """Suppliers whose live load the manifest does not serve, and suppliers it
    serves that have no live load any more."""
    changed = sorted(
        s
        for s, p in loads.items()
        if s not in manifest.suppliers or manifest.suppliers[s].load_id != p.load_id
    )
    return changed, sorted(set(manifest.suppliers) - set(loads))


def _meta(
    supplier_id: str, metas: dict[str, SupplierMeta], manifest: Manifest | None
) -> SupplierMeta:
    if supplier_id in metas:
        return metas[supplier_id]
    if manifest is not None and supplier_id in manifest.suppliers:
        return manifest.suppliers[supplier_id].meta
    return SupplierMeta()


def _unloaded(
    metas: dict[str, SupplierMeta],
    loads: dict[str, lake.Pointer],
    manifest: Manifest | None,
) -> dict[str, SupplierMeta]:
    """Profiled suppliers with no live load (without `metas`, as before)."""
    known = metas or (manifest.unloaded if manifest else {})
    return {s: m for s, m in sorted(known.items()) if s not in loads}


def _groups(
    ids: list[str], metas: dict[str, SupplierMeta], manifest: Manifest | None
) -> dict[str, list[str]]:
    return {s: list(_meta(s, metas, manifest).price_groups) for s in ids}


def _full(
    root: Path,
    lake_dir: Path,
    loads: dict[str, lake.Pointer],
    metas: dict[str, SupplierMeta],
    *,
    previous: Manifest | None,
) -> SyncReport:
    layout = IndexLayout(root)
    layout.parts.mkdir(parents=True, exist_ok=True)
    part_id = _part_id("base")
    offers = _read_loads(lake_dir, loads)
    info = index_parts.build_part(
        layout.parts, part_id, offers,
        loads={s: p.load_id for s, p in loads.items()},
        price_groups=_groups(list(loads), metas, previous),
    )  # fmt: skip
    manifest = Manifest(
        seq=(previous.seq + 1) if previous else _next_seq(layout),
        generation=part_id,
        base=part_id,
        parts=(part_id,),
        suppliers={
            s: SupplierEntry(part_id, p.load_id, p.rows, _meta(s, metas, previous))
            for s, p in loads.items()
        },
        created_at=files.now_iso(),
        base_rows=info.offers,
        unloaded=_unloaded(metas, loads, previous),
    )
    _publish(layout, manifest)
    return SyncReport(
        action="full",
        manifest_seq=manifest.seq,
        generation=manifest.generation,
        suppliers_changed=sorted(loads),
        parts_built=[part_id],
        offers_indexed=info.offers,
    )


def _incremental(
    root: Path,
    lake_dir: Path,
    manifest: Manifest,
    loads: dict[str, lake.Pointer],
    metas: dict[str, SupplierMeta],
    allow_compaction: bool,
) -> SyncReport:
    changed, removed = load_changes(manifest, loads)
    new_rows = sum(loads[s].rows for s in changed)
    deltas = len(manifest.parts) - (1 if manifest.base else 0)
    too_many = deltas + 1 > MAX_DELTAS or (
        manifest.delta_rows + new_rows > MAX_DELTA_SHARE * max(manifest.base_rows, 1)
        and manifest.delta_rows + new_rows > 100_000
    )
    if changed and allow_compaction and too_many:
        log.info("index: %d deltas, compacting into a new generation", deltas)
        return _full(root, lake_dir, loads, metas, previous=manifest)
    suppliers = {
        s: SupplierEntry(e.part, e.load_id, e.rows, _meta(s, metas, manifest))
        for s, e in manifest.suppliers.items()
        if s not in removed
    }
    built: list[str] = []
    indexed = 0
    if changed:
        layout = IndexLayout(root)
        part_id = _part_id("delta")
        chosen = {s: loads[s] for s in changed}
        info = index_parts.build_part(
            layout.parts, part_id, _read_loads(lake_dir, chosen),
            loads={s: p.load_id for s, p in chosen.items()},
            price_groups=_groups(changed, metas, manifest),
        )  # fmt: skip
        built.append(part_id)
        indexed = info.offers
        for s in changed:
            suppliers[s] = SupplierEntry(
                part_id, loads[s].load_id, loads[s].rows, _meta(s, metas, manifest)
            )
    unloaded = _unloaded(metas, loads, manifest)
    metas_changed = unloaded != manifest.unloaded or any(
        suppliers[s].meta != manifest.suppliers[s].meta
        for s in suppliers
        if s in manifest.suppliers
    )
    if not (changed or removed or metas_changed):
        return SyncReport(
            action="none", manifest_seq=manifest.seq, generation=manifest.generation
        )
    used = {e.part for e in suppliers.values()}
    parts = tuple(p for p in (*manifest.parts, *built) if p in used)
    base = manifest.base if manifest.base in parts else None
    delta_rows = sum(e.rows for e in suppliers.values() if e.part != base)
    updated = Manifest(
        seq=manifest.seq + 1,
        generation=manifest.generation,
        base=base,
        parts=parts,
        suppliers=suppliers,
        created_at=files.now_iso(),
        base_rows=manifest.base_rows,
        delta_rows=delta_rows,
        unloaded=unloaded,
    )
    _publish(IndexLayout(root), updated)
    return SyncReport(
        action="delta" if changed else "meta",
        manifest_seq=updated.seq,
        generation=updated.generation,
        suppliers_changed=changed,
        suppliers_removed=removed,
        parts_built=built,
        offers_indexed=indexed,
    )


def _next_seq(layout: IndexLayout) -> int:
    """After every manifest on disk (one an old format left included)."""
    names = layout.manifests.glob("*.json") if layout.manifests.is_dir() else []
    return 1 + max((int(p.stem) for p in names if p.stem.isdigit()), default=0)


def _publish(layout: IndexLayout, manifest: Manifest) -> None:
    layout.manifests.mkdir(parents=True, exist_ok=True)
    path = layout.manifest_path(manifest.seq)
    tmp = path.with_name(f".{path.name}.tmp")
    files.write_synced(tmp, manifest.to_json())
    tmp.replace(path)
    files.swap_pointer(layout.root, {"manifest": path.name, "seq": manifest.seq})


def _prune(layout: IndexLayout) -> None:
    """Drop manifests past the last `KEEP_MANIFESTS` and parts no kept manifest
    names, once the grace period has passed since they were last live (a
    reader in another process may still be opening them)."""
    if not layout.manifests.is_dir():
        return
    kept = sorted(layout.manifests.glob("*.json"))
    for old in kept[:-KEEP_MANIFESTS]:
        old.unlink(missing_ok=True)
    kept = kept[-KEEP_MANIFESTS:]
    named: set[str] = set()
    for path in kept:
        named.update(json.loads(path.read_text("utf-8"))["parts"])
    # a part no kept manifest names stopped being live at the latest when the
    # oldest kept one was written: the grace counts from then, not from the build
    retired_by = kept[0].stat().st_mtime if kept else 0.0
    now = time.time()
    for part in layout.parts.iterdir() if layout.parts.is_dir() else []:
        name = part.name.lstrip(".").removesuffix(".partial")
        if name in named:
            continue
        if now - max(part.stat().st_mtime, retired_by) > GRACE_S:
            shutil.rmtree(part, ignore_errors=True)

"""Catalogue versions in the lake: one folder per load, a pointer to the live one.

Layout under `lake/`:

    catalogue/versions/<load_id>/<table>.parquet   every kept version
    catalogue/versions/<load_id>/manifest.json     its version, date, source
    catalogue/CURRENT                              JSON pointer to the live one
    catalogue/loads/<load_id>.json                 the report of every attempt

As for offers (`search/lake.py`): the folder is written and fsynced under a
temporary name, renamed, then the pointer is replaced atomically; a reader
resolves the pointer first and sees the old catalogue or the new one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from crosses import lake_files as files
from crosses.catalogue import SCHEMAS, Catalogue

log = logging.getLogger(__name__)

SORT_KEYS: dict[str, list[str]] = {
    "articles": ["brand", "article"],
    "links": ["vehicle_id", "brand", "article"],
    "vehicles": ["vehicle_id"],
    "vehicle_aliases": ["alias_id"],
}


@dataclass(frozen=True)
class CataloguePointer:
    """The live catalogue version."""

    load_id: str
    version: str
    date: str
    source: str
    mode: str
    fingerprint: str
    published_at: str
    rows: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        """The pointer as JSON text."""
        return json.dumps(asdict(self), ensure_ascii=False)


def catalogue_dir(lake: Path) -> Path:
    """Where catalogue versions live in the lake."""
    return lake / "catalogue"


def current(lake: Path) -> CataloguePointer | None:
    """The live catalogue pointer, or None when nothing was published."""
    data = files.read_pointer(catalogue_dir(lake))
    return CataloguePointer(**data) if data else None


@contextmanager
def catalogue_lock(lake: Path) -> Iterator[None]:
    """Serialize catalogue publishes across processes."""
    with files.locked(catalogue_dir(lake)):
        yield


def publish(
    lake: Path, catalogue: Catalogue, *, fingerprint: str, keep: int
) -> CataloguePointer:
    """Write a version's tables, then make it the live one atomically."""
    versions = catalogue_dir(lake) / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    load_id = files.new_load_id()
    partial = versions / f".{load_id}.partial"
    partial.mkdir()
    for name, frame in catalogue.tables().items():
        order = [c for c in SORT_KEYS.get(name, []) if c in frame.columns]
        (frame.sort(order) if order else frame).write_parquet(
            partial / f"{name}.parquet", compression="zstd"
        )
    manifest = {
        "version": catalogue.version,
        "date": catalogue.date,
        "source": catalogue.source,
        "mode": catalogue.mode,
        "warnings": list(catalogue.warnings),
    }
    files.write_synced(
        partial / "manifest.json", json.dumps(manifest, ensure_ascii=False)
    )
    for path in partial.iterdir():
        files.fsync_file(path)
    os.replace(partial, versions / load_id)
    pointer = CataloguePointer(
        load_id=load_id,
        version=catalogue.version,
        date=catalogue.date,
        source=catalogue.source,
        mode=catalogue.mode,
        fingerprint=fingerprint,
        published_at=files.now_iso(),
        rows=catalogue.rows(),
    )
    files.swap_pointer(catalogue_dir(lake), asdict(pointer))
    _prune(versions, keep=keep, live=load_id)
    log.info("published catalogue version=%s load=%s", catalogue.version, load_id)
    return pointer


def read_version(lake: Path, load_id: str) -> Catalogue:
    """One stored catalogue version."""
    folder = catalogue_dir(lake) / "versions" / load_id
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    tables = {
        name: pl.read_parquet(folder / f"{name}.parquet")
        for name in SCHEMAS
        if (folder / f"{name}.parquet").exists()
    }
    return Catalogue(
        version=manifest["version"],
        date=manifest["date"],
        source=manifest.get("source", ""),
        mode=manifest.get("mode", "full"),
        warnings=tuple(manifest.get("warnings", ())),
    ).with_tables(**tables)


def read_current(lake: Path) -> Catalogue | None:
    """The live catalogue, or None when nothing was published."""
    pointer = current(lake)
    return read_version(lake, pointer.load_id) if pointer else None


def versions(lake: Path) -> list[str]:
    """Load ids of the kept versions, oldest first."""
    folder = catalogue_dir(lake) / "versions"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def write_report(lake: Path, load_id: str, report: dict[str, Any]) -> Path:
    """Keep the report of a load attempt, published or not."""
    return files.write_report(catalogue_dir(lake) / "loads", load_id, report)


def reports(lake: Path) -> list[dict[str, Any]]:
    """Every kept load report, oldest first."""
    return files.read_reports(catalogue_dir(lake) / "loads")


def _prune(versions_dir: Path, *, keep: int, live: str) -> None:
    kept = sorted(p for p in versions_dir.iterdir() if not p.name.startswith("."))
    for old in kept[: max(0, len(kept) - keep)]:
        if old.name != live:
            shutil.rmtree(old, ignore_errors=True)
    for stale in versions_dir.glob(".*.partial"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


class CatalogueCache:
    """The live catalogue of one lake, read again only when its pointer moves."""

    def __init__(self, lake: Path) -> None:
        self.lake = lake
        self._stamp: tuple[int, int] | None = None
        self._catalogue: Catalogue | None = None
        self._lock = threading.Lock()

    def _pointer_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(catalogue_dir(self.lake) / files.POINTER)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def get(self) -> Catalogue | None:
        """The live catalogue, or None when nothing was published."""
        stamp = self._pointer_stamp()
        if stamp == self._stamp:
            return self._catalogue
        with self._lock:
            if stamp != self._stamp:
                self._catalogue = read_current(self.lake) if stamp else None
                self._stamp = stamp
            return self._catalogue

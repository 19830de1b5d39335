"""The drop folder: which files are ready, whose they are, where they go after.

`inbox/<supplier>/<file>` belongs to that supplier; a file directly in `inbox/`
is matched to a supplier by the `match.file_pattern` of its profile. After a
load the file leaves the inbox: to `archive/<supplier>/` when its offers are
live (published or unchanged), or away when it was quarantined (the copy is in
`quarantine/` already), so that a bad file is not retried forever.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.pricelists.errors import ProfileError
from pipelines.pricelists.profiles import SUPPLIER_ID, SupplierProfile, load_profiles

log = logging.getLogger(__name__)

SETTLE_S = 2.0
"""A file modified more recently than this may still be being written."""

_IGNORED_PREFIXES = (".", "~$")
OTHER_FEEDS = frozenset({"catalogue", "crosses"})
"""Inbox folders that belong to other feeds, not to a supplier."""


@dataclass(frozen=True)
class FileStamp:
    """Size and modification time: what tells one version of a file from another."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        """The stamp of a file as it is now."""
        stat = path.stat()
        return cls(size=stat.st_size, mtime_ns=stat.st_mtime_ns)


@dataclass(frozen=True)
class InboxFile:
    """A complete file in the inbox and the supplier it belongs to."""

    path: Path
    supplier_id: str
    stamp: FileStamp

    @property
    def run_key(self) -> str:
        """Unique per path and version, so one version is loaded once."""
        return f"{self.path}:{self.stamp.size}:{self.stamp.mtime_ns}"


@dataclass
class InboxScan:
    """What one look at the inbox found."""

    ready: list[InboxFile] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def scan_inbox(
    inbox: Path,
    *,
    profiles_dir: Path,
    now: float | None = None,
    settle_s: float = SETTLE_S,
) -> InboxScan:
    """Files ready to load, oldest first, and the files skipped with a reason."""
    scan = InboxScan()
    if not inbox.is_dir():
        return scan
    now = time.time() if now is None else now
    loose: list[Path] = []
    for entry in sorted(inbox.iterdir()):
        if _ignored(entry) or entry.name in OTHER_FEEDS:
            continue
        if entry.is_dir():
            _scan_supplier_folder(entry, scan, now=now, settle_s=settle_s)
        elif entry.is_file():
            loose.append(entry)
    if loose:
        _match_loose_files(loose, profiles_dir, scan, now=now, settle_s=settle_s)
    scan.ready.sort(key=lambda f: (f.stamp.mtime_ns, str(f.path)))
    return scan


def _ignored(path: Path) -> bool:
    return path.name.startswith(_IGNORED_PREFIXES)


def _scan_supplier_folder(
    folder: Path, scan: InboxScan, *, now: float, settle_s: float
) -> None:
    if not SUPPLIER_ID.match(folder.name):
        scan.skipped.append((folder, "folder name is not a valid supplier id"))
        return
    for path in sorted(folder.iterdir()):
        if path.is_file() and not _ignored(path):
            add_if_settled(path, folder.name, scan, now=now, settle_s=settle_s)


def add_if_settled(
    path: Path, supplier_id: str, scan: InboxScan, *, now: float, settle_s: float
) -> None:
    """Add a file to the scan's ready list, or skip it while it is being written."""
    try:
        stamp = FileStamp.of(path)
    except FileNotFoundError:  # moved away by a run since the listing
        return
    if now - stamp.mtime_ns / 1e9 < settle_s:
        scan.skipped.append((path, "still being written"))
        return
    scan.ready.append(InboxFile(path=path, supplier_id=supplier_id, stamp=stamp))


def _match_loose_files(
    loose: list[Path],
    profiles_dir: Path,
    scan: InboxScan,
    *,
    now: float,
    settle_s: float,
) -> None:
    try:
        profiles = load_profiles(profiles_dir, strict=False)
    except ProfileError as exc:
        scan.skipped.extend(
            (path, f"supplier profiles unreadable: {exc}") for path in loose
        )
        return
    for path in loose:
        supplier_id, reason = match_supplier(path.name, profiles)
        if supplier_id is None:
            scan.skipped.append((path, reason))
        else:
            add_if_settled(path, supplier_id, scan, now=now, settle_s=settle_s)


def match_supplier(
    name: str, profiles: Mapping[str, SupplierProfile]
) -> tuple[str | None, str]:
    """The one supplier whose file pattern matches a name (case-insensitive)."""
    hits = [
        profile.id
        for profile in profiles.values()
        if profile.match.file_pattern
        and fnmatch.fnmatch(name.lower(), profile.match.file_pattern.lower())
    ]
    if len(hits) == 1:
        return hits[0], ""
    if not hits:
        return None, "no supplier profile matches its name"
    return None, f"several supplier profiles match its name: {', '.join(hits)}"


def new_files(
    ready: list[InboxFile], cursor: str | None
) -> tuple[list[InboxFile], str]:
    """Files not requested before, and the cursor that remembers all ready ones.

    The cursor keeps only the run keys of files still in the inbox, so it stays
    as small as the inbox.
    """
    seen = set(json.loads(cursor)) if cursor else set()
    fresh = [f for f in ready if f.run_key not in seen]
    return fresh, json.dumps(sorted(f.run_key for f in ready))


def settle_file(
    path: Path,
    *,
    supplier_id: str,
    status: str,
    load_id: str,
    stamp: FileStamp,
    inbox: Path,
    archive: Path,
    quarantine: Path,
    now: dt.datetime | None = None,
) -> Path | None:
    """Move a loaded file out of the inbox; return where it went, if it moved.

    A file outside the inbox, or one that changed while it was loaded, stays.
    """
    if not _inside(path, inbox) or not path.is_file():
        return None
    if FileStamp.of(path) != stamp:
        log.warning("not moved, changed while loading: %s", path)
        return None
    if status == "quarantined":
        copy = quarantine / supplier_id / f"{load_id}-{path.name}"
        if copy.exists():
            path.unlink()
            log.info("removed quarantined file %s from the inbox", path.name)
            return copy
        return _move(path, copy)
    now = now or dt.datetime.now(dt.UTC)
    target = _free_name(archive / supplier_id, f"{now:%Y%m%dT%H%M%SZ}-{path.name}")
    return _move(path, target)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    n = 1
    while target.exists():
        target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    return target


def _move(path: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(path, target)
    log.info("moved %s to %s", path.name, target)
    return target

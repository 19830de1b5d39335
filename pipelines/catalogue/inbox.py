"""The catalogue drop folder: `inbox/catalogue/`, one folder, ZIP or reply file each.

A catalogue is a folder or a ZIP in the import format, or web-service replies
(`.json`, `.xml`, or a folder of them). After a load it leaves the inbox: to
`archive/catalogue/` when it was published or unchanged, to
`quarantine/catalogue/` when it was rejected (with the report beside it).
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parts.settings import Settings

log = logging.getLogger(__name__)

FOLDER = "catalogue"
SUFFIXES = (".zip", ".json", ".xml")
SETTLE_S = 2.0
"""An item modified more recently than this may still be being written."""


def inbox_of(settings: Settings) -> Path:
    """The catalogue drop folder."""
    return settings.inbox_dir / FOLDER


@dataclass(frozen=True)
class CatalogueItem:
    """A complete catalogue in the inbox, with what tells its versions apart."""

    path: Path
    size: int
    mtime_ns: int

    @property
    def run_key(self) -> str:
        """Unique per path and version, so one version is loaded once."""
        return f"catalogue:{self.path}:{self.size}:{self.mtime_ns}"


def scan(
    inbox: Path, *, now: float | None = None, settle_s: float = SETTLE_S
) -> list[CatalogueItem]:
    """Items ready to load, oldest first; hidden and half-written ones are left."""
    if not inbox.is_dir():
        return []
    now = time.time() if now is None else now
    ready = []
    for entry in sorted(inbox.iterdir()):
        if entry.name.startswith((".", "~$")):
            continue
        if entry.is_file() and entry.suffix.lower() not in SUFFIXES:
            continue
        item = _stamp(entry)
        if item is not None and now - item.mtime_ns / 1e9 >= settle_s:
            ready.append(item)
    return sorted(ready, key=lambda i: (i.mtime_ns, str(i.path)))


def _stamp(entry: Path) -> CatalogueItem | None:
    try:
        files = (
            [p for p in entry.rglob("*") if p.is_file()] if entry.is_dir() else [entry]
        )
        stats = [p.stat() for p in files] + [entry.stat()]
    except FileNotFoundError:  # moved away by a run since the listing
        return None
    return CatalogueItem(
        path=entry,
        size=sum(s.st_size for s in stats[:-1]),
        mtime_ns=max(s.st_mtime_ns for s in stats),
    )


def settle(
    path: Path, *, status: str, load_id: str, report: dict[str, Any], settings: Settings
) -> Path | None:
    """Move an inbox item to the archive or to quarantine; other paths stay."""
    inbox = inbox_of(settings)
    if path.parent.resolve() != inbox.resolve() or not path.exists():
        return None
    base = settings.quarantine_dir if status == "rejected" else settings.archive_dir
    target = base / FOLDER / f"{load_id}-{path.name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), target)
    if status == "rejected":
        (target.parent / f"{load_id}.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2, default=str),
            encoding="utf-8",
        )
    log.info("catalogue item moved path=%s to=%s", path, target)
    return target

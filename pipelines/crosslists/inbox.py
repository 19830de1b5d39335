"""The crosses drop folder: `inbox/crosses/<source>/<file>` loads as that source.

The bookkeeping (file stamps, run keys, the sensor cursor, moving a loaded file
to `archive/crosses/<source>/`) is the price-list inbox's; only the layout
differs: every file sits in a folder named after its source.
"""

from __future__ import annotations

import time
from pathlib import Path

from crosses.store import MANUAL_SOURCE, SOURCE_ID
from parts.settings import Settings
from pipelines.pricelists.inbox import SETTLE_S, InboxScan, add_if_settled

FOLDER = "crosses"


def crosses_inbox(settings: Settings) -> Path:
    """`inbox/crosses/` under the data dir."""
    return settings.inbox_dir / FOLDER


def crosses_archive(settings: Settings) -> Path:
    """Where loaded cross files go: `archive/crosses/`."""
    return settings.archive_dir / FOLDER


def crosses_quarantine(settings: Settings) -> Path:
    """Where rejected cross files are kept: `quarantine/crosses/`."""
    return settings.quarantine_dir / FOLDER


def _hidden(path: Path) -> bool:
    return path.name.startswith((".", "~$"))


def scan_crosses_inbox(
    folder: Path, *, now: float | None = None, settle_s: float = SETTLE_S
) -> InboxScan:
    """Cross files ready to load, oldest first, and the ones skipped with a reason.

    An `InboxFile`'s `supplier_id` is the cross source here.
    """
    scan = InboxScan()
    if not folder.is_dir():
        return scan
    now = time.time() if now is None else now
    for entry in sorted(folder.iterdir()):
        if _hidden(entry):
            continue
        if entry.is_file():
            scan.skipped.append(
                (entry, "not in a source folder (inbox/crosses/<source>/)")
            )
        elif not SOURCE_ID.match(entry.name) or entry.name == MANUAL_SOURCE:
            scan.skipped.append((entry, "folder name is not a valid cross source"))
        else:
            for path in sorted(entry.iterdir()):
                if path.is_file() and not _hidden(path):
                    add_if_settled(path, entry.name, scan, now=now, settle_s=settle_s)
    scan.ready.sort(key=lambda f: (f.stamp.mtime_ns, str(f.path)))
    return scan

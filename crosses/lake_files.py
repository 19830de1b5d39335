"""File primitives shared by the lake's stores (offers, crosses, catalogue).

Atomic writes (write, fsync, rename), the live pointer swap, per-folder locks,
load ids, pruning of old loads and JSON load reports. It lives in `crosses/`
because that is the one package every store may import (`crosses/` imports
nothing of ours, `search/` imports `crosses/`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

POINTER = "CURRENT"


def new_load_id() -> str:
    """Sortable, unique: UTC time plus a random tail."""
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{now}-{secrets.token_hex(3)}"


def now_iso() -> str:
    """The UTC time of a publish, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder` (created if needed), across processes."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_synced(path: Path, data: bytes | str) -> None:
    """Write a file and flush it to disk."""
    with path.open("wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        fh.flush()
        os.fsync(fh.fileno())


def fsync_file(path: Path) -> None:
    """Flush a file already written to disk."""
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (renames) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_parquet_atomic(frame: pl.DataFrame, final: Path) -> None:
    """Write Parquet beside `final`, flush it, then rename it into place."""
    partial = final.with_name(f".{final.name}.partial")
    frame.write_parquet(partial, compression="zstd")
    fsync_file(partial)
    os.replace(partial, final)


def read_pointer(folder: Path) -> dict[str, Any] | None:
    """The live pointer of a store folder, or None if nothing was published."""
    try:
        data: dict[str, Any] = json.loads((folder / POINTER).read_text("utf-8"))
    except FileNotFoundError:
        return None
    return data


def swap_pointer(folder: Path, pointer: dict[str, Any]) -> None:
    """Make `pointer` the live one: readers see the old one or this, never none."""
    tmp = folder / f".{POINTER}.tmp"
    write_synced(tmp, json.dumps(pointer, ensure_ascii=False))
    os.replace(tmp, folder / POINTER)
    fsync_dir(folder)


def prune_loads(loads: Path, keep: int, *, live: str) -> None:
    """Keep the newest `keep` Parquet loads (never the live one goes); drop the
    partial files a crash left behind."""
    files = sorted(loads.glob("*.parquet"))
    for old in files[: max(0, len(files) - keep)]:
        if old.stem != live:
            old.unlink(missing_ok=True)
    for stale in loads.glob(".*.partial"):
        stale.unlink(missing_ok=True)


def write_report(folder: Path, load_id: str, report: dict[str, Any]) -> Path:
    """Keep one load report as `<load_id>.json`, written atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{load_id}.json"
    tmp = folder / f".{load_id}.json.tmp"
    write_synced(tmp, json.dumps(report, ensure_ascii=False, indent=2, default=str))
    os.replace(tmp, path)
    return path


def read_reports(folder: Path) -> list[dict[str, Any]]:
    """Every report in a folder, oldest first."""
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]

"""The search log: one JSON line per quote search, data for the warehouse.

Files are `lake/search_log/<YYYY-MM-DD>/<host>-<pid>.jsonl`: one writer per
process (no lock between processes), one `write` call per search, so a crash
loses at most the line being written. DuckDB reads them with `read_json`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any

import orjson

log = logging.getLogger(__name__)


class SearchLog:
    """Appends search records to today's file of this process."""

    def __init__(self, lake_dir: Path) -> None:
        self.folder = lake_dir / "search_log"
        self._lock = threading.Lock()
        self._day: str | None = None
        self._fh: Any = None
        self._name = f"{socket.gethostname()}-{os.getpid()}.jsonl"

    def _file(self, day: str) -> Any:
        if day != self._day or self._fh is None:
            if self._fh is not None:
                self._fh.close()
            folder = self.folder / day
            folder.mkdir(parents=True, exist_ok=True)
            self._fh = (folder / self._name).open("ab", buffering=0)
            self._day = day
        return self._fh

    def write(self, record: dict[str, Any]) -> None:
        """Append one record; a failure is logged, never raised to the search."""
        at = dt.datetime.fromtimestamp(record.get("at") or 0, dt.UTC)
        line = orjson.dumps({**record, "at": at.isoformat()}, default=str) + b"\n"
        try:
            with self._lock:
                self._file(at.date().isoformat()).write(line)
        except OSError:
            log.exception("search log not written")

    def close(self) -> None:
        """Close the open file."""
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None

"""The intake's memory under `lake/mail/`: the ledger and the review list.

`ledger.json` holds one entry per attachment delivered, keyed by the SHA-256 of
its bytes: whose it is, which message brought it, the file it became in the
inbox, what its load did and whether the supplier was answered. It is what
makes a poll safe to repeat: bytes in the ledger are never delivered again.
`review.json` lists the messages moved to the review folder and why. Both are
rewritten atomically (write, fsync, rename) under one lock per data dir.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crosses import lake_files

LEDGER = "ledger.json"
REVIEW = "review.json"
KEEP_DAYS = 90
"""Settled ledger entries older than this are dropped, so the file stays small."""
MAX_REVIEW = 1000
"""Most review entries kept (the newest); the messages stay in the folder."""

DELIVERED = "delivered"
"""Ledger status of a file in the inbox whose load has not been seen yet."""
LIVE_STATUSES = frozenset({"published", "unchanged"})


class StoreError(Exception):
    """A ledger or review file that cannot be read or written; intake stops
    rather than deliver everything again."""


@contextmanager
def locked(mail_dir: Path) -> Iterator[None]:
    """One poll (or reply pass) at a time per data dir, across processes."""
    with lake_files.locked(mail_dir):
        yield


def now_iso() -> str:
    """The UTC time, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Ledger:
    """Attachments delivered so far, by the SHA-256 of their bytes."""

    def __init__(self, mail_dir: Path, files: dict[str, dict[str, Any]]) -> None:
        self.path = mail_dir / LEDGER
        self.files = files

    @classmethod
    def load(cls, mail_dir: Path) -> Ledger:
        """The ledger as on disk (empty before the first delivery)."""
        data = _read(mail_dir / LEDGER, {"files": {}})
        return cls(mail_dir, dict(data.get("files", {})))

    def get(self, sha256: str) -> dict[str, Any] | None:
        return self.files.get(sha256)

    def add(self, sha256: str, entry: dict[str, Any]) -> None:
        """Record a delivered file and write the ledger at once."""
        self.files[sha256] = {"status": DELIVERED, **entry}
        self.save()

    def seen_again(self, sha256: str, at: str) -> None:
        """The same bytes arrived again (a re-sent or re-read message)."""
        self.files[sha256]["last_seen_at"] = at
        self.save()

    def update(self, sha256: str, **fields: Any) -> None:
        self.files[sha256].update(fields)
        self.save()

    def unsettled(self) -> list[tuple[str, dict[str, Any]]]:
        """Entries whose load is not known yet, or whose reply is owed."""
        return [
            (sha, entry)
            for sha, entry in sorted(self.files.items(), key=lambda kv: _at(kv[1]))
            if entry.get("status") == DELIVERED
            or (entry.get("status") == "quarantined" and not entry.get("reply"))
        ]

    def confirmed_at(self) -> dict[str, str]:
        """Per supplier, the last time e-mailed bytes of a live load arrived."""
        out: dict[str, str] = {}
        for entry in self.files.values():
            if entry.get("status") not in LIVE_STATUSES:
                continue
            when = max(entry["delivered_at"], entry.get("last_seen_at") or "")
            supplier = entry["supplier_id"]
            out[supplier] = max(out.get(supplier, ""), when)
        return out

    def save(self, *, now: dt.datetime | None = None) -> None:
        """Write the ledger atomically, dropping old settled entries."""
        cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=KEEP_DAYS)
        keep = cutoff.isoformat(timespec="seconds")
        self.files = {
            sha: entry
            for sha, entry in self.files.items()
            if entry.get("status") == DELIVERED or _at(entry) >= keep
        }
        _write(self.path, {"files": self.files})


class ReviewList:
    """Messages moved to the review folder, oldest first, one per message id."""

    def __init__(self, mail_dir: Path, entries: list[dict[str, Any]]) -> None:
        self.path = mail_dir / REVIEW
        self.entries = entries

    @classmethod
    def load(cls, mail_dir: Path) -> ReviewList:
        """The review list as on disk."""
        return cls(mail_dir, list(_read(mail_dir / REVIEW, {"entries": []})["entries"]))

    def record(self, entry: dict[str, Any]) -> None:
        """Add (or refresh) a message's entry and write the list."""
        self.entries = [
            e for e in self.entries if e["message_id"] != entry["message_id"]
        ]
        self.entries.append(entry)
        self.entries = self.entries[-MAX_REVIEW:]
        _write(self.path, {"entries": self.entries})

    def resolve(self, message_id: str) -> bool:
        """Drop a message that was processed after all (put back by a person)."""
        kept = [e for e in self.entries if e["message_id"] != message_id]
        if len(kept) == len(self.entries):
            return False
        self.entries = kept
        _write(self.path, {"entries": self.entries})
        return True


def review_entries(mail_dir: Path, *, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """The newest review entries first, at most `limit`, and whether more exist."""
    entries = ReviewList.load(mail_dir).entries[::-1]
    return entries[:limit], len(entries) > limit


def _at(entry: dict[str, Any]) -> str:
    return str(max(entry.get("delivered_at", ""), entry.get("last_seen_at") or ""))


def _read(path: Path, empty: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"`{path}` is unreadable ({exc}); restore it or move it away to start "
            "afresh (a fresh ledger delivers the messages still in the folder again)"
        ) from exc
    if not isinstance(data, dict):
        raise StoreError(f"`{path}` does not hold a JSON object")
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lake_files.write_synced(tmp, json.dumps(data, ensure_ascii=False, indent=1))
        os.replace(tmp, path)
    except OSError as exc:  # not to be taken for a lost connection
        raise StoreError(f"cannot write `{path}`: {exc}") from exc

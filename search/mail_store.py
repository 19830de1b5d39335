"""The intake's memory under `lake/mail/`: the ledger and the review list.

`ledger.json` holds one entry per attachment delivered, keyed by its supplier
and the SHA-256 of its bytes (`<supplier>/<sha256>`): which message brought
it, the file it became in the inbox, what its load did and whether the
supplier was answered. It is what makes a poll safe to repeat: a supplier's
bytes in the ledger are not delivered again, unless their load was
quarantined (a file re-sent after its profile was fixed is loaded again).
`review.json` lists the messages moved to the review folder and why, one
entry per message (its Message-ID and a digest of sender, date, subject and
size: two messages may share a Message-ID). Both are rewritten atomically
(write, fsync, rename) under one lock per data dir.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
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
QUARANTINED = "quarantined"
LIVE_STATUSES = frozenset({"published", "unchanged"})
REPLY_FIELDS = ("reply", "replied_at", "replied_to", "reply_attempts", "reply_error")
"""What a re-delivery of quarantined bytes keeps: a reply goes at most once."""
_KEYED = ("from", "date", "subject", "size")
"""The review entry's fields that, with the Message-ID, identify a message."""


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


def ledger_key(supplier_id: str, sha256: str) -> str:
    """A ledger entry's key: the same bytes from two suppliers are two files."""
    return f"{supplier_id}/{sha256}"


class Ledger:
    """Attachments delivered so far, by supplier and the SHA-256 of their bytes."""

    def __init__(self, mail_dir: Path, files: dict[str, dict[str, Any]]) -> None:
        self.path = mail_dir / LEDGER
        self.files = files

    @classmethod
    def load(cls, mail_dir: Path) -> Ledger:
        """The ledger as on disk (empty before the first delivery); entries of
        the old format, keyed by the SHA-256 alone, get their supplier's key."""
        data = read_json(mail_dir / LEDGER, {"files": {}})
        files = {}
        for key, entry in dict(data.get("files", {})).items():
            if "/" not in key:  # the old format: the bare SHA-256
                entry = {"sha256": key, **entry}
                key = ledger_key(entry["supplier_id"], key)
            files[key] = entry
        return cls(mail_dir, files)

    def get(self, supplier_id: str, sha256: str) -> dict[str, Any] | None:
        return self.files.get(ledger_key(supplier_id, sha256))

    def add(self, supplier_id: str, sha256: str, entry: dict[str, Any]) -> str:
        """Record a delivered file and write the ledger at once; its key.

        Bytes delivered again after a quarantine keep the earlier reply's
        state, so the supplier is answered once for the same bytes.
        """
        key = ledger_key(supplier_id, sha256)
        earlier = self.files.get(key) or {}
        sent = earlier.get("reply") == "sent"
        kept = {k: earlier[k] for k in REPLY_FIELDS if k in earlier} if sent else {}
        self.files[key] = {
            **entry, **kept, "status": DELIVERED, "supplier_id": supplier_id,
            "sha256": sha256,
        }  # fmt: skip
        self.save()
        return key

    def seen_again(self, key: str, at: str) -> None:
        """The same bytes arrived again (a re-sent or re-read message)."""
        self.files[key]["last_seen_at"] = at
        self.save()

    def update(self, key: str, **fields: Any) -> None:
        self.files[key].update(fields)
        self.save()

    def unsettled(self) -> list[tuple[str, dict[str, Any]]]:
        """Entries whose load is not known yet, or whose reply is owed."""
        return [
            (key, entry)
            for key, entry in sorted(self.files.items(), key=lambda kv: _at(kv[1]))
            if entry.get("status") == DELIVERED
            or (entry.get("status") == QUARANTINED and not entry.get("reply"))
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
            key: entry
            for key, entry in self.files.items()
            if entry.get("status") == DELIVERED or _at(entry) >= keep
        }
        write_json(self.path, {"files": self.files})


def review_key(entry: Mapping[str, Any]) -> str:
    """What tells two messages apart: the Message-ID (which two messages may
    share) and a digest of sender, date, subject and size (kept when a person
    moves the message back to the watched folder)."""
    seen = "|".join(" ".join(str(entry.get(k, "")).split()) for k in _KEYED)
    digest = hashlib.sha256(seen.encode()).hexdigest()[:16]
    return f"{entry['message_id']}#{digest}"


class ReviewList:
    """Messages moved to the review folder, oldest first, one per message
    (`review_key`)."""

    def __init__(self, mail_dir: Path, entries: list[dict[str, Any]]) -> None:
        self.path = mail_dir / REVIEW
        self.entries = entries

    @classmethod
    def load(cls, mail_dir: Path) -> ReviewList:
        """The review list as on disk."""
        return cls(
            mail_dir, list(read_json(mail_dir / REVIEW, {"entries": []})["entries"])
        )

    def record(self, entry: dict[str, Any]) -> None:
        """Add (or refresh) a message's entry and write the list."""
        key = review_key(entry)
        self.entries = [e for e in self.entries if review_key(e) != key]
        self.entries.append(entry)
        self.entries = self.entries[-MAX_REVIEW:]
        write_json(self.path, {"entries": self.entries})

    def resolve(self, message: Mapping[str, Any]) -> bool:
        """Drop a message that was processed after all (put back by a person)."""
        key = review_key(message)
        kept = [e for e in self.entries if review_key(e) != key]
        if len(kept) == len(self.entries):
            return False
        self.entries = kept
        write_json(self.path, {"entries": self.entries})
        return True


def review_entries(mail_dir: Path, *, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """The newest review entries first, at most `limit`, and whether more exist."""
    entries = ReviewList.load(mail_dir).entries[::-1]
    return entries[:limit], len(entries) > limit


def _at(entry: dict[str, Any]) -> str:
    return str(max(entry.get("delivered_at", ""), entry.get("last_seen_at") or ""))


def read_json(path: Path, empty: dict[str, Any]) -> dict[str, Any]:
    """A JSON object of the mail store, `empty` when the file is missing."""
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


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write a JSON object of the mail store atomically."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lake_files.write_synced(tmp, json.dumps(data, ensure_ascii=False, indent=1))
        os.replace(tmp, path)
    except OSError as exc:  # not to be taken for a lost connection
        raise StoreError(f"cannot write `{path}`: {exc}") from exc

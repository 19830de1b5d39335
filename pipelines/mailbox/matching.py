"""Which supplier a message and each of its attachments belong to.

A profile is a candidate for a message when one of its `match.senders` is the
sender's address (`price@kolobox.ru`) or domain (`@kolobox.ru`, or a bare
`kolobox.ru`), case-insensitive, and its `match.subject_pattern` (a glob, or a
regex after `re:`) fits the subject, if it has one. A profile without senders
never matches mail. Each attachment then goes to the one candidate whose
`match.file_pattern` fits its name (a ZIP also by the names of its members),
or, when no candidate has a pattern for it, to the one candidate without a
pattern if the name looks like a price file.
"""

from __future__ import annotations

import fnmatch
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pipelines.pricelists.profiles import SupplierProfile

log = logging.getLogger(__name__)

PRICE_SUFFIXES = frozenset(
    {".csv", ".txt", ".tsv", ".xls", ".xlsx", ".xlsm", ".zip", ".xml", ".htm", ".html"}
)
"""What the readers take; other attachments (logos, signatures, PDFs) are not
price lists unless a profile's file pattern names them."""

_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Owner:
    """The attachment's supplier, or why there is none (`reason`)."""

    supplier_id: str | None
    reason: str = ""
    ambiguous: bool = False


def candidates(
    sender: str, subject: str, profiles: Mapping[str, SupplierProfile]
) -> list[SupplierProfile]:
    """Profiles whose senders and subject pattern fit the message, by id."""
    return [
        profile
        for _, profile in sorted(profiles.items())
        if sender_matches(sender, profile.match.senders)
        and subject_matches(subject, profile.match.subject_pattern)
    ]


def sender_matches(sender: str, entries: Iterable[str]) -> bool:
    """Whether an address is one of the entries, or in one of their domains."""
    address = sender.strip().lower()
    if "@" not in address:
        return False
    domain = address.rsplit("@", 1)[1]
    for entry in entries:
        wanted = entry.strip().lower()
        if not wanted:
            continue
        if wanted.startswith("@"):
            if domain == wanted[1:]:
                return True
        elif "@" not in wanted:
            if domain == wanted:
                return True
        elif address == wanted:
            return True
    return False


def subject_matches(subject: str, pattern: str | None) -> bool:
    """A glob over the whole subject, or a regex search after `re:`; any case."""
    if not pattern:
        return True
    if pattern.startswith("re:"):
        try:
            return re.search(pattern[3:], subject, re.IGNORECASE) is not None
        except re.error as exc:
            log.warning("subject pattern `%s` is not a valid regex: %s", pattern, exc)
            return False
    return fnmatch.fnmatchcase(subject.strip().lower(), pattern.lower())


def owner(name: str, payload: bytes, profiles: list[SupplierProfile]) -> Owner:
    """The one candidate an attachment belongs to, or why none or several."""
    names = [name, *zip_members(name, payload)]
    by_pattern = sorted(
        {
            p.id
            for p in profiles
            if p.match.file_pattern
            and any(_glob(n, p.match.file_pattern) for n in names)
        }
    )
    if not by_pattern and _looks_like_price_file(name):
        by_pattern = sorted(p.id for p in profiles if not p.match.file_pattern)
    if len(by_pattern) == 1:
        return Owner(by_pattern[0])
    if by_pattern:
        return Owner(
            None, f"several profiles match it: {', '.join(by_pattern)}", ambiguous=True
        )
    return Owner(None, "no file pattern of the sender's profiles matches it")


def zip_members(name: str, payload: bytes) -> list[str]:
    """Names of the files in a ZIP attachment (central directory only, no unpacking).

    Only a `.zip`: an XLSX is a ZIP too, and its parts are not price files.
    """
    if not (name.lower().endswith(".zip") and payload.startswith(_ZIP_MAGIC)):
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            return [
                info.filename.replace("\\", "/").rsplit("/", 1)[-1]
                for info in archive.infolist()
                if not info.is_dir()
            ]
    except (zipfile.BadZipFile, ValueError, OSError):
        return []  # a damaged archive is ingestion's to report


def _glob(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


def _looks_like_price_file(name: str) -> bool:
    dot = name.rfind(".")
    return dot >= 0 and name[dot:].lower() in PRICE_SUFFIXES

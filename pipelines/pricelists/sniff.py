"""Routing a file by its content (magic bytes), never by its name."""

from __future__ import annotations

import zipfile
from enum import StrEnum
from pathlib import Path


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    XLS = "xls"
    ZIP = "zip"
    HTML = "html"
    SPREADSHEETML = "spreadsheetml"


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# A bare BIFF stream (no OLE container) starts with its BOF record.
_BIFF_BOF = (
    b"\x09\x08\x10\x00",  # BIFF8
    b"\x09\x08\x08\x00",  # BIFF5/7 (Excel 95)
    b"\x09\x04\x06\x00",  # BIFF4
    b"\x09\x02\x06\x00",  # BIFF3
    b"\x09\x00\x04\x00",  # BIFF2
)


def sniff_format(path: Path) -> Format:
    """Tell the format from the first bytes of the file."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(_OLE) or head[:4] in _BIFF_BOF:
        return Format.XLS
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path)
    text = _ascii_view(head)
    if (
        "<?mso-application" in text
        or "urn:schemas-microsoft-com:office:spreadsheet" in text
    ):
        return Format.SPREADSHEETML
    if "<table" in text or "<html" in text or "<!doctype html" in text:
        return Format.HTML
    if text.lstrip().startswith("<?xml") and "workbook" in text:
        return Format.SPREADSHEETML
    return Format.CSV


def _zip_kind(path: Path) -> Format:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return Format.ZIP  # let the zip reader report the damage
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return Format.XLSX
    return Format.ZIP


def _ascii_view(head: bytes) -> str:
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    if head[:2].count(b"\x00") or head[1:4:2] == b"\x00\x00":
        head = head.replace(b"\x00", b"")
    return head.decode("latin-1").lower()

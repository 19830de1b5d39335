"""Delimited text files: encoding, streaming transcoding, dialect, reading.

The bytes are decoded strictly: a byte the encoding cannot map rejects the file
with the encoding and the byte offset named. Anything that is not plain UTF-8
is transcoded to a UTF-8 temp file in chunks, so memory stays bounded.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.pricelists.errors import UnreadableFile
from pipelines.pricelists.tables import FrameTable

log = logging.getLogger(__name__)

CHUNK_BYTES = 8 << 20
SAMPLE_CHARS = 256 << 10
DELIMITERS = (";", ",", "\t", "|")


@dataclass(frozen=True)
class TextEncoding:
    name: str  # codec name, e.g. "utf-8", "cp1251", "utf-16"
    bom: bool

    @property
    def label(self) -> str:
        return f"{self.name}{' (BOM)' if self.bom else ''}"


def detect_encoding(path: Path, preferred: str | None = None) -> TextEncoding:
    """BOM first; then strict UTF-8 over the whole file; else the legacy default.

    `preferred` (from the supplier profile) wins when set.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return TextEncoding("utf-8", True)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return TextEncoding("utf-16", True)
    if preferred:
        return TextEncoding(codecs.lookup(preferred).name, False)
    if _is_utf8(path):
        return TextEncoding("utf-8", False)
    return TextEncoding("cp1251", False)


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


@contextmanager
def utf8_copy(path: Path, encoding: TextEncoding, tmp_dir: Path) -> Iterator[Path]:
    """Yield a UTF-8 path holding the file's text (the file itself if it is one)."""
    if encoding.name == "utf-8" and not encoding.bom:
        yield path
        return
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(suffix=".csv", dir=tmp_dir)
    out = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink:
            _transcode(path, encoding, sink)
        yield out
    finally:
        out.unlink(missing_ok=True)


def _transcode(path: Path, encoding: TextEncoding, sink: io.BufferedIOBase) -> None:
    codec = "utf-8-sig" if encoding.name == "utf-8" else encoding.name
    decoder = codecs.getincrementaldecoder(codec)("strict")
    offset = 0
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                at = offset + exc.start
                raise UnreadableFile(
                    f"byte 0x{chunk[exc.start]:02x} at offset {at} is not valid "
                    f"`{encoding.name}`",
                    file=path.name,
                    hint="set `encoding` in the supplier profile",
                ) from exc
            sink.write(text.encode("utf-8"))
            offset += len(chunk)
            if not chunk:
                break


def read_sample(path: Path) -> str:
    """The first characters of a UTF-8 file, cut at a line end."""
    with path.open("rb") as fh:
        raw = fh.read(SAMPLE_CHARS * 2)
    text = raw.decode("utf-8", errors="ignore")
    if len(raw) == SAMPLE_CHARS * 2 and "\n" in text:
        text = text[: text.rfind("\n") + 1]
    return text


def sniff_delimiter(sample: str) -> tuple[str, int]:
    """The delimiter giving the most constant column count over the sample.

    Returns the delimiter and the modal field count.
    """
    best: tuple[float, int, str] = (-1.0, 0, ";")
    for delim in DELIMITERS:
        counts = Counter(
            len(rec)
            for rec in csv.reader(io.StringIO(sample), delimiter=delim, quotechar='"')
            if any(cell.strip() for cell in rec)
        )
        if not counts:
            continue
        width, hits = counts.most_common(1)[0]
        if width < 2:
            continue
        consistency = hits / sum(counts.values())
        if (consistency, width) > best[:2]:
            best = (consistency, width, delim)
    if best[0] < 0:
        return ";", 1
    return best[2], best[1]


def max_width(sample: str, delimiter: str) -> int:
    """Largest field count in the sample."""
    widths = [
        len(rec)
        for rec in csv.reader(io.StringIO(sample), delimiter=delimiter, quotechar='"')
    ]
    return max(widths, default=1)


def read_delimited(
    path: Path,
    *,
    source: str,
    delimiter: str,
    width: int,
    max_rows: int,
) -> FrameTable:
    """Read every record as text into `width` columns plus a guard column.

    A non-empty guard cell means the record had more fields than the header
    width: the extra fields are ignored and reported.
    """
    schema = {f"c{i}": pl.String for i in range(width + 1)}
    try:
        frame = pl.read_csv(
            path,
            separator=delimiter,
            has_header=False,
            schema=schema,
            missing_columns="insert",
            truncate_ragged_lines=True,
            quote_char='"',
            n_rows=max_rows + 201,  # one past the limit, so passing it is seen
            low_memory=False,
        )
    except pl.exceptions.ComputeError as exc:
        raise UnreadableFile(
            f"cannot parse as delimited text with `{delimiter}`: {exc}", file=source
        ) from exc
    guard = frame.to_series(width)
    warnings = []
    ragged = int(guard.is_not_null().sum())
    if ragged:
        rows = (guard.is_not_null().arg_true() + 1).head(5).to_list()
        warnings.append(
            f"{ragged} records have more than {width} fields; the extra fields were "
            f"ignored (first records: {rows})"
        )
    return FrameTable(
        source=source, sheet=None, frame=frame.drop(f"c{width}"), warnings=warnings
    )

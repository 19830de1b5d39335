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
import re
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


def detect_encoding(
    path: Path, preferred: str | None = None, *, source: str | None = None
) -> TextEncoding:
    """BOM first; then strict UTF-8 over the whole file; else the legacy default.

    `preferred` (from the supplier profile) wins when set. A file that is UTF-8
    but for a few broken bytes is refused rather than read as cp1251.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return TextEncoding("utf-8", True)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return TextEncoding("utf-16", True)
    if preferred:
        return TextEncoding(codecs.lookup(preferred).name, False)
    bad = _first_non_utf8(path)
    if bad is None:
        return TextEncoding("utf-8", False)
    if _utf8_share(path) >= 0.9:
        # UTF-8 with a few broken bytes: decoding it as cp1251 would turn every
        # letter into mojibake without an error, so the file is refused.
        raise UnreadableFile(
            f"the text is UTF-8 but byte 0x{bad[1]:02x} at offset {bad[0]} is not "
            "valid `utf-8`; the file is damaged",
            file=source or path.name,
            hint="ask the supplier for an undamaged file, or set `encoding`",
        )
    return TextEncoding("cp1251", False)


def _first_non_utf8(path: Path) -> tuple[int, int] | None:
    """Offset and value of the first byte that is not valid UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                return offset - len(pending) + exc.start, data[exc.start]
            offset += len(chunk)
            if not chunk:
                return None


_UTF8_SEQ = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_BYTES = bytes(range(0x80, 0x100))
SHARE_SAMPLE_BYTES = 1 << 20


def _utf8_share(path: Path) -> float:
    """Share of the non-ASCII bytes (in the first MiB) that form valid UTF-8
    sequences: cp1251 text gives a few per cent, UTF-8 text close to 1."""
    high = in_seqs = seen = 0
    with path.open("rb") as fh:
        while seen < SHARE_SAMPLE_BYTES and (
            chunk := fh.read(min(CHUNK_BYTES, SHARE_SAMPLE_BYTES - seen))
        ):
            seen += len(chunk)
            high += len(chunk) - len(chunk.translate(None, _HIGH_BYTES))
            in_seqs += len(chunk) - len(_UTF8_SEQ.sub(b"", chunk))
    return in_seqs / high if high >= 16 else 0.0


@contextmanager
def utf8_copy(
    path: Path, encoding: TextEncoding, tmp_dir: Path, *, source: str | None = None
) -> Iterator[Path]:
    """Yield a UTF-8 path holding the file's text (the file itself if it is one)."""
    if encoding.name == "utf-8" and not encoding.bom:
        yield path
        return
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(suffix=".csv", dir=tmp_dir)
    out = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink:
            _transcode(path, encoding, sink, source=source)
        yield out
    finally:
        out.unlink(missing_ok=True)


def _transcode(
    path: Path,
    encoding: TextEncoding,
    sink: io.BufferedIOBase,
    *,
    source: str | None = None,
) -> None:
    """Decode strictly in chunks of `CHUNK_BYTES`; an incremental decoder keeps
    the bytes of a character split between chunks."""
    codec = "utf-8-sig" if encoding.name == "utf-8" else encoding.name
    decoder = codecs.getincrementaldecoder(codec)("strict")
    offset = 0
    lines = 1
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            # bytes the decoder holds back from the previous chunk (a split
            # multi-byte character) come first in the error's positions
            pending = decoder.getstate()[0]
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                at = offset - len(pending) + exc.start
                line = lines + data[: exc.start].count(b"\n")
                raise UnreadableFile(
                    f"byte 0x{data[exc.start]:02x} at offset {at} (line {line}) is "
                    f"not valid `{encoding.name}`",
                    file=source or path.name,
                    hint="set `encoding` in the supplier profile",
                ) from exc
            sink.write(text.encode("utf-8"))
            lines += text.count("\n")
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
    best: tuple[float, int, str] = (-2.0, 0, ";")
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
        if _prose(sample, delim):
            consistency -= 0.5  # `Колодки, передние, к-т`: commas of the text
        if (consistency, width) > best[:2]:
            best = (consistency, width, delim)
    if best[0] < -1:
        return ";", 1
    return best[2], best[1]


def _prose(sample: str, delimiter: str) -> bool:
    """True when most occurrences of `delimiter` are followed by a space, as
    commas in descriptions are; field separators rarely are."""
    total = sample.count(delimiter)
    return delimiter != "\t" and total > 0 and sample.count(delimiter + " ") > total / 2


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
    short, long = _ragged_records(path, delimiter, width)
    extra = (
        pl.concat([(guard.is_not_null().arg_true() + 1).cast(pl.Int64), long])
        .unique()
        .sort()
    )
    if extra.len():
        warnings.append(
            f"{extra.len()} records have more than {width} fields; the extra fields "
            f"were ignored (first records: {extra.head(5).to_list()})"
        )
    if short.len():
        warnings.append(
            f"{short.len()} records have fewer than {width} fields; they were padded "
            f"with empty cells (first records: {short.head(5).to_list()})"
        )
    return FrameTable(
        source=source, sheet=None, frame=frame.drop(f"c{width}"), warnings=warnings
    )


def _ragged_records(
    path: Path, delimiter: str, width: int
) -> tuple[pl.Series, pl.Series]:
    """Record numbers (1-based) with fewer and with more than `width` fields.

    The file is scanned as lines; a record on one line has its fields counted
    outside quotes. Records that span lines (quoted line breaks) are not
    counted here; the guard column still catches their extra fields.
    """
    line = pl.col("line").fill_null("")
    quotes = line.str.count_matches('"', literal=True)
    open_before = (quotes.cum_sum() - quotes) % 2 == 1
    fields = (
        line.str.replace_all(r'"[^"]*"', "").str.count_matches(delimiter, literal=True)
        + 1
    )
    try:
        counted = (
            pl.scan_csv(
                path,
                separator="\x1f" if delimiter != "\x1f" else "\x1e",
                quote_char=None,
                has_header=False,
                schema={"line": pl.String},
                truncate_ragged_lines=True,
            )
            .select(
                record=(~open_before).cast(pl.Int64).cum_sum(),
                whole=~open_before & (quotes % 2 == 0),
                blank=line.str.strip_chars() == "",
                fields=fields,
            )
            .filter(pl.col("whole") & ~pl.col("blank") & (pl.col("fields") != width))
            .select("record", "fields")
            .collect()
        )
    except pl.exceptions.PolarsError as exc:  # a report only; never fail a file
        log.warning("could not count fields per record in %s: %s", path.name, exc)
        empty = pl.Series("record", [], dtype=pl.Int64)
        return empty, empty
    short = counted.filter(pl.col("fields") < width)["record"]
    long = counted.filter(pl.col("fields") > width)["record"]
    return short, long

"""From a file on disk to tables of cells, whatever the format."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pipelines.pricelists import textfile, workbook
from pipelines.pricelists.errors import LimitExceeded, UnreadableFile
from pipelines.pricelists.profiles import SupplierProfile
from pipelines.pricelists.sniff import Format, sniff_format
from pipelines.pricelists.tables import Table

_SKIP_MEMBERS = ("__MACOSX/", ".DS_Store", "Thumbs.db")


@dataclass
class Limits:
    max_file_bytes: int
    max_unpacked_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int


@dataclass
class ReadResult:
    tables: list[Table] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None


@contextmanager
def read_tables(
    path: Path,
    *,
    profile: SupplierProfile | None,
    limits: Limits,
    tmp_dir: Path,
) -> Iterator[ReadResult]:
    """Open a price file (or every price file inside a ZIP) as tables."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LimitExceeded(
            f"file is {size} bytes, over the limit of {limits.max_file_bytes}",
            file=path.name,
            hint="raise PARTS_MAX_FILE_MB if the file is genuine",
        )
    if size == 0:
        raise UnreadableFile("the file is empty (0 bytes)", file=path.name)
    result = ReadResult()
    with ExitStack() as stack:
        _read_one(path, path.name, profile, limits, tmp_dir, result, stack, depth=0)
        yield result


def _read_one(
    path: Path,
    source: str,
    profile: SupplierProfile | None,
    limits: Limits,
    tmp_dir: Path,
    result: ReadResult,
    stack: ExitStack,
    depth: int,
) -> None:
    fmt = sniff_format(path)
    result.formats.append(fmt.value)
    reader = profile.reader if profile else None
    if fmt is Format.ZIP:
        if depth >= 2:
            raise UnreadableFile("archive nested too deep", file=source)
        for member in _unzip(path, source, limits, tmp_dir, stack):
            name = member.name.split("-", 1)[1]  # drop the extraction prefix
            before = len(result.tables)
            _read_one(
                member, f"{source}/{name}", profile, limits, tmp_dir, result, stack,
                depth + 1,
            )  # fmt: skip
            for table in result.tables[before:]:  # rows say which member they are
                table.sheet = name if table.sheet is None else f"{name}:{table.sheet}"
        return
    if fmt is Format.XLSX:
        result.tables.extend(
            workbook.read_xlsx(
                path, source=source, max_unpacked=limits.max_unpacked_bytes
            )
        )
    elif fmt is Format.XLS:
        codepage = reader.encoding if reader else None
        result.tables.extend(workbook.read_xls(path, source=source, codepage=codepage))
    elif fmt is Format.SPREADSHEETML:
        result.tables.extend(workbook.read_spreadsheetml(path, source=source))
    else:
        encoding = textfile.detect_encoding(
            path, reader.encoding if reader else None, source=source
        )
        result.encoding = encoding.label
        utf8 = stack.enter_context(
            textfile.utf8_copy(path, encoding, tmp_dir, source=source)
        )
        if fmt is Format.HTML:
            text = utf8.read_text(encoding="utf-8")
            result.tables.extend(workbook.read_html(text, source=source))
        else:
            result.tables.append(_read_csv(utf8, source, reader, limits, result))
    for table in result.tables:
        if table.n_cols > limits.max_columns:
            raise LimitExceeded(
                f"{table.n_cols} columns, over the limit of {limits.max_columns}",
                file=source,
                sheet=table.sheet,
                hint="raise PARTS_MAX_COLUMNS if the file is genuine",
            )
        if table.n_rows > limits.max_rows + 200:
            raise LimitExceeded(
                f"more than {limits.max_rows} rows",
                file=source,
                sheet=table.sheet,
                hint="raise PARTS_MAX_ROWS if the file is genuine",
            )


def _read_csv(
    path: Path, source: str, reader, limits: Limits, result: ReadResult
) -> Table:  # type: ignore[no-untyped-def]
    sample = textfile.read_sample(path)
    if reader and reader.delimiter:
        delimiter = reader.delimiter
        width = max(textfile.max_width(sample, delimiter), 1)
        _, modal = delimiter, width
    else:
        delimiter, modal = textfile.sniff_delimiter(sample)
    result.delimiter = delimiter
    width = max(modal, 1)
    if width > limits.max_columns:
        raise LimitExceeded(
            f"{width} columns, over the limit of {limits.max_columns}", file=source
        )
    return textfile.read_delimited(
        path, source=source, delimiter=delimiter, width=width, max_rows=limits.max_rows
    )


def _unzip(
    path: Path, source: str, limits: Limits, tmp_dir: Path, stack: ExitStack
) -> list[Path]:
    """Extract the members of a ZIP, counting real bytes against the limit."""
    folder = Path(tempfile.mkdtemp(prefix="unzip-", dir=_mkdir(tmp_dir)))
    stack.callback(shutil.rmtree, folder, True)
    out: list[Path] = []
    budget = limits.max_unpacked_bytes
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = info.filename
                if info.is_dir() or any(s in name for s in _SKIP_MEMBERS):
                    continue
                if info.file_size > budget:
                    raise _too_big(source, limits)
                safe = PurePosixPath(name.replace("\\", "/")).name or "member"
                target = folder / f"{len(out):03d}-{safe}"
                with zf.open(info) as src, target.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        budget -= len(chunk)
                        if budget < 0:
                            raise _too_big(source, limits)
                        dst.write(chunk)
                out.append(target)
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"damaged ZIP archive: {exc}", file=source) from exc
    if not out:
        raise UnreadableFile("ZIP archive holds no files", file=source)
    return out


def _too_big(source: str, limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"archive unpacks to more than {limits.max_unpacked_bytes} bytes",
        file=source,
        hint="raise PARTS_MAX_DECOMPRESSED_MB if the file is genuine",
    )


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path

"""Spreadsheet readers: XLSX (calamine + number formats), XLS (xlrd, calamine as
fallback), and the fakes sent under an `.xls` name (HTML tables, SpreadsheetML).

Article cells stored as numbers keep their zero padding: the number format of
each cell is read (xlrd for XLS; `styles.xml` plus a scan of the sheet XML for
XLSX), because calamine alone drops it.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import polars as pl
import python_calamine as calamine

from pipelines.pricelists.errors import LimitExceeded, UnreadableFile
from pipelines.pricelists.tables import CellTable, FrameTable

log = logging.getLogger(__name__)

_ZERO_PAD = re.compile(r'^(?:\\?0|"0+")+$')
_CELL_STYLE = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*?\ss="(\d+)"')
_MOJIBAKE = re.compile(
    r"[ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ]{3,}"
)
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def zero_pad_width(format_code: str) -> int:
    """Width of an all-zeros number format (`00000000` → 8), else 0."""
    code = format_code.strip().split(";")[0]
    if not _ZERO_PAD.match(code):
        return 0
    width = code.count("0")
    return width if width > 1 else 0


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


# XLSX -----------------------------------------------------------------------


def read_xlsx(path: Path, *, source: str, max_unpacked: int) -> list[CellTable]:
    """Every sheet of an XLSX workbook, with zero-padding formats applied."""
    sheet_xml, pad_styles = _xlsx_layout(path, max_unpacked)
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise UnreadableFile(f"cannot open workbook: {exc}", file=source) from exc
    tables = []
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)  # parses the sheet XML once
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception as exc:
            raise UnreadableFile(
                f"cannot read sheet: {exc}", file=source, sheet=name
            ) from exc
        pads: dict[tuple[int, int], int] = {}
        if pad_styles and name in sheet_xml:
            pads = _xlsx_pads(path, sheet_xml[name], pad_styles)
        table = CellTable(source=source, sheet=name, rows=rows, pads=pads)
        _fill_merged_headers(
            table, [(a[0], b[0] + 1, a[1], b[1] + 1) for a, b in merged]
        )
        tables.append(table)
    return tables


def _xlsx_layout(
    path: Path, max_unpacked: int
) -> tuple[dict[str, str], dict[int, int]]:
    """Map sheet name → XML part, and style index → zero-pad width."""
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if total > max_unpacked:
                raise LimitExceeded(
                    f"workbook unpacks to {total} bytes, over the limit of {max_unpacked}",
                    file=path.name,
                    hint="raise PARTS_MAX_DECOMPRESSED_MB if the file is genuine",
                )
            names = set(zf.namelist())
            sheets = _xlsx_sheet_parts(zf, names)
            pads = _xlsx_pad_styles(zf) if "xl/styles.xml" in names else {}
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"damaged XLSX container: {exc}", file=path.name) from exc
    return sheets, pads


def _xlsx_sheet_parts(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    book = ET.fromstring(zf.read("xl/workbook.xml"))
    out = {}
    for sheet in book.iterfind("m:sheets/m:sheet", ns):
        target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
        part = (
            target.lstrip("/")
            if target.startswith("/")
            else str(PurePosixPath("xl") / target)
        )
        out[sheet.get("name", "")] = part
    return out


def _xlsx_pad_styles(zf: zipfile.ZipFile) -> dict[int, int]:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    styles = ET.fromstring(zf.read("xl/styles.xml"))
    codes = {
        int(fmt.get("numFmtId", "0")): fmt.get("formatCode", "")
        for fmt in styles.iterfind("m:numFmts/m:numFmt", ns)
    }
    pads = {}
    for index, xf in enumerate(styles.iterfind("m:cellXfs/m:xf", ns)):
        width = zero_pad_width(codes.get(int(xf.get("numFmtId", "0")), ""))
        if width:
            pads[index] = width
    return pads


def _xlsx_pads(
    path: Path, part: str, pad_styles: dict[int, int]
) -> dict[tuple[int, int], int]:
    with zipfile.ZipFile(path) as zf:
        data = zf.read(part)
    wanted = {str(k).encode(): v for k, v in pad_styles.items()}
    pads = {}
    for match in _CELL_STYLE.finditer(data):
        width = wanted.get(match.group(3))
        if width:
            pads[(int(match.group(2)) - 1, _col_index(match.group(1)))] = width
    return pads


# XLS ------------------------------------------------------------------------


LEGACY_CODEPAGE = "cp1251"  # what an old workbook without a codepage holds here


class _XlrdLog:
    """xlrd writes its remarks to a file object; send them to the log instead."""

    def write(self, text: str) -> None:
        if text.strip():
            log.debug("xlrd: %s", text.strip())


_XLRD_LOG = _XlrdLog()


def read_xls(path: Path, *, source: str, codepage: str | None) -> list[CellTable]:
    """Every sheet of a legacy workbook. Readers are tried in turn: xlrd (keeps
    number formats); xlrd again with the supplier's codepage (cp1251 by default)
    when the file names a codepage nobody knows; xlrd on the workbook stream
    found under an odd name; calamine. When all refuse, one clear error."""
    try:
        return _read_xls_xlrd(path, source=source, codepage=codepage)
    except LimitExceeded:
        raise
    except Exception as exc:
        first = exc
    log.warning("xlrd refused %s (%s); trying the next reader", source, first)
    refusals = [f"xlrd said `{first}`"]
    if codepage is None and isinstance(first, LookupError):
        try:
            tables = _read_xls_xlrd(path, source=source, codepage=LEGACY_CODEPAGE)
        except Exception as exc:
            refusals.append(f"xlrd with {LEGACY_CODEPAGE} said `{exc}`")
        else:
            return _warn(
                tables,
                f"the workbook names a codepage no reader knows ({first}); text read "
                f"as {LEGACY_CODEPAGE} (set `encoding` in the profile to override)",
            )
    stream = _biff_stream(path)
    if stream is not None:
        name, data = stream
        try:
            tables = _read_xls_xlrd(path, source=source, codepage=codepage, data=data)
        except Exception as exc:
            refusals.append(f"xlrd on stream `{name}` said `{exc}`")
        else:
            return _warn(
                tables, f"the workbook stream is named `{name}`; read from it directly"
            )
    try:
        tables = _read_with_calamine(path, source=source, codepage=codepage)
    except Exception as second:
        refusals.append(f"calamine said `{second}`")
        raise UnreadableFile(
            f"no reader could open this XLS: {'; '.join(refusals)}",
            file=source,
            hint="re-save the file as XLSX or CSV",
        ) from second
    return _warn(
        tables,
        f"xlrd could not read the file ({first}); read with calamine, number "
        "formats (zero padding) not applied",
    )


def _warn(tables: list[CellTable], warning: str) -> list[CellTable]:
    for table in tables:
        table.warnings.append(warning)
    return tables


def _biff_stream(path: Path) -> tuple[str, bytes] | None:
    """The BIFF workbook stream of an OLE file whatever its name (`BOOK`,
    `Workbook1`...), or None."""
    from xlrd import compdoc

    try:
        doc = compdoc.CompDoc(path.read_bytes(), logfile=_XLRD_LOG)
        for node in doc.dirlist:
            if node.etype != 2 or node.tot_size < 8:
                continue
            data = doc.get_named_stream(node.name)
            if data and data[:2] == b"\x09\x08":  # a BOF record
                return node.name, data
    except Exception as exc:
        log.debug("no BIFF stream found in %s: %s", path.name, exc)
    return None


def _read_with_calamine(
    path: Path, *, source: str, codepage: str | None = None
) -> list[CellTable]:
    workbook = calamine.CalamineWorkbook.from_path(str(path))
    tables = [
        CellTable(
            source=source,
            sheet=name,
            rows=workbook.get_sheet_by_name(name).to_python(skip_empty_area=False),
        )
        for name in workbook.sheet_names
    ]
    texts = [t.sheet or "" for t in tables]
    for table in tables[:3]:
        for row in table.rows[:50]:
            texts.extend(v for v in row if isinstance(v, str))
    if codepage is None and _mojibake_text(" ".join(texts)):
        for table in tables:
            table.sheet = _unmojibake(table.sheet or "", LEGACY_CODEPAGE)
            table.rows = [
                [
                    _unmojibake(v, LEGACY_CODEPAGE) if isinstance(v, str) else v
                    for v in r
                ]
                for r in table.rows
            ]
            table.warnings.append(
                "text looked like cp1251 read as a Western codepage (`Îñòàòêè`); "
                f"repaired as {LEGACY_CODEPAGE} (set `encoding` in the profile to "
                "override)"
            )
    return tables


def _unmojibake(text: str, codepage: str) -> str:
    """`Îñòàòêè` → `Остатки`: Western-decoded bytes decoded again as `codepage`."""
    for western in ("cp1252", "latin-1"):
        try:
            return text.encode(western).decode(codepage)
        except UnicodeError:
            continue
    return text


def _read_xls_xlrd(
    path: Path, *, source: str, codepage: str | None, data: bytes | None = None
) -> list[CellTable]:
    import xlrd

    def open_book(encoding: str | None):  # type: ignore[no-untyped-def]
        return xlrd.open_workbook(
            None if data is not None else str(path),
            file_contents=data,
            formatting_info=True,
            on_demand=True,
            encoding_override=encoding,
            logfile=_XLRD_LOG,
        )

    book = open_book(codepage)
    warning = None
    if codepage is None and book.biff_version < 80 and _looks_mojibake(book):
        book.release_resources()
        book = open_book(LEGACY_CODEPAGE)
        warning = (
            f"BIFF{book.biff_version // 10} workbook without a usable codepage: text "
            "read as cp1251 (set `encoding` in the profile to override)"
        )
    pad_by_xf = {
        index: zero_pad_width(book.format_map[xf.format_key].format_str)
        for index, xf in enumerate(book.xf_list)
        if xf.format_key in book.format_map
    }
    tables = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        tables.append(_xlrd_sheet(sheet, source, pad_by_xf, xlrd))
        if warning:
            tables[-1].warnings.append(warning)
        book.unload_sheet(index)
    book.release_resources()
    return tables


def _xlrd_sheet(sheet, source: str, pad_by_xf: dict[int, int], xlrd) -> CellTable:  # type: ignore[no-untyped-def]
    empty = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
    rows: list[list[object]] = []
    pads: dict[tuple[int, int], int] = {}
    for r in range(sheet.nrows):
        types = sheet.row_types(r)
        values = sheet.row_values(r)
        row: list[object] = []
        for c, (kind, value) in enumerate(zip(types, values, strict=False)):
            if kind in empty:
                row.append(None)
            elif kind == xlrd.XL_CELL_TEXT:
                row.append(value)
            elif kind in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
                width = pad_by_xf.get(sheet.cell_xf_index(r, c), 0)
                if width:
                    pads[(r, c)] = width
                row.append(float(value))
            elif kind == xlrd.XL_CELL_BOOLEAN:
                row.append(bool(value))
            else:
                row.append(None)
        rows.append(row)
    table = CellTable(source=source, sheet=sheet.name, rows=rows, pads=pads)
    _fill_merged_headers(table, sheet.merged_cells)
    return table


def _fill_merged_headers(
    table: CellTable, merged: list[tuple[int, int, int, int]]
) -> None:
    """Copy a merged cell's value across its span in the top rows (headers only)."""
    for rlo, rhi, clo, chi in merged:
        if rlo >= 60 or rlo >= len(table.rows):
            continue
        value = table.rows[rlo][clo] if clo < len(table.rows[rlo]) else None
        if value in (None, ""):
            continue
        for r in range(rlo, min(rhi, len(table.rows))):
            row = table.rows[r]
            for c in range(clo, min(chi, len(row))):
                if r == rlo and row[c] in (None, ""):
                    row[c] = value


def _looks_mojibake(book) -> bool:  # type: ignore[no-untyped-def]
    sample: list[str] = list(book.sheet_names())
    for index in range(min(book.nsheets, 3)):
        sheet = book.sheet_by_index(index)
        for r in range(min(sheet.nrows, 50)):
            sample.extend(str(v) for v in sheet.row_values(r) if isinstance(v, str))
    return _mojibake_text(" ".join(sample))


def _mojibake_text(text: str) -> bool:
    """Runs of Western accented letters and no Cyrillic: cp1251 read as cp1252."""
    return bool(_MOJIBAKE.search(text)) and not _CYRILLIC.search(text)


# HTML tables and SpreadsheetML 2003 -------------------------------------------


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._row.extend([""] * (self._span - 1))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _frame_table(rows: list[list[str]], source: str, sheet: str | None) -> FrameTable:
    width = max((len(r) for r in rows), default=1)
    columns = {
        f"c{i}": [(r[i] if i < len(r) and r[i] != "" else None) for r in rows]
        for i in range(width)
    }
    frame = pl.DataFrame(columns, schema={k: pl.String for k in columns})
    return FrameTable(source=source, sheet=sheet, frame=frame)


def read_html(text: str, *, source: str) -> list[FrameTable]:
    """Each `<table>` of an HTML page saved under a spreadsheet name."""
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    tables = [t for t in parser.tables if t]
    return [
        _frame_table(rows, source, f"table{i + 1}") for i, rows in enumerate(tables)
    ]


_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def read_spreadsheetml(path: Path, *, source: str) -> list[FrameTable]:
    """Each worksheet of an Excel 2003 XML workbook."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise UnreadableFile(f"damaged SpreadsheetML: {exc}", file=source) from exc
    tables = []
    for ws in root.iter(f"{_SS}Worksheet"):
        rows: list[list[str]] = []
        for row in ws.iter(f"{_SS}Row"):
            index = row.get(f"{_SS}Index")
            while index and len(rows) < int(index) - 1:
                rows.append([])
            cells: list[str] = []
            for cell in row.iter(f"{_SS}Cell"):
                at = cell.get(f"{_SS}Index")
                while at and len(cells) < int(at) - 1:
                    cells.append("")
                data = cell.find(f"{_SS}Data")
                text = "".join(data.itertext()) if data is not None else ""
                cells.append(text)
                merge = cell.get(f"{_SS}MergeAcross")
                if merge and merge.isdigit():
                    cells.extend([""] * int(merge))
            rows.append(cells)
        tables.append(_frame_table(rows, source, ws.get(f"{_SS}Name")))
    return tables

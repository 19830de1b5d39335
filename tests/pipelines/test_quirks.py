"""Hard inputs seen in the wild (`shared/data/quirks.md`), one test per quirk.

Every fixture is generated here (plain bytes, openpyxl, xlwt, or a tiny BIFF5
writer for Excel 95 files, which no installed library writes). Each test names
its quirk; the pure-function quirks live in `tests/crosses/` and
`tests/search/test_offer_values.py`.
"""

from __future__ import annotations

import re
import struct
import tracemalloc
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest
import xlwt

from parts.settings import Settings
from pipelines.pricelists import textfile, workbook
from pipelines.pricelists.errors import HeaderNotFound, UnreadableFile
from pipelines.pricelists.headers import detect_header
from pipelines.pricelists.ingest import IngestResult, parse_price_file
from pipelines.pricelists.load import ingest
from pipelines.pricelists.profiles import SupplierProfile
from pipelines.pricelists.reading import Limits, read_tables
from search import lake

REPO = Path(__file__).resolve().parents[2]
LIMITS = Limits(
    max_file_bytes=1 << 30,
    max_unpacked_bytes=1 << 31,
    max_rows=2_000_000,
    max_columns=256,
    max_cell_chars=4000,
)
ROW = ("row", "brand", "article", "price", "qty")


# Helpers ----------------------------------------------------------------------


def profile_of(**settings: Any) -> SupplierProfile:
    return SupplierProfile.model_validate({"id": "acme", **settings})


def parse(
    path: Path, profile: SupplierProfile | None = None, *, share: float = 0.25
) -> IngestResult:
    return parse_price_file(
        path,
        supplier_id="acme",
        profile=profile,
        limits=LIMITS,
        tmp_dir=path.parent / "tmp",
        max_reject_share=share,
    )


def offers(result: IngestResult, columns: Sequence[str] = ROW) -> list[tuple]:
    """Offer rows as plain tuples; prices as strings with two decimals."""
    frame = result.offers.sort("sheet", "row", nulls_last=False)
    return [
        tuple(str(v) if isinstance(v, Decimal) else v for v in row)
        for row in frame.select(columns).rows()
    ]


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: Iterable[Sequence[Any]], title: str = "Прайс") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def biff5_workbook(
    sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]],
    *,
    codepage: int | None = None,
    stream_name: str = "Book",
) -> bytes:
    """An Excel 95 (BIFF5) workbook in an OLE container; text stored as cp1251
    bytes and, unless `codepage` is given, no CODEPAGE record (what old 1C and
    Excel 95 exports look like)."""

    def bof(kind: int) -> bytes:
        return _record(0x0809, struct.pack("<HHHH", 0x0500, kind, 0x0DBB, 0x07CC))

    bodies = []
    for _name, rows in sheets:
        body = bof(0x0010)
        width = max(len(r) for r in rows)
        body += _record(0x0200, struct.pack("<HHHHH", 0, len(rows), 0, width, 0))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    text = value.encode("cp1251")
                    cell = struct.pack("<HHHH", r, c, 0, len(text)) + text
                    body += _record(0x0204, cell)  # LABEL
                else:
                    body += _record(0x0203, struct.pack("<HHHd", r, c, 0, value))
        bodies.append(body + _record(0x000A))

    def globals_part(offsets: list[int]) -> bytes:
        part = bof(0x0005)
        if codepage is not None:
            part += _record(0x0042, struct.pack("<H", codepage))
        for (name, _), offset in zip(sheets, offsets, strict=True):
            raw = name.encode("cp1251")
            part += _record(0x0085, struct.pack("<IBBB", offset, 0, 0, len(raw)) + raw)
        return part + _record(0x000A)

    offsets, at = [], len(globals_part([0] * len(sheets)))
    for body in bodies:
        offsets.append(at)
        at += len(body)
    return _ole_container(globals_part(offsets) + b"".join(bodies), stream_name)


def _ole_container(stream: bytes, name: str) -> bytes:
    """A minimal compound file (v3): one FAT sector, one directory sector, and
    the stream in regular sectors (padded past the 4096-byte mini-stream cutoff)."""
    end, free, fat_sector, none = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    stream = stream.ljust(4096, b"\0")
    sectors = -(-len(stream) // 512)
    assert sectors <= 126, "fixture too large for one FAT sector"
    fat = [fat_sector, end, *range(3, sectors + 2), end]
    fat += [free] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<9I", 0, 1, 1, 0, 0x1000, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108

    def entry(entry_name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = entry_name.encode("utf-16-le") + b"\0\0" if entry_name else b""
        out = raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
        out += struct.pack("<III", none, none, child) + bytes(36)
        return out + struct.pack("<IQ", start, size)

    directory = entry("Root Entry", 5, 1, end, 0) + entry(name, 2, none, 2, len(stream))
    directory += entry("", 0, none, end, 0) * 2
    body = stream.ljust(sectors * 512, b"\0")
    return header + struct.pack("<128I", *fat) + directory + body


PRICE_ROWS = [
    ["Бренд", "Артикул", "Наименование", "Цена"],
    ["BOSCH", "0986452041", "Фильтр масляный", 350.5],
    ["ВАЗ", "21080-1001010", "Подушка двигателя", 1200],
]
PRICE_OFFERS = [
    (2, "BOSCH", "0986452041", "Фильтр масляный", "350.50"),
    (3, "LADA", "210801001010", "Подушка двигателя", "1200.00"),
]


# Encodings ----------------------------------------------------------------------


def test_q01_cp1251_csv_without_bom_is_detected_and_read(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "price.csv",
        "Бренд;Артикул;Наименование;Цена\n"
        "ВАЗ;21080-1001010;Подушка двигателя;1200\n"
        "Ё-МОБИЛЬ;АБВ-1;Ёлочный фильтр «Север»;15,50\n",
        "cp1251",
    )
    result = parse(path)
    assert result.report.encoding == "cp1251"
    assert result.report.columns["brand"] == "A `Бренд`"
    assert offers(result, ("row", "brand", "article", "name", "price")) == [
        (2, "LADA", "210801001010", "Подушка двигателя", "1200.00"),
        (3, "Ё-МОБИЛЬ", "AБB1", "Ёлочный фильтр «Север»", "15.50"),
    ]


def test_q01_replacement_character_in_brand_rejects_the_file_naming_the_encoding(
    tmp_path: Path,
) -> None:
    path = write_text(
        tmp_path / "damaged.csv",
        "Бренд;Артикул;Цена\nBOSCH;0986452041;100\nFEBI \ufffd;12345;200\n",
    )
    with pytest.raises(UnreadableFile) as caught:
        parse(path)
    message = str(caught.value)
    assert "U+FFFD in 1 rows" in message and "(encoding utf-8)" in message
    assert "(file damaged.csv, row 3, column A `Бренд`)" in message


def test_q01_utf8_with_a_broken_byte_is_refused_not_decoded_as_cp1251(
    tmp_path: Path,
) -> None:
    good = "Бренд;Артикул;Наименование;Цена\n" + "".join(
        f"ЛУКОЙЛ;L{i};Масло моторное синтетическое;{100 + i}\n" for i in range(50)
    )
    data = good.encode("utf-8")
    cut = data.index(b"L25")
    path = tmp_path / "broken.csv"
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    with pytest.raises(UnreadableFile) as caught:
        parse(path)
    message = str(caught.value)
    assert f"byte 0xff at offset {cut}" in message
    assert "broken.csv" in message


def test_q01_byte_undefined_in_the_profile_encoding_names_offset_and_line(
    tmp_path: Path,
) -> None:
    head = "Бренд;Артикул;Цена\nBOSCH;1;2\n".encode("cp1251")
    path = tmp_path / "p.csv"
    path.write_bytes(head + b"MANN;\x98;3\n")  # 0x98 has no character in cp1251
    with pytest.raises(UnreadableFile) as caught:
        parse(path, profile_of(reader={"encoding": "cp1251"}))
    message = str(caught.value)
    assert f"byte 0x98 at offset {len(head) + 5} (line 3)" in message
    assert "`cp1251`" in message and "file p.csv" in message


class _CountingReads:
    """A binary file whose `read` calls are recorded."""

    def __init__(self, fh: Any, sizes: list[int]) -> None:
        self._fh, self._sizes = fh, sizes

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._sizes.append(len(data) if n < 0 else n)
        return data

    def __enter__(self) -> _CountingReads:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()


class _SpyPath(type(Path())):  # type: ignore[misc]
    sizes: ClassVar[list[int]] = []

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        fh = super().open(mode, *args, **kwargs)
        return _CountingReads(fh, self.sizes) if "b" in mode else fh


@pytest.mark.parametrize("codec", ["cp1251", "utf-8-sig", "utf-16"])
def test_q02_chunked_transcoding_keeps_characters_split_between_chunks(
    codec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textfile, "CHUNK_BYTES", 7)  # odd: splits 2-byte characters
    text = "Бренд;Артикул;Цена\n" + "".join(
        f"ЛУКОЙЛ;Ж{i};{i},50 руб.\n" for i in range(300)
    )
    source = tmp_path / "price.csv"
    source.write_bytes(text.encode(codec))
    spy = _SpyPath(source)
    spy.sizes.clear()
    encoding = textfile.detect_encoding(spy)
    with textfile.utf8_copy(spy, encoding, tmp_path / "tmp") as utf8:
        assert utf8.read_text(encoding="utf-8") == text
    assert spy.sizes, "the transcoder did not read through the file object"
    assert max(spy.sizes) <= 7  # never the whole file in one read
    assert len(spy.sizes) >= source.stat().st_size // 7


def test_q02_transcoding_memory_stays_bounded_by_the_chunk_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textfile, "CHUNK_BYTES", 64 << 10)
    line = "ЛУКОЙЛ;Ж12345;Масло моторное синтетическое 5W-40 4 л;1 299,50\n"
    source = tmp_path / "big.csv"
    with source.open("wb") as fh:
        block = (line * 1000).encode("cp1251")
        for _ in range(80):  # about 4.6 MB
            fh.write(block)
    size = source.stat().st_size
    tracemalloc.start()
    try:
        encoding = textfile.detect_encoding(source)
        with textfile.utf8_copy(source, encoding, tmp_path / "tmp") as utf8:
            out_size = utf8.stat().st_size
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert encoding.name == "cp1251"
    assert out_size > size  # Cyrillic takes two bytes in UTF-8
    assert peak < 1 << 20, f"peak {peak} bytes for a {size}-byte file"


def test_q02_cp1251_file_read_in_tiny_chunks_gives_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textfile, "CHUNK_BYTES", 5)
    rows = "".join(f"ВАЗ;2108-{i:07d};Колодка тормозная;{i},5\n" for i in range(1, 200))
    path = write_text(
        tmp_path / "p.csv", "Бренд;Артикул;Наименование;Цена\n" + rows, "cp1251"
    )
    result = parse(path)
    assert result.report.rows_accepted == 199
    got = offers(result, ("row", "brand", "article", "name", "price"))
    assert got[0] == (2, "LADA", "21080000001", "Колодка тормозная", "1.50")
    assert got[-1] == (200, "LADA", "21080000199", "Колодка тормозная", "199.50")


@pytest.mark.slow
def test_q02_large_cp1251_csv_is_streamed(tmp_path: Path) -> None:
    line = "ЛУКОЙЛ;Ж{0};Масло моторное синтетическое 5W-40 4 л;1 299,50;>10\n"
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.write("Бренд;Артикул;Наименование;Цена;Остаток\n".encode("cp1251"))
        for block in range(100):
            fh.write(
                "".join(line.format(block * 5000 + i) for i in range(5000)).encode(
                    "cp1251"
                )
            )
    result = parse(path)
    assert result.report.rows_accepted == 500_000
    assert offers(result)[-1] == (500_001, "LUKOIL", "Ж499999", "1299.50", 10)


def test_q03_lake_holds_utf8_parquet_never_the_supplier_bytes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", profiles_dir=tmp_path / "p")
    path = write_text(
        tmp_path / "price.csv",
        "Бренд;Артикул;Наименование;Цена\nВАЗ;2108-1001010;Подушка «Люкс»;1200\n",
        "cp1251",
    )
    report = ingest(path, supplier_id="acme", settings=settings)
    assert report.status == "published"
    (parquet,) = lake.live_files(settings.lake_dir)
    assert parquet.read_bytes()[:4] == b"PAR1"
    table = pq.read_table(parquet)
    assert table.column("name").to_pylist() == ["Подушка «Люкс»"]
    assert table.column("brand_raw").to_pylist() == ["ВАЗ"]
    # nothing of ours hands a supplier file to DuckDB's CSV reader
    for folder in ("pipelines", "search", "dashboards", "service"):
        for source in (REPO / folder).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            assert not re.search(r"read_csv(_auto)?\s*\(|sniff_csv", text) or (
                "duckdb" not in text
            ), f"{source} reads CSV with DuckDB"


def test_q04_utf8_bom_before_a_quoted_header(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "bom.csv",
        '\ufeff"Бренд";"Артикул";"Цена"\n"BOSCH";"0 986 452 041";"1 299,50"\n',
    )
    result = parse(path)
    assert result.report.encoding == "utf-8 (BOM)"
    assert result.report.columns["brand"] == "A `Бренд`"
    assert offers(result) == [(2, "BOSCH", "0986452041", "1299.50", None)]


def test_q05_excel95_without_codepage_mojibake_is_repaired_with_a_warning(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(biff5_workbook([("Остатки", PRICE_ROWS)]))
    result = parse(path)
    assert offers(result, ("row", "brand", "article", "name", "price")) == PRICE_OFFERS
    assert result.report.sheets[0].name == "Остатки"
    assert any("cp1251" in w and "codepage" in w for w in result.report.warnings)


def test_q05_supplier_codepage_reads_excel95_without_guessing(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(biff5_workbook([("Остатки", PRICE_ROWS)]))
    result = parse(path, profile_of(reader={"encoding": "cp1251"}))
    assert offers(result, ("row", "brand", "article", "name", "price")) == PRICE_OFFERS
    assert result.report.warnings == []


def test_q05_mojibake_is_repaired_when_calamine_reads_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("xlrd is unavailable")

    monkeypatch.setattr(workbook, "_read_xls_xlrd", refuse)
    path = tmp_path / "old.xls"
    path.write_bytes(biff5_workbook([("Остатки", PRICE_ROWS)]))
    result = parse(path)
    assert offers(result, ("row", "brand", "article", "name", "price")) == PRICE_OFFERS
    assert result.report.sheets[0].name == "Остатки"
    assert any("Îñòàòêè" in w and "cp1251" in w for w in result.report.warnings)


def test_q06_unknown_codepage_is_read_by_the_next_reader(tmp_path: Path) -> None:
    path = tmp_path / "cp.xls"
    path.write_bytes(biff5_workbook([("Лист1", PRICE_ROWS)], codepage=5212))
    result = parse(path)
    assert offers(result, ("row", "brand", "article", "name", "price")) == PRICE_OFFERS
    assert any("5212" in w and "cp1251" in w for w in result.report.warnings)


def test_q06_workbook_stream_under_an_odd_name_is_found(tmp_path: Path) -> None:
    path = tmp_path / "odd.xls"
    path.write_bytes(
        biff5_workbook([("Лист1", PRICE_ROWS)], codepage=1251, stream_name="Workbook1")
    )
    result = parse(path)
    assert offers(result, ("row", "brand", "article", "name", "price")) == PRICE_OFFERS
    assert any("Workbook1" in w for w in result.report.warnings)


def test_q06_unreadable_xls_fails_alone_with_a_clear_message_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "var", profiles_dir=tmp_path / "p")
    broken = tmp_path / "legacy.xls"
    broken.write_bytes(biff5_workbook([("Лист1", PRICE_ROWS)])[:700])  # cut short
    good = tmp_path / "good.xls"
    good.write_bytes(biff5_workbook([("Лист1", PRICE_ROWS)], codepage=1251))
    reports = [
        ingest(path, supplier_id=supplier, settings=settings)
        for path, supplier in ((broken, "old-one"), (good, "new-one"))
    ]
    assert [r.status for r in reports] == ["quarantined", "published"]
    error = reports[0].error or ""
    assert "no reader could open this XLS" in error
    assert (
        "file legacy.xls" in error and "xlrd said" in error and "calamine said" in error
    )
    live = lake.scan_offers(settings.lake_dir, "new-one").collect()
    assert sorted(live["article"].to_list()) == ["0986452041", "210801001010"]


# Delimiters and numbers -----------------------------------------------------------


def test_q07_semicolon_file_with_commas_in_descriptions(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Наименование;Цена\n"
        "TRW;GDB1330;Колодки, передние, к-т;1 500,00\n"
        "ATE;13.0460-2719.2;Колодки, задние, к-т, с датчиком, 4 шт;1 197,00\n"
        "MANN;W712/75;Фильтр масляный;420\n",
    )
    result = parse(path)
    assert result.report.delimiter == ";"
    assert offers(result, ("row", "brand", "article", "name", "price")) == [
        (2, "TRW", "GDB1330", "Колодки, передние, к-т", "1500.00"),
        (3, "ATE", "13046027192", "Колодки, задние, к-т, с датчиком, 4 шт", "1197.00"),
        (4, "MANN-FILTER", "W71275", "Фильтр масляный", "420.00"),
    ]


def test_q07_commas_giving_a_constant_count_still_lose_to_the_semicolon(
    tmp_path: Path,
) -> None:
    # every line, the header too, has four commas: both delimiters give a
    # constant column count and `,` gives more columns; but these commas are
    # prose (followed by a space), not field separators
    path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Наименование, тип, ось, комплект, шт;Цена\n"
        "TRW;GDB1330;Колодки, дисковые, передние, к-т, 4;1500\n"
        "TRW;GDB1331;Колодки, дисковые, задние, к-т, 4;1400\n",
    )
    result = parse(path)
    assert result.report.delimiter == ";"
    assert offers(result) == [
        (2, "TRW", "GDB1330", "1500.00", None),
        (3, "TRW", "GDB1331", "1400.00", None),
    ]


def test_q07_profile_delimiter_wins_over_sniffing(tmp_path: Path) -> None:
    # `;` splits every line into four fields too, and comes first in the sniffer
    path = write_text(
        tmp_path / "p.csv",
        "Бренд,Артикул,Наименование;полное;краткое,Цена\n"
        "TRW,GDB1330,Колодки;дисковые;к-т,1500\n"
        "ATE,605208,Колодки;барабанные;к-т,990\n",
    )
    result = parse(path, profile_of(reader={"delimiter": ","}))
    assert result.report.delimiter == ","
    assert offers(result, ("row", "brand", "article", "name", "price")) == [
        (2, "TRW", "GDB1330", "Колодки;дисковые;к-т", "1500.00"),
        (3, "ATE", "605208", "Колодки;барабанные;к-т", "990.00"),
    ]


def test_q08_trailing_delimiter_empty_column_ignored_with_warning(
    tmp_path: Path,
) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Наименование;Цена;\n"
        + "".join(f"BOSCH;F{i:03d};Фильтр;{100 + i},50;\n" for i in range(40)),
    )
    result = parse(path)
    assert result.report.rows_read == result.report.rows_accepted == 40
    assert any("trailing delimiter" in w for w in result.report.warnings)
    assert offers(result)[0] == (2, "BOSCH", "F000", "100.50", None)
    assert offers(result)[-1] == (41, "BOSCH", "F039", "139.50", None)


def test_q09_decimal_comma_with_semicolon_and_quoted_comma_with_comma_delimiter(
    tmp_path: Path,
) -> None:
    semicolon = write_text(
        tmp_path / "a.csv", "Бренд;Артикул;Цена;Кол-во\nBOSCH;A1;10,20;4,5\n"
    )
    comma = write_text(
        tmp_path / "b.csv", 'Бренд,Артикул,Цена,Кол-во\nBOSCH,A1,"1,2",3\n'
    )
    assert offers(parse(semicolon)) == [(2, "BOSCH", "A1", "10.20", 4)]
    assert offers(parse(comma)) == [(2, "BOSCH", "A1", "1.20", 3)]


def test_q10_thousands_separators_by_locale_and_bare_ambiguity_is_flagged(
    tmp_path: Path,
) -> None:
    eu = write_text(
        tmp_path / "eu.csv", "Бренд;Артикул;Цена\nB;A1;1.299,99\nB;A2;12,50\n"
    )
    us = write_text(
        tmp_path / "us.csv", 'Бренд,Артикул,Цена\nB,A1,"100,000.00"\nB,A2,12.5\n'
    )
    assert [o[3] for o in offers(parse(eu))] == ["1299.99", "12.50"]
    assert [o[3] for o in offers(parse(us))] == ["100000.00", "12.50"]

    bare = write_text(
        tmp_path / "bare.csv",
        "Бренд;Артикул;Цена\nB;A1;1,234\nB;A2;100\nB;A3;250\nB;A4;99\n",
    )
    result = parse(bare)
    assert [o[2:4] for o in offers(result)] == [
        ("A2", "100.00"),
        ("A3", "250.00"),
        ("A4", "99.00"),
    ]
    assert result.report.rejects == {"ambiguous_price": 1}
    assert result.report.reject_examples["ambiguous_price"][0]["row"] == 2
    assert result.report.reject_examples["ambiguous_price"][0]["price_raw"] == "1,234"
    # the supplier's locale settles it, for the whole column
    us_profile = parse(bare, profile_of(reader={"decimal": "."}))
    assert offers(us_profile)[0][3] == "1234.00"
    eu_profile = parse(bare, profile_of(reader={"decimal": ","}))
    assert offers(eu_profile)[0][3] == "1.23"


def test_q11_prices_are_exact_decimals_without_a_float_round_trip(
    tmp_path: Path,
) -> None:
    csv_path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Цена\nB;A1;265,64\nB;A2;0,30\nB;A3;12345678901234,57\nB;A4;1,005\n",
    )
    result = parse(csv_path, profile_of(reader={"decimal": ","}))
    assert result.offers.schema["price"] == pl.Decimal(18, 2)
    assert result.offers["price"].to_list() == [
        Decimal("265.64"),
        Decimal("0.30"),
        Decimal("12345678901234.57"),
        Decimal("1.01"),  # half-up on the written digits, not on a float
    ]
    xlsx = write_xlsx(
        tmp_path / "p.xlsx",
        [["Бренд", "Артикул", "Цена"], ["B", "A1", 265.64], ["B", "A2", 0.1 + 0.2]],
    )
    assert [o[3] for o in offers(parse(xlsx))] == ["265.64", "0.30"]


def test_q12_price_types_never_depend_on_a_sample(tmp_path: Path) -> None:
    rows = "B;A1;123,000\n" * 3000 + "B;A2;80000000,00\n"
    path = write_text(tmp_path / "p.csv", "Бренд;Артикул;Цена\n" + rows)
    result = parse(path)
    assert result.report.rows_accepted == 3001
    prices = result.offers.sort("row")["price"]
    # `80000000,00` at the very end proves the decimal comma for the column
    assert prices.head(3000).unique().to_list() == [Decimal("123.00")]
    assert prices[-1] == Decimal("80000000.00")


def test_q13_spaced_and_suffixed_prices_parse_and_bad_ones_are_listed(
    tmp_path: Path,
) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Цена\n"
        "B;A1;1\u00a0299,50\n"
        "B;A2;1\u202f299,50\n"
        "B;A3;1299,99 руб.\n"
        "B;A4;1 299 ₽\n"
        "B;A5;3 445,00р.\n"
        "B;A6;цена по запросу\n"
        "B;A7;12.5.3\n"
        "B;A8;1 2\n" + "".join(f"B;Z{i};{i}0,00\n" for i in range(1, 10)),
    )
    result = parse(path)
    assert offers(result)[:5] == [
        (2, "B", "A1", "1299.50", None),
        (3, "B", "A2", "1299.50", None),
        (4, "B", "A3", "1299.99", None),
        (5, "B", "A4", "1299.00", None),
        (6, "B", "A5", "3445.00", None),
    ]
    assert result.report.rows_read == 17
    assert result.report.rejects == {"bad_price": 3}
    listed = result.report.reject_examples["bad_price"]
    assert [(e["row"], e["price_raw"]) for e in listed] == [
        (7, "цена по запросу"),
        (8, "12.5.3"),
        (9, "1 2"),
    ]


# CSV structure ---------------------------------------------------------------


def test_q15_first_quoted_field_after_row_20000(tmp_path: Path) -> None:
    lines = [f"BOSCH;F{i:05d};Фильтр;{100 + i % 50}\n" for i in range(20_500)]
    lines[20_100] = 'BOSCH;F20100;"Фильтр; ""салонный"", угольный";777\n'
    path = write_text(
        tmp_path / "p.csv", "Бренд;Артикул;Наименование;Цена\n" + "".join(lines)
    )
    result = parse(path)
    assert result.report.rows_accepted == 20_500
    assert result.report.warnings == []
    row = result.offers.filter(pl.col("article") == "F20100")
    assert row.select("row", "name", "price").rows() == [
        (20_102, 'Фильтр; "салонный", угольный', Decimal("777.00"))
    ]


def test_q16_quoted_newlines_in_a_description_and_in_a_header_cell(
    tmp_path: Path,
) -> None:
    path = write_text(
        tmp_path / "p.csv",
        'Бренд;Артикул;Наименование;"Цена,\nруб"\n'
        'TRW;GDB1330;"Колодки\nпередние";1500\n'
        "MANN;W712/75;Фильтр;420\n",
    )
    result = parse(path)
    assert result.report.columns["price"] == "D `Цена, руб`"
    assert offers(result, ("row", "article", "name", "price")) == [
        (2, "GDB1330", "Колодки\nпередние", "1500.00"),
        (3, "W71275", "Фильтр", "420.00"),
    ]


def test_q17_ragged_rows_are_padded_or_cut_and_reported(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Наименование;Цена;Кол-во\n"
        "BOSCH;A1;Колодки;100;5;EXTRA;MORE\n"
        "BOSCH;A2;Фильтр;200\n"
        "BOSCH;A3;Ремень;300;1\n"
        "BOSCH;A4;Свеча;400;;;\n",
    )
    result = parse(path)
    assert offers(result) == [
        (2, "BOSCH", "A1", "100.00", 5),
        (3, "BOSCH", "A2", "200.00", None),
        (4, "BOSCH", "A3", "300.00", 1),
        (5, "BOSCH", "A4", "400.00", None),
    ]
    warnings = result.report.warnings
    assert any(
        "2 records have more than 5 fields" in w and "[2, 5]" in w for w in warnings
    )
    assert any(
        "1 records have fewer than 5 fields" in w and "[3]" in w for w in warnings
    )


# Excel ------------------------------------------------------------------------


def _title_then_header_in_row_17(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A10"] = "Прайс-лист ООО «Ромашка» на 01.02.2026"
    sheet["A12"] = "Телефон: +7 (495) 123-45-67"
    for c, name in enumerate(
        ["Бренд", "Артикул", "Наименование", "Цена", "Остаток"], 1
    ):
        sheet.cell(17, c, name)
    for r, row in enumerate(
        [
            ["BOSCH", "0986452041", "Фильтр", 350.5, 4],
            ["MANN", "W712/75", "Фильтр", 420, ">10"],
        ],
        18,
    ):
        for c, value in enumerate(row, 1):
            sheet.cell(r, c, value)
    book.save(path)
    return path


def test_q18_header_in_row_17_is_found_by_its_words(tmp_path: Path) -> None:
    result = parse(_title_then_header_in_row_17(tmp_path / "p.xlsx"))
    assert result.report.sheets[0].header_rows == [17]
    assert offers(result) == [
        (18, "BOSCH", "0986452041", "350.50", 4),
        (19, "MANN-FILTER", "W71275", "420.00", 10),
    ]


def test_q18_header_row_pinned_by_the_profile(tmp_path: Path) -> None:
    path = _title_then_header_in_row_17(tmp_path / "p.xlsx")
    result = parse(path, profile_of(reader={"header_row": 17}))
    assert result.report.sheets[0].header_rows == [17]
    assert [o[:3] for o in offers(result)] == [
        (18, "BOSCH", "0986452041"),
        (19, "MANN-FILTER", "W71275"),
    ]


def _merged_price_header_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Прайс-лист на 01.02.2026"
    sheet.merge_cells("A1:E1")
    for col, name in zip("ABC", ["Бренд", "Артикул", "Наименование"], strict=True):
        sheet[f"{col}2"] = name
        sheet.merge_cells(f"{col}2:{col}3")
    sheet["D2"] = "Цена"
    sheet.merge_cells("D2:E2")
    sheet["D3"], sheet["E3"] = "Опт", "Розница"
    sheet.append(["BOSCH", "0986452041", "Фильтр", 350.5, 499])
    sheet.append(["MANN", "W712/75", "Фильтр", 420, 560])
    book.save(path)
    return path


def _merged_price_header_xls(path: Path) -> Path:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Лист1")
    sheet.write_merge(0, 0, 0, 4, "Прайс-лист на 01.02.2026")
    for c, name in enumerate(["Бренд", "Артикул", "Наименование"]):
        sheet.write_merge(1, 2, c, c, name)
    sheet.write_merge(1, 1, 3, 4, "Цена")
    sheet.write(2, 3, "Опт")
    sheet.write(2, 4, "Розница")
    for r, row in enumerate(
        [
            ["BOSCH", "0986452041", "Фильтр", 350.5, 499],
            ["MANN", "W712/75", "Фильтр", 420, 560],
        ],
        3,
    ):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))
    return path


@pytest.mark.parametrize(
    "make", [_merged_price_header_xlsx, _merged_price_header_xls], ids=["xlsx", "xls"]
)
def test_q19_merged_price_over_wholesale_and_retail(make: Any, tmp_path: Path) -> None:
    path = make(
        tmp_path / f"p.{'xlsx' if make is _merged_price_header_xlsx else 'xls'}"
    )
    with read_tables(path, profile=None, limits=LIMITS, tmp_dir=tmp_path) as read:
        guess = detect_header(read.tables[0].head())
    assert guess is not None and (guess.first_row, guess.last_row) == (1, 2)
    assert guess.names == [
        "Бренд",
        "Артикул",
        "Наименование",
        "Цена Опт",
        "Цена Розница",
    ]
    result = parse(path)
    assert result.report.columns["price"] == "D `Цена Опт`"
    assert offers(result) == [
        (4, "BOSCH", "0986452041", "350.50", None),
        (5, "MANN-FILTER", "W71275", "420.00", None),
    ]


def test_q20_article_column_numbers_then_text_stays_text(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["Бренд", "Артикул", "Штрихкод", "Цена"]]
    rows += [["BOSCH", 100_000 + i, 4_601_234_567_000 + i, 10 + i] for i in range(120)]
    rows += [["BOSCH", "A123-45", "4601234567999", 99], ["BOSCH", 12345.0, None, 1]]
    result = parse(write_xlsx(tmp_path / "p.xlsx", rows))
    assert result.report.rows_accepted == 122
    assert result.offers["article"].null_count() == 0
    assert offers(result, ("row", "article", "article_raw", "price"))[-3:] == [
        (121, "100119", "100119", "129.00"),
        (122, "A12345", "A123-45", "99.00"),
        (123, "12345", "12345", "1.00"),
    ]


def test_q21_zero_padded_number_and_text_give_the_same_article(
    tmp_path: Path,
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Бренд", "Артикул", "Цена"])
    sheet.append(["BOSCH", 986452041, 350])
    sheet["B2"].number_format = "0000000000"
    sheet.append(["BOSCH", "0986452041", 351])
    book.save(tmp_path / "p.xlsx")

    legacy = xlwt.Workbook()
    ws = legacy.add_sheet("Лист1")
    for c, name in enumerate(["Бренд", "Артикул", "Цена"]):
        ws.write(0, c, name)
    ws.write(1, 0, "BOSCH")
    ws.write(1, 1, 986452041, xlwt.easyxf(num_format_str="0000000000"))
    ws.write(1, 2, 350)
    for c, value in enumerate(["BOSCH", "0986452041", 351]):
        ws.write(2, c, value)
    legacy.save(str(tmp_path / "p.xls"))

    for name in ("p.xlsx", "p.xls"):
        assert offers(parse(tmp_path / name), ("row", "article", "article_raw")) == [
            (2, "0986452041", "0986452041"),
            (3, "0986452041", "0986452041"),
        ], name


def test_q22_scientific_notation_article_is_rejected_with_that_reason(
    tmp_path: Path,
) -> None:
    csv_path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Цена\n"
        "B;4.60123E+12;1\nB;2E15;2\nB;4,6E+12;3\n"
        "B;210202E000;4\nB;480E-1007011;5\n"
        + "".join(f"B;0986{i:06d};{i + 6}\n" for i in range(10)),
    )
    result = parse(csv_path)
    assert result.report.rejects == {"article_scientific": 3}
    rejected = result.report.reject_examples["article_scientific"]
    assert [(e["row"], e["article_raw"]) for e in rejected] == [
        (2, "4.60123E+12"),
        (3, "2E15"),
        (4, "4,6E+12"),
    ]
    assert offers(result)[:2] == [
        (5, "B", "210202E000", "4.00", None),
        (6, "B", "480E1007011", "5.00", None),
    ]
    xlsx = write_xlsx(
        tmp_path / "p.xlsx",
        [
            ["Бренд", "Артикул", "Штрих-код", "Цена"],
            ["B", "4.60123E+12", "4601234567890", 1],
            ["B", "K0", "4,60123E+12", 2],  # the article is fine, the barcode is not
            ["B", "K1", 4601234567891, 3],
        ]
        + [["B", f"K{i}", None, 2] for i in range(2, 7)],
    )
    result = parse(xlsx)
    assert result.report.columns["barcode"] == "C `Штрих-код`"
    assert result.report.rejects == {"article_scientific": 1, "barcode_scientific": 1}
    assert [e["row"] for e in result.report.reject_examples["barcode_scientific"]] == [
        3
    ]
    assert offers(result)[0] == (4, "B", "K1", "3.00", None)


SPREADSHEETML = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="Прайс"><Table>
<Row><Cell><Data ss:Type="String">Бренд</Data></Cell><Cell><Data ss:Type="String">Артикул</Data></Cell><Cell><Data ss:Type="String">Наименование</Data></Cell><Cell><Data ss:Type="String">Цена</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">BOSCH</Data></Cell><Cell><Data ss:Type="String">0986452041</Data></Cell><Cell><Data ss:Type="String">Фильтр масляный</Data></Cell><Cell><Data ss:Type="Number">1299.5</Data></Cell></Row>
<Row ss:Index="4"><Cell><Data ss:Type="String">MANN</Data></Cell><Cell><Data ss:Type="String">W712/75</Data></Cell><Cell ss:Index="4"><Data ss:Type="Number">420</Data></Cell></Row>
</Table></Worksheet></Workbook>
"""
HTML_TABLE = (
    '<html><head><meta charset="windows-1251"></head><body><table>'
    "<tr><th>Бренд</th><th>Артикул</th><th>Наименование</th><th>Цена</th></tr>"
    "<tr><td>BOSCH</td><td>0986452041</td><td>Фильтр&nbsp;масляный</td><td>1&nbsp;299,50</td></tr>"
    "<tr><td>MANN</td><td>W712/75</td><td></td><td>420</td></tr>"
    "</table></body></html>"
)


@pytest.mark.parametrize(
    ("content", "encoding", "fmt", "first_row"),
    [
        (
            HTML_TABLE,
            "cp1251",
            "html",
            (2, "BOSCH", "0986452041", "Фильтр масляный", "1299.50"),
        ),
        (
            SPREADSHEETML,
            "utf-8",
            "spreadsheetml",
            (2, "BOSCH", "0986452041", "Фильтр масляный", "1299.50"),
        ),
        (
            "\ufeffБренд;Артикул;Наименование;Цена\nBOSCH;0986452041;Фильтр масляный;1 299,50\nMANN;W712/75;;420\n",
            "utf-8",
            "csv",
            (2, "BOSCH", "0986452041", "Фильтр масляный", "1299.50"),
        ),
    ],
    ids=["html", "spreadsheetml", "csv-bom"],
)
def test_q23_xls_that_is_really_html_spreadsheetml_or_csv(
    content: str, encoding: str, fmt: str, first_row: tuple, tmp_path: Path
) -> None:
    path = write_text(tmp_path / "price.xls", content, encoding)
    result = parse(path)
    assert result.report.format == fmt
    rows = offers(result, ("row", "brand", "article", "name", "price"))
    assert rows[0] == first_row
    assert rows[1][1:3] == ("MANN-FILTER", "W71275") and rows[1][4] == "420.00"


def test_q24_empty_leading_column_and_sparse_price_column(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for col, name in zip(
        "BCDE", ["Бренд", "Артикул", "Наименование", "Цена"], strict=True
    ):
        sheet[f"{col}1"] = name
    for i in range(200):
        sheet.cell(i + 2, 2, "BOSCH")
        sheet.cell(i + 2, 3, f"F{i:03d}-X")
        sheet.cell(i + 2, 4, "Фильтр")
        if i >= 150:
            sheet.cell(i + 2, 5, 10 + i)
    book.save(tmp_path / "p.xlsx")
    result = parse(tmp_path / "p.xlsx", share=0.8)
    assert result.report.columns == {
        "brand": "B `Бренд`",
        "article": "C `Артикул`",
        "name": "D `Наименование`",
        "price": "E `Цена`",
    }
    assert result.report.rows_read == 200
    assert result.report.rejects == {"no_price": 150}
    got = offers(result)
    assert len(got) == 50
    assert got[0] == (152, "BOSCH", "F150X", "160.00", None)
    assert got[-1] == (201, "BOSCH", "F199X", "209.00", None)

    csv_path = write_text(
        tmp_path / "p.csv",
        ";Бренд;Артикул;Цена\n"
        + "".join(f";BOSCH;F{i:03d};{'' if i < 150 else i}\n" for i in range(200)),
    )
    result = parse(csv_path, share=0.8)
    assert result.report.columns["price"] == "D `Цена`"
    assert offers(result)[0] == (152, "BOSCH", "F150", "150.00", None)


def test_q25_two_sheets_both_imported_and_counted_per_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    parts = book.active
    parts.title = "Запчасти"
    for row in (["Бренд", "Артикул", "Цена"], ["BOSCH", "A1", 1], ["TRW", "B2", 2]):
        parts.append(row)
    oils = book.create_sheet("Масла")
    for row in (["Бренд", "Артикул", "Цена"], ["MOBIL", "M1", 10], ["BAD", "", 5]):
        oils.append(row)
    book.save(tmp_path / "p.xlsx")
    result = parse(tmp_path / "p.xlsx", share=0.5)
    assert [
        (s.name, s.rows_read, s.rows_accepted, s.rows_rejected)
        for s in result.report.sheets
    ] == [("Запчасти", 2, 2, 0), ("Масла", 2, 1, 1)]
    assert offers(result, ("sheet", "row", "brand", "article", "price")) == [
        ("Запчасти", 2, "BOSCH", "A1", "1.00"),
        ("Запчасти", 3, "TRW", "B2", "2.00"),
        ("Масла", 2, "MOBIL", "M1", "10.00"),
    ]


def test_q26_xlsx_with_a_wrong_dimension_still_gives_every_row(tmp_path: Path) -> None:
    rows = [["Бренд", "Артикул", "Цена"]] + [
        ["BOSCH", f"A{i}", 100 + i] for i in range(10_000)
    ]
    honest = write_xlsx(tmp_path / "honest.xlsx", rows)
    lying = tmp_path / "lying.xlsx"
    with (
        zipfile.ZipFile(honest) as src,
        zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data, n = re.subn(
                    rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data
                )
                assert n == 1
            dst.writestr(info, data)
    result = parse(lying)
    assert result.report.rows_accepted == 10_000
    assert offers(result)[-1] == (10_001, "BOSCH", "A9999", "10099.00", None)


# Articles and brands through a whole file ---------------------------------------------


def test_q27_q28_q30_spellings_of_one_article_share_it_and_keep_the_written_form(
    tmp_path: Path,
) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Цена\n"
        "HYUNDAI;58101D7A50;100\n"
        "HYUNDAI;58101 D7A50;101\n"
        "NACHI;ABE9006(NACHI);102\n"
        "FAG;ABE9018(FAG)(BULK);103\n"
        "SAVE CAR;E(SL);104\n"
        "BOSCH;0.986.452.041;105\n"
        "MB;A 000 420 12 20;106\n",
    )
    result = parse(path)
    assert offers(
        result, ("row", "brand", "article", "article_raw", "article_note")
    ) == [
        (2, "HYUNDAI", "58101D7A50", "58101D7A50", None),
        (3, "HYUNDAI", "58101D7A50", "58101 D7A50", None),
        (4, "NACHI", "ABE9006", "ABE9006(NACHI)", "NACHI"),
        (5, "FAG", "ABE9018", "ABE9018(FAG)(BULK)", "FAG BULK"),
        (6, "SAVE CAR", "ESL", "E(SL)", None),
        (7, "BOSCH", "0986452041", "0.986.452.041", None),
        (8, "MERCEDES-BENZ", "A0004201220", "A 000 420 12 20", None),
    ]


def test_q29_lookalike_cyrillic_in_articles_folds_to_latin(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Цена\nMAHLE;А5150;10\nBOSCH;0986АF1234;20\nDAFMI;Д387Е;30\n",
        "cp1251",
    )
    assert [o[2] for o in offers(parse(path))] == ["A5150", "0986AF1234", "Д387E"]


def test_q31_q33_brand_spellings_map_through_aliases_and_new_ones_go_to_review(
    tmp_path: Path,
) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Цена\n"
        "Dr.Motor Automotive;DR1;1\n"
        "DR.MOTOR;DR2;2\n"
        "AUTOFREN;AF1;3\n"
        "Polaris (Китай);P1;4\n"
        "BOSCH / Германия;B1;5\n"
        "DR MOTORS;DR3;6\n",
    )
    result = parse(path)
    assert [o[1] for o in offers(result)] == [
        "DR.MOTOR",
        "DR.MOTOR",
        "AUTOFREN SEINSA",
        "POLARIS",
        "BOSCH",
        "DR MOTORS",  # a new spelling is never merged by a fuzzy score
    ]
    assert "DR.MOTOR" in result.report.unknown_brands["DR MOTORS"]
    assert set(result.report.unknown_brands) == {"DR MOTORS", "POLARIS"}


# Values through a whole file --------------------------------------------------------


def test_q42_stock_spellings_in_a_price_list(tmp_path: Path) -> None:
    stock = [
        ">10",
        "ЕСТЬ",
        "нет",
        "под заказ",
        "очікуємо",
        "БОЛЕЕ50",
        "+++",
        "0",
        "1 000",
    ]
    path = write_text(
        tmp_path / "p.csv",
        "Бренд;Артикул;Цена;Наличие\n"
        + "".join(f"B;A{i};10;{s}\n" for i, s in enumerate(stock)),
    )
    result = parse(path)
    assert offers(result, ("qty_raw", "qty", "qty_approx")) == [
        (">10", 10, True),
        ("ЕСТЬ", 1, True),
        ("нет", 0, False),
        ("под заказ", None, False),
        ("очікуємо", None, False),
        ("БОЛЕЕ50", 50, True),
        ("+++", 1, True),
        ("0", 0, False),
        ("1 000", 1000, False),
    ]
    notes = result.report.value_notes
    assert (notes["qty_approx"], notes["qty_zero"], notes["qty_to_order"]) == (4, 2, 2)


def test_q43_idiosyncratic_headers_match_and_the_profile_overrides(
    tmp_path: Path,
) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "ГРУППА;№ ПРОИЗВ.;НАИМЕНОВАНИЕ;ЦЕНА;НАЛичие\n"
        "BOSCH;0 986 452 041;Фильтр масляный;350,50;есть\n"
        "FEBI;01089;Ремень;1 200,00;>10\n",
    )
    # `ГРУППА` is a product group to most suppliers: never a brand by guess
    with pytest.raises(HeaderNotFound) as caught:
        parse(path)
    assert "['brand']" in str(caught.value) and "file p.csv" in str(caught.value)

    result = parse(path, profile_of(columns={"brand": "группа"}))
    assert result.report.columns == {
        "brand": "A `ГРУППА`",
        "article": "B `№ ПРОИЗВ.`",
        "name": "C `НАИМЕНОВАНИЕ`",
        "price": "D `ЦЕНА`",
        "qty": "E `НАЛичие`",
    }
    assert result.report.column_reasons["brand"] == "pinned by the supplier profile"
    assert offers(result) == [
        (2, "BOSCH", "0986452041", "350.50", 1),
        (3, "FEBI BILSTEIN", "01089", "1200.00", 10),
    ]


def test_q44_a_truncated_v2_is_quarantined_and_v1_stays_live(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", profiles_dir=tmp_path / "p")
    rows = [["Бренд", "Артикул", "Цена"]] + [
        ["BOSCH", f"A{i}", 100 + i] for i in range(500)
    ]
    v1 = write_xlsx(tmp_path / "v1.xlsx", rows)
    first = ingest(v1, supplier_id="acme", settings=settings)
    assert first.status == "published"

    v2_rows = [["Бренд", "Артикул", "Цена"]] + [
        ["BOSCH", f"A{i}", 200 + i] for i in range(500)
    ]
    data = write_xlsx(tmp_path / "full-v2.xlsx", v2_rows).read_bytes()
    truncated = tmp_path / "v2.xlsx"
    truncated.write_bytes(data[: len(data) // 2])  # the mail attachment was cut
    corrupt = tmp_path / "v2b.xlsx"
    with (
        zipfile.ZipFile(tmp_path / "full-v2.xlsx") as src,
        zipfile.ZipFile(corrupt, "w") as dst,
    ):
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part[: len(part) // 2]  # the sheet XML ends mid-row
            dst.writestr(info, part)

    for bad, expected in ((truncated, "damaged"), (corrupt, "cannot read sheet")):
        report = ingest(bad, supplier_id="acme", settings=settings)
        assert report.status == "quarantined"
        assert expected in (report.error or "") and bad.name in (report.error or "")
        live = lake.scan_offers(settings.lake_dir, "acme").sort("row").collect()
        assert live.height == 500
        assert set(live["load_id"]) == {first.load_id}
        assert live.select("article", "price").row(0) == ("A0", Decimal("100.00"))
        assert (
            settings.quarantine_dir / "acme" / f"{report.load_id}-{bad.name}"
        ).exists()

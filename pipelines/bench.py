"""`parts bench ingest`: throughput and memory of a whole price-list ingest.

A synthetic price list (realistic brands, articles in mixed spellings, Russian
names, decimal-comma prices with NBSP thousands, stock text) is generated with
polars expressions, written as a cp1251 `;` CSV and as an XLSX, and then:

- the whole ingest (`pipelines.pricelists.load.ingest`: fingerprint, decode,
  parse, normalize, validate, write Parquet, publish) runs in a child process,
  which reports its wall time and its own peak RSS, so the generator's memory
  does not count;
- the baseline is a plain `polars.read_csv` of the same rows as UTF-8 bytes
  (every column as text), in a child process of its own;
- for XLSX, the ingest is compared with a bare python-calamine read of the same
  workbook (`CalamineWorkbook.from_path(...).get_sheet_by_name(...).to_python()`).

The files live in a temporary folder under `<data dir>/tmp/` that is removed
afterwards, and the ingest publishes into a lake inside it, so a benchmark
never touches the real offers.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import polars as pl

NBSP = "\u00a0"
SHEET = "Прайс"
TARGET_RATIO = 1 / 3  # ingest rows/s over the plain UTF-8 read's rows/s
TARGET_MEMORY = 3.0  # peak RSS over the file size
TARGET_XLSX_RATIO = 0.5  # XLSX ingest rows/s over the bare calamine read's

# brand spellings as suppliers write them, and the article shape of the brand
BRANDS: list[tuple[str, str]] = [
    ("BOSCH", "bosch"), ("Bosch", "bosch"), ("MANN-FILTER", "mann"),
    ("MANN", "mann"), ("MAHLE", "mahle"), ("Mahle Original", "mahle"),
    ("FEBI BILSTEIN", "num5"), ("FEBI", "num5"), ("LEMFOERDER", "num7"),
    ("LEMFORDER", "num7"), ("SACHS", "num6"), ("ZF SACHS", "num6"), ("TRW", "trw"),
    ("NGK", "num4"), ("DENSO", "trw"), ("KYB", "num6"), ("KAYABA", "num6"),
    ("GATES", "num4"), ("SKF", "skf"), ("VALEO", "num6"), ("HELLA", "hella"),
    ("MERCEDES-BENZ", "mb"), ("MB", "mb"), ("MERCEDES", "mb"), ("TOYOTA", "toyota"),
    ("LADA", "lada"), ("ВАЗ", "lada"), ("VAG", "vag"), ("VW", "vag"),
    ("HYUNDAI", "toyota"), ("KIA", "toyota"), ("NISSAN", "toyota"),
    ("MOBIS", "toyota"), ("FILTRON", "mahle"), ("RUVILLE", "num6"),
    ("MEYLE", "bosch"), ("SWAG", "num5"), ("CORTECO", "num6"), ("ELRING", "num6"),
]  # fmt: skip
NAMES = [
    "Фильтр масляный", "Фильтр воздушный", "Фильтр салона угольный",
    "Фильтр топливный", "Колодки тормозные передние, к-т",
    "Колодки тормозные задние", "Диск тормозной передний вентилируемый",
    "Свеча зажигания", "Амортизатор передний газомасляный",
    "Амортизатор задний", "Рычаг подвески передний нижний", "Шаровая опора",
    "Наконечник рулевой тяги", "Тяга стабилизатора", "Сайлентблок рычага",
    "Опора двигателя", "Ремень ГРМ", "Комплект ремня ГРМ", "Ремень поликлиновой",
    "Подшипник ступицы", "Насос водяной (помпа)", "Термостат", "Датчик ABS",
    "Датчик кислородный (лямбда-зонд)", "Комплект сцепления", "Щётка стеклоочистителя",
    "Катушка зажигания", "Прокладка клапанной крышки", "Сальник коленвала",
]  # fmt: skip
CARS = [
    "", "", "VW Golf V", "Skoda Octavia A5", "Ford Focus II", "Renault Logan",
    "Hyundai Solaris", "Kia Rio", "Toyota Camry V40", "Mercedes W211",
    "BMW E90", "Lada Granta", "Lada Vesta", "Nissan Qashqai", "Opel Astra H",
]  # fmt: skip
STOCK_WORDS = [">10", ">50", "есть", "под заказ", "10+", "мало", "<5", "нет"]
MULTIPLICITY = ["1", "1", "1", "1", "1", "1", "2", "4", "10"]
LETTERS = list("ABCDEFGHJKLMNPRSTVWXYZ")
HEADER = ["Производитель", "Артикул", "Наименование", "Цена", "Наличие", "Кратность"]
_LOOKALIKE = (list("ABCEHKMOPTX"), list("АВСЕНКМОРТХ"))


# Synthetic data -----------------------------------------------------------------


def _pick(values: list[str], key: pl.Expr) -> pl.Expr:
    """`values[key % len(values)]` as an expression."""
    return (key % len(values)).replace_strict(
        list(range(len(values))), values, return_dtype=pl.String
    )


def synthetic_offers(rows: int, *, seed: int = 7) -> pl.DataFrame:
    """`rows` price-list rows as text, built column-wise (no Python loop per row)."""
    idx = pl.int_range(0, rows, dtype=pl.UInt64)
    frame = pl.select(
        b=idx.hash(seed),
        d=idx.hash(seed + 1),
        v=idx.hash(seed + 2),
        p=idx.hash(seed + 3),
    )
    brand_names = [b for b, _ in BRANDS]
    shapes = [s for _, s in BRANDS]
    d = pl.col("d")
    # stage the shared pieces as columns: an expression reused in many
    # branches would be computed again for each of them
    frame = frame.with_columns(
        digits=(d % 10**12).cast(pl.String).str.zfill(12),
        l1=_pick(LETTERS, d // 10**12),
        l2=_pick(LETTERS, d // 10**14),
        shape=_pick(shapes, pl.col("b")),
    )
    digits = pl.col("digits")

    def cut(start: int, length: int) -> pl.Expr:
        return digits.str.slice(start, length)

    letter1, letter2 = pl.col("l1"), pl.col("l2")
    sp = pl.lit(" ")
    shaped = {
        "bosch": pl.concat_str(cut(0, 1), sp, cut(1, 3), sp, cut(4, 3), sp, cut(7, 3)),
        "mann": pl.concat_str(letter1, sp, cut(0, 3), pl.lit("/"), cut(3, 2)),
        "mahle": pl.concat_str(letter1, letter2, sp, cut(0, 3)),
        "mb": pl.concat_str(
            pl.lit("A "), cut(0, 3), sp, cut(3, 3), sp, cut(6, 2), sp, cut(8, 2)
        ),
        "vag": pl.concat_str(
            cut(0, 1),
            letter1,
            cut(1, 1),
            sp,
            cut(2, 3),
            sp,
            cut(5, 3),
            sp,
            letter1,
            letter2,
        ),
        "lada": pl.concat_str(pl.lit("2"), cut(0, 3), pl.lit("-"), cut(3, 7)),
        "toyota": pl.concat_str(cut(0, 5), pl.lit("-"), cut(5, 5)),
        "trw": pl.concat_str(letter1, letter2, pl.lit("B"), cut(0, 4)),
        "skf": pl.concat_str(pl.lit("VKBA "), cut(0, 4)),
        "hella": pl.concat_str(pl.lit("8GD 002 "), cut(0, 3), pl.lit("-"), cut(3, 3)),
        "num4": cut(0, 4),
        "num5": cut(0, 5),
        "num6": cut(0, 6),
        "num7": pl.concat_str(cut(0, 5), sp, pl.lit("0"), cut(5, 1)),
    }
    # each shape on its own rows: a when/then chain would build all of them
    # for every row
    frame = pl.concat(
        [
            part.with_columns(canonical=shaped[str(key[0])])
            for key, part in frame.with_row_index("i")
            .partition_by("shape", as_dict=True)
            .items()
        ]
    ).sort("i")
    canonical = pl.col("canonical")
    variant = pl.col("v") % 100
    article = (
        pl.when(variant < 50)
        .then(canonical)
        .when(variant < 80)
        .then(canonical.str.replace_all(" ", "", literal=True))
        .when(variant < 90)
        .then(canonical.str.replace_all(" ", ".", literal=True))
        .when(variant < 98)
        .then(canonical.str.replace_all(" ", "-", literal=True))
        .otherwise(canonical.str.replace_many(*_LOOKALIKE))
    )
    car = _pick(CARS, pl.col("v") // 100)
    name = pl.concat_str(_pick(NAMES, pl.col("v") // 10_000), sp, car).str.strip_chars()
    p = pl.col("p")
    tier = (p // 10**12) % 100  # most parts are cheap, a few are dear
    cents = 4_000 + p % pl.when(tier < 55).then(150_000).when(tier < 90).then(
        1_000_000
    ).otherwise(5_000_000)
    whole = cents // 100
    frac = (cents % 100).cast(pl.String).str.zfill(2)
    thousands = pl.concat_str(
        (whole // 1000).cast(pl.String),
        pl.lit(NBSP),
        (whole % 1000).cast(pl.String).str.zfill(3),
    )
    price = pl.concat_str(
        pl.when(whole >= 1000).then(thousands).otherwise(whole.cast(pl.String)),
        pl.lit(","),
        frac,
    )
    roll = (p // 10**7) % 100
    stock = (
        pl.when(roll < 60)
        .then((p // 10**9 % 40).cast(pl.String))
        .otherwise(_pick(STOCK_WORDS, p // 10**9))
    )
    out = frame.select(
        _pick(brand_names, pl.col("b")).alias(HEADER[0]),
        article.alias(HEADER[1]),
        name.alias(HEADER[2]),
        price.alias(HEADER[3]),
        stock.alias(HEADER[4]),
        _pick(MULTIPLICITY, pl.col("b") // 1000).alias(HEADER[5]),
    )
    return out


def write_csv_pair(frame: pl.DataFrame, folder: Path) -> tuple[Path, Path]:
    """The rows as a cp1251 `;` CSV (CRLF, as sent) and as UTF-8 (the baseline)."""
    utf8 = folder / "bench_utf8.csv"
    cp1251 = folder / "bench_cp1251.csv"
    frame.write_csv(utf8, separator=";", line_terminator="\r\n", quote_style="never")
    _transcode(utf8, cp1251, "cp1251")
    return cp1251, utf8


def _transcode(source: Path, target: Path, encoding: str) -> None:
    with (
        source.open("r", encoding="utf-8", newline="") as src,
        target.open("wb") as dst,
    ):
        while chunk := src.read(8 << 20):
            dst.write(chunk.encode(encoding))


def write_xlsx(frame: pl.DataFrame, path: Path, *, sheet: str = SHEET) -> None:
    """A one-sheet workbook with shared strings and numeric prices, written from
    whole columns (an XLSX is a ZIP of XML; no per-cell Python objects)."""
    cents = (
        frame[HEADER[3]]
        .str.replace_all(NBSP, "", literal=True)
        .str.replace(",", ".", literal=True)
    )
    texts = [HEADER[0], HEADER[1], HEADER[2], HEADER[4]]
    strings = pl.concat([pl.Series(HEADER), *[frame[c] for c in texts]]).unique(
        maintain_order=True
    )
    index = {text: i for i, text in enumerate(strings.to_list())}
    n = frame.height

    def shared(column: str) -> pl.Expr:
        return (
            pl.col(column).replace_strict(index, return_dtype=pl.UInt32).cast(pl.String)
        )

    rownum = pl.int_range(2, n + 2, dtype=pl.UInt32).cast(pl.String)

    def cell(letter: str, value: pl.Expr, kind: str) -> pl.Expr:
        attr = ' t="s"' if kind == "s" else ""
        return pl.concat_str(
            pl.lit(f'<c r="{letter}'), rownum, pl.lit(f'"{attr}><v>'), value,
            pl.lit("</v></c>"),
        )  # fmt: skip

    is_number = pl.col(HEADER[4]).str.contains(r"^\d+$")
    stock = (
        pl.when(is_number)
        .then(cell("E", pl.col(HEADER[4]), "n"))
        .otherwise(cell("E", shared(HEADER[4]), "s"))
    )
    body = frame.with_columns(_price=cents).select(
        pl.concat_str(
            pl.lit('<row r="'),
            rownum,
            pl.lit('">'),
            cell("A", shared(HEADER[0]), "s"),
            cell("B", shared(HEADER[1]), "s"),
            cell("C", shared(HEADER[2]), "s"),
            cell("D", pl.col("_price"), "n"),
            stock,
            cell("F", pl.col(HEADER[5]), "n"),
            pl.lit("</row>"),
        ).alias("xml")
    )["xml"]
    header = "".join(
        f'<c r="{letter}1" t="s"><v>{index[text]}</v></c>'
        for letter, text in zip("ABCDEF", HEADER, strict=True)
    )
    escaped = (
        strings.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" '
            f'xmlns:r="{rel}"><sheets><sheet name="{sheet}" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        zf.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font>'
            '</fonts><fills count="1"><fill><patternFill patternType="none"/>'
            '</fill></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="1"><xf/></cellXfs></styleSheet>',
        )
        with zf.open("xl/sharedStrings.xml", "w") as fh:
            fh.write(
                f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" '
                f'count="{n * len(texts) + len(HEADER)}" '
                f'uniqueCount="{len(strings)}">'.encode()
            )
            _write_lines(fh, ("<si><t>" + escaped + "</t></si>"), sep="")
            fh.write(b"</sst>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">'
                f'<dimension ref="A1:F{n + 1}"/><sheetData><row r="1">{header}'
                "</row>".encode()
            )
            _write_lines(fh, body, sep="")
            fh.write(b"</sheetData></worksheet>")


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)


def _write_lines(fh: Any, series: pl.Series, *, sep: str, chunk: int = 100_000) -> None:
    for start in range(0, len(series), chunk):
        part = series.slice(start, chunk).to_list()
        fh.write(sep.join(part).encode("utf-8"))


# Measuring in a child process -----------------------------------------------------


def peak_rss_mb() -> float:
    """Peak RSS of this process in MiB.

    Linux's `ru_maxrss` survives `exec`: a child forked from a big parent starts
    with the parent's high-water mark. `VmHWM` belongs to the new address space,
    so it is read first.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(task: dict[str, Any]) -> dict[str, Any]:
    """Run one measured task in this (fresh) process; called by `run_child`."""
    kind = task["kind"]
    if kind == "ingest":
        from parts.settings import Settings
        from pipelines.pricelists.load import ingest

        settings = Settings(
            data_dir=Path(task["data_dir"]),
            profiles_dir=Path(task["data_dir"]) / "no-profiles",
            max_file_mb=task["max_file_mb"],
            max_decompressed_mb=task["max_file_mb"] * 8,
        )
        floor = peak_rss_mb()
        started = time.perf_counter()
        report = ingest(
            Path(task["path"]),
            supplier_id=task["supplier_id"],
            settings=settings,
            use_profile_dir=False,
        )
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "rows": report.rows_read,
            "rows_accepted": report.rows_accepted,
            "rows_rejected": report.rows_rejected,
            "rejects": report.rejects,
            "status": report.status,
            "error": report.error,
            "rss_floor_mb": floor,
            "peak_rss_mb": peak_rss_mb(),
        }
    if kind == "read_csv":
        floor = peak_rss_mb()
        best = float("inf")
        rows = 0
        for _ in range(task.get("repeat", 3)):
            started = time.perf_counter()
            frame = pl.read_csv(task["path"], separator=";", infer_schema=False)
            best = min(best, time.perf_counter() - started)
            rows = frame.height
            del frame
        return {
            "seconds": best,
            "rows": rows,
            "rss_floor_mb": floor,
            "peak_rss_mb": peak_rss_mb(),
        }
    if kind == "calamine":
        import python_calamine as calamine

        floor = peak_rss_mb()
        best = float("inf")
        rows = 0
        for _ in range(task.get("repeat", 3)):
            started = time.perf_counter()
            book = calamine.CalamineWorkbook.from_path(task["path"])
            data = book.get_sheet_by_name(task["sheet"]).to_python()
            best = min(best, time.perf_counter() - started)
            rows = len(data) - 1  # the header row
            del data, book
        return {
            "seconds": best,
            "rows": rows,
            "rss_floor_mb": floor,
            "peak_rss_mb": peak_rss_mb(),
        }
    raise ValueError(f"unknown bench task {kind!r}")


def run_child(
    task: dict[str, Any], *, module: str = "pipelines.bench"
) -> dict[str, Any]:
    """Run `task` in a fresh Python process (`python -m module TASK`); its result
    is the last stdout line."""
    proc = subprocess.run(
        [sys.executable, "-m", module, json.dumps(task)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"bench task {task['kind']} failed ({proc.returncode}): "
            f"{proc.stderr.strip()[-2000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# The benchmark ---------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    ram = None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    ram = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "ram_gib": ram,
        "python": platform.python_version(),
        "polars": pl.__version__,
        "platform": platform.platform(),
    }


def _per_s(rows: int, seconds: float) -> float:
    return rows / seconds if seconds > 0 else 0.0


def bench_ingest(
    *,
    rows: int = 2_000_000,
    xlsx_rows: int = 200_000,
    data_dir: Path,
    seed: int = 7,
    keep: bool = False,
) -> dict[str, Any]:
    """Generate, ingest and read the synthetic files; return every figure."""
    if rows < 1 or xlsx_rows < 0:
        raise ValueError("rows must be at least 1 and xlsx_rows at least 0")
    tmp_root = data_dir / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-", dir=tmp_root))
    try:
        return _bench(folder, rows, xlsx_rows, seed)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _bench(folder: Path, rows: int, xlsx_rows: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    frame = synthetic_offers(rows, seed=seed)
    cp1251, utf8 = write_csv_pair(frame, folder)
    xlsx = folder / "bench.xlsx"
    if xlsx_rows:
        write_xlsx(frame.head(xlsx_rows) if xlsx_rows <= rows else
                   synthetic_offers(xlsx_rows, seed=seed + 100), xlsx)  # fmt: skip
    del frame
    generate_s = time.perf_counter() - started
    file_mb = cp1251.stat().st_size / (1 << 20)
    max_file_mb = max(1024, int(file_mb * 2) + 1)

    ingest = run_child(
        {
            "kind": "ingest",
            "path": str(cp1251),
            "supplier_id": "bench-csv",
            "data_dir": str(folder / "var"),
            "max_file_mb": max_file_mb,
        }
    )
    _check(ingest, "CSV")
    baseline = run_child({"kind": "read_csv", "path": str(utf8)})
    rows_per_s = _per_s(ingest["rows"], ingest["seconds"])
    baseline_rows_per_s = _per_s(baseline["rows"], baseline["seconds"])
    result: dict[str, Any] = {
        "rows": rows,
        "file_mb": round(file_mb, 1),
        "utf8_file_mb": round(utf8.stat().st_size / (1 << 20), 1),
        "generate_s": round(generate_s, 2),
        "seconds": round(ingest["seconds"], 3),
        "rows_per_s": round(rows_per_s),
        "mb_per_s": round(file_mb / ingest["seconds"], 1),
        "rows_accepted": ingest["rows_accepted"],
        "rows_rejected": ingest["rows_rejected"],
        "baseline_seconds": round(baseline["seconds"], 3),
        "baseline_rows_per_s": round(baseline_rows_per_s),
        "ratio": round(rows_per_s / baseline_rows_per_s, 4),
        "peak_rss_mb": round(ingest["peak_rss_mb"], 1),
        "rss_floor_mb": round(ingest["rss_floor_mb"], 1),
        "peak_rss_over_file": round(ingest["peak_rss_mb"] / file_mb, 2),
        "baseline_peak_rss_mb": round(baseline["peak_rss_mb"], 1),
    }
    if xlsx_rows:
        x_ingest = run_child(
            {
                "kind": "ingest",
                "path": str(xlsx),
                "supplier_id": "bench-xlsx",
                "data_dir": str(folder / "var"),
                "max_file_mb": max_file_mb,
            }
        )
        _check(x_ingest, "XLSX")
        x_base = run_child({"kind": "calamine", "path": str(xlsx), "sheet": SHEET})
        x_rate = _per_s(x_ingest["rows"], x_ingest["seconds"])
        x_base_rate = _per_s(x_base["rows"], x_base["seconds"])
        result.update(
            {
                "xlsx_rows": xlsx_rows,
                "xlsx_file_mb": round(xlsx.stat().st_size / (1 << 20), 1),
                "xlsx_seconds": round(x_ingest["seconds"], 3),
                "xlsx_rows_per_s": round(x_rate),
                "xlsx_baseline_seconds": round(x_base["seconds"], 3),
                "xlsx_baseline_rows_per_s": round(x_base_rate),
                "xlsx_ratio": round(x_rate / x_base_rate, 4),
                "xlsx_peak_rss_mb": round(x_ingest["peak_rss_mb"], 1),
            }
        )
    else:
        result.update({"xlsx_rows": 0, "xlsx_ratio": None})
    result["targets"] = {
        "ratio": round(TARGET_RATIO, 4),
        "peak_rss_over_file": TARGET_MEMORY,
        "xlsx_ratio": TARGET_XLSX_RATIO,
    }
    result["meets"] = {
        "ratio": result["ratio"] >= TARGET_RATIO,
        "peak_rss_over_file": result["peak_rss_over_file"] < TARGET_MEMORY,
        "xlsx_ratio": (
            result["xlsx_ratio"] >= TARGET_XLSX_RATIO if xlsx_rows else None
        ),
    }
    result["machine"] = machine()
    return result


def _check(outcome: dict[str, Any], what: str) -> None:
    if outcome["status"] != "published":
        raise RuntimeError(
            f"the synthetic {what} was not published: {outcome['error']}"
        )


if __name__ == "__main__":  # the child side of `run_child`
    print(json.dumps(_child(json.loads(sys.argv[1]))))

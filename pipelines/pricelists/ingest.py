"""Turning one price file into offers: map columns, parse values, normalize
identity, validate, and report. Publishing is `search.lake`'s job.
"""

from __future__ import annotations

import hashlib
import logging
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from crosses.articles import (
    SCIENTIFIC_PATTERN,
    article_expr,
    note_words_from,
    split_note,
)
from crosses.brands import BrandTable, clean_brand, clean_brand_expr, default_table
from pipelines.pricelists.errors import (
    HeaderNotFound,
    IngestError,
    LimitExceeded,
    UnreadableFile,
)
from pipelines.pricelists.headers import (
    ColumnChoice,
    HeaderGuess,
    assign_fields,
    compose_names,
    detect_header,
    fold_header,
)
from pipelines.pricelists.profiles import SupplierProfile
from pipelines.pricelists.reading import Limits, read_tables
from pipelines.pricelists.report import LoadReport, SheetReport
from pipelines.pricelists.tables import Table
from search.offer_values import (
    cents_to_decimal_expr,
    delivery_expr,
    is_ambiguous_money_expr,
    money_cents_expr,
    money_currency_expr,
    multiplicity_expr,
    price_evidence,
    qty_expr,
)

log = logging.getLogger(__name__)

PARSER_VERSION = "1"
EXAMPLES_PER_REASON = 5

REJECT_REASONS = {
    "no_article": "no article",
    "article_multiline": "article cell holds a line break (two codes in one cell)",
    "article_scientific": "article in scientific notation (mangled by a spreadsheet)",
    "barcode_scientific": "barcode in scientific notation (mangled by a spreadsheet)",
    "article_precision": "article stored as a number too long to be exact",
    "no_price": "no price",
    "bad_price": "price does not parse",
    "ambiguous_price": "price separator is ambiguous (`1,234`); set `decimal` in the profile",
    "price_not_positive": "price <= 0",
    "unknown_currency": "currency not recognised",
    "cell_too_long": "a cell is longer than the limit",
}

CURRENCY_WORDS = {
    "RUB": ("rub", "rur", "руб", "р", "₽", "рубль", "рублей"),
    "EUR": ("eur", "€", "евро", "euro"),
    "USD": ("usd", "$", "долл", "доллар", "у е"),
    "UAH": ("uah", "грн", "гривна", "гривня"),
    "CNY": ("cny", "rmb", "юань", "¥"),
    "KZT": ("kzt", "тенге", "₸"),
    "BYN": ("byn", "бел руб"),
}
KNOWN_CURRENCIES = frozenset(CURRENCY_WORDS)


Progress = Callable[[str, float], None]


def _no_progress(stage: str, fraction: float) -> None:
    return None


@dataclass
class IngestResult:
    """Offers ready to publish, the rejected rows, and the report."""

    offers: pl.DataFrame
    rejects: pl.DataFrame
    report: LoadReport


def file_fingerprint(path: Path, profile: SupplierProfile | None) -> str:
    """Hash of the bytes, the profile and the parser version: same → unchanged."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    digest.update(PARSER_VERSION.encode())
    if profile is not None:
        digest.update(profile.model_dump_json().encode())
    return digest.hexdigest()


def parse_price_file(
    path: Path,
    *,
    supplier_id: str,
    profile: SupplierProfile | None,
    limits: Limits,
    tmp_dir: Path,
    max_reject_share: float,
    brands: BrandTable | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Read, map, parse and validate one file; raise `IngestError` when it is bad.

    The result's report has status `pending`; the caller publishes or
    quarantines. `progress(stage, fraction)` is told what is being done.
    """
    step = progress or _no_progress
    step("reading", 0.05)
    started = time.perf_counter()
    brands = brands or default_table()
    report = LoadReport(supplier_id=supplier_id, file=path.name)
    report.size_bytes = path.stat().st_size
    frames: list[pl.DataFrame] = []
    first_row: list[str] = []  # of the first sheet with no header: what it starts with
    with read_tables(path, profile=profile, limits=limits, tmp_dir=tmp_dir) as read:
        report.format = "+".join(dict.fromkeys(read.formats))
        report.encoding = read.encoding
        report.delimiter = read.delimiter
        step("mapping columns", 0.4)
        for table in _selected(read.tables, profile):
            report.warnings.extend(table.warnings)
            frame = _extract(table, profile, report)
            if frame is not None:
                frames.append(frame)
            elif not first_row:
                first_row = next(
                    (r for r in table.head() if any(c.strip() for c in r)), []
                )
    if not frames:
        starts = [c for c in first_row if c.strip()][:6]
        raise HeaderNotFound(
            "no sheet names the article and price columns"
            + (f"; the first row read is {starts}" if starts else ""),
            file=path.name,
            hint="a file cut off above its header starts with data rows: compare it "
            "with the supplier's last good file; a header the reader does not "
            "know: pin `reader.header_row` and `columns` in the supplier profile",
        )
    raw = pl.concat(frames, how="diagonal_relaxed")
    if raw.height > limits.max_rows:
        raise LimitExceeded(
            f"{raw.height} data rows, over the limit of {limits.max_rows}",
            file=path.name,
            hint="raise PARTS_MAX_ROWS if the file is genuine",
        )
    step(f"normalizing {raw.height:,} rows", 0.6)
    offers, rejects = _normalize(raw, profile, brands, limits, report, path.name)
    _count(report, offers, rejects)
    _check_unknown_brands(offers, brands, report)
    report.seconds = time.perf_counter() - started
    report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    share = report.rows_rejected / report.rows_read if report.rows_read else 1.0
    threshold = (
        profile.max_reject_share
        if profile and profile.max_reject_share is not None
        else max_reject_share
    )
    if report.rows_accepted == 0 or share > threshold:
        top = ", ".join(f"{k}: {v}" for k, v in sorted(report.rejects.items()))
        raise _TooMany(report, share, threshold, top, path.name)
    return IngestResult(offers=offers, rejects=rejects, report=report)


class _TooMany(IngestError):
    def __init__(
        self, report: LoadReport, share: float, threshold: float, top: str, file: str
    ) -> None:
        self.report = report
        super().__init__(
            f"{report.rows_rejected} of {report.rows_read} rows rejected "
            f"({share:.0%}, threshold {threshold:.0%}): {top or 'no rows'}",
            file=file,
            hint="see the load report's reject examples; fix the file or the profile",
        )


def _selected(tables: list[Table], profile: SupplierProfile | None) -> list[Table]:
    if profile and profile.reader.sheets:
        wanted = {s.casefold() for s in profile.reader.sheets}
        return [t for t in tables if (t.sheet or "").casefold() in wanted]
    return tables


# Column mapping ----------------------------------------------------------------


def _letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _header(table: Table, profile: SupplierProfile | None) -> HeaderGuess | None:
    reader = profile.reader if profile else None
    head = table.head()
    if reader and reader.header_row is not None:
        if reader.header_row == 0:
            return HeaderGuess(-1, -1, [""] * table.n_cols)
        last = reader.header_row - 1
        first = max(0, last - reader.header_rows + 1)
        names = compose_names(head[first : last + 1])
        return HeaderGuess(first, last, names, assign_fields(names))
    return detect_header(head)


def _resolve_columns(
    table: Table, guess: HeaderGuess, profile: SupplierProfile | None
) -> dict[str, list[ColumnChoice]]:
    mapping = {f: [c] for f, c in guess.mapping.items()}
    if not profile or not profile.columns:
        return mapping
    # A profile that pins article and price is the whole truth; one that pins
    # only some fields (`brand = "ГРУППА"`) overrides those, and the header
    # words still name the rest from the columns it leaves free.
    complete = {"article", "price"} <= set(profile.columns)
    mapping = {}
    folded = [fold_header(n) for n in guess.names]
    for field_name, refs in profile.column_refs().items():
        chosen = []
        for ref in refs:
            index = ref.index
            if index is None and ref.header is not None:
                target = fold_header(ref.header)
                index = next((i for i, n in enumerate(folded) if n == target), None)
                if index is None:
                    raise HeaderNotFound(
                        f"profile column `{ref.header}` for `{field_name}` not in header",
                        file=table.source,
                        sheet=table.sheet,
                        hint=f"header names are {guess.names}",
                    )
            assert index is not None
            name = guess.names[index] if index < len(guess.names) else ""
            chosen.append(
                ColumnChoice(index, name, 1.0, "pinned by the supplier profile")
            )
        mapping[field_name] = chosen
    if not complete:
        pinned = {c.index for choices in mapping.values() for c in choices}
        free = [n if i not in pinned else "" for i, n in enumerate(guess.names)]
        for field_name, choice in assign_fields(free).items():
            mapping.setdefault(field_name, [choice])
    return mapping


def _extract(
    table: Table, profile: SupplierProfile | None, report: LoadReport
) -> pl.DataFrame | None:
    """The mapped columns of one table as raw text, one row per data row."""
    guess = _header(table, profile)
    sheet_report = SheetReport(name=table.sheet, source=table.source, header_rows=None)
    report.sheets.append(sheet_report)
    if guess is None:
        sheet_report.skipped = "no header naming article and price"
        return None
    mapping = _resolve_columns(table, guess, profile)
    has_brand = "brand" in mapping or (profile is not None and profile.brand)
    if "article" not in mapping or "price" not in mapping or not has_brand:
        missing = [f for f in ("article", "price", "brand") if f not in mapping]
        if profile is not None and profile.brand:
            missing = [f for f in missing if f != "brand"]
        if "article" in mapping and "price" in mapping:
            raise HeaderNotFound(
                f"columns found for article and price but not for {missing}",
                file=table.source,
                sheet=table.sheet,
                hint="add them to `columns` in the supplier profile, or set `brand`",
            )
        sheet_report.skipped = f"no column for {missing}"
        return None
    if guess.first_row >= 0:
        sheet_report.header_rows = list(range(guess.first_row + 1, guess.last_row + 2))
    start = guess.data_start
    _note_columns(report, table, guess, mapping)
    columns: dict[str, pl.Series] = {"row": table.row_numbers(start)}
    for field_name, choices in mapping.items():
        texts = []
        for i, choice in enumerate(choices):
            text, numbers = table.column(choice.index, start)
            suffix = "" if i == 0 else f"_{i}"
            texts.append(text.alias(f"{field_name}_raw{suffix}"))
            if field_name in ("price", "article") and numbers is not None:
                columns[f"{field_name}_is_number"] = numbers
        for series in texts:
            columns[series.name] = series
    frame = pl.DataFrame(columns)
    frame = frame.with_columns(
        sheet=pl.lit(table.sheet, dtype=pl.String),
        source=pl.lit(table.source, dtype=pl.String),
    )
    raw_cols = [c for c in frame.columns if c.endswith("_raw") or "_raw_" in c]
    blank = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in raw_cols]
    )
    frame = frame.filter(~blank)
    # a category row (`Фильтры`) holds one cell and no price
    filled = pl.sum_horizontal(
        [(pl.col(c).str.strip_chars() != "").fill_null(False) for c in raw_cols]
    )
    group = (filled == 1) & pl.col("price_raw").is_null()
    groups = frame.filter(group).height
    if groups:
        frame = frame.filter(~group)
        report.value_notes["group_rows_skipped"] = (
            report.value_notes.get("group_rows_skipped", 0) + groups
        )
    if "price" in mapping:
        frame = frame.with_columns(
            _currency_hint=pl.lit(_currency_from_header(mapping["price"][0].header))
        )
    sheet_report.rows_read = frame.height
    return frame


def _note_columns(
    report: LoadReport,
    table: Table,
    guess: HeaderGuess,
    mapping: dict[str, list[ColumnChoice]],
) -> None:
    for field_name, choices in mapping.items():
        if field_name in report.columns:
            continue
        report.columns[field_name] = " + ".join(
            f"{_letter(c.index)} `{c.header}`" if c.header else _letter(c.index)
            for c in choices
        )
        report.column_reasons[field_name] = choices[0].why
    if guess.names and not guess.names[-1] and table.n_cols > 1:
        text, _ = table.column(table.n_cols - 1, guess.data_start)
        if text.drop_nulls().str.strip_chars().str.len_chars().sum() == 0:
            report.warnings.append(
                "the last column has no name and no values (trailing delimiter); ignored"
            )


def _currency_from_header(header: str) -> str | None:
    words = fold_header(header).split()
    text = header.lower()
    for code, names in CURRENCY_WORDS.items():
        for name in names:
            if name in words or (not name.isalpha() and name in text):
                return code
    return None


# Normalization and checks --------------------------------------------------------


def _normalize(
    raw: pl.DataFrame,
    profile: SupplierProfile | None,
    brands: BrandTable,
    limits: Limits,
    report: LoadReport,
    file: str,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    raw = _ensure(
        raw,
        [
            "brand_raw",
            "name_raw",
            "qty_raw",
            "multiplicity_raw",
            "delivery_days_raw",
            "warehouse_raw",
            "currency_raw",
            "barcode_raw",
        ],
    )
    if profile is not None and profile.brand:
        raw = raw.with_columns(
            brand_raw=pl.coalesce(pl.col("brand_raw"), pl.lit(profile.brand))
        )
    for column in ("article_raw", "brand_raw"):
        damaged = raw.filter(pl.col(column).str.contains("\ufffd", literal=True))
        if damaged.height:
            field_name = column.removesuffix("_raw")
            raise UnreadableFile(
                f"`{field_name}` holds the replacement character U+FFFD in "
                f"{damaged.height} rows: the text was already damaged (encoding "
                f"{report.encoding})",
                file=file,
                sheet=damaged["sheet"][0],
                row=int(damaged["row"][0]),
                column=report.columns.get(field_name),
                hint="ask the supplier for an undamaged file",
            )
    decimal = (profile.reader.decimal if profile else None) or price_evidence(
        raw.filter(~pl.col("price_is_number"))["price_raw"]
        if "price_is_number" in raw.columns
        else raw["price_raw"]
    )
    if decimal:
        report.value_notes[f"decimal_separator_{decimal}"] = 1
    raw = _split_notes(raw, brands)
    is_number = (
        pl.col("price_is_number") if "price_is_number" in raw.columns else pl.lit(False)
    )
    # Values repeat a lot (stock words, delivery terms, brands, prices): each
    # parser runs once per distinct cell and the answers are joined back.
    frame = raw.with_columns(article=article_expr("article_head"))
    frame = _on_distinct(frame, ["brand_raw"], brand=_brand_expr(brands, profile))
    numbers_present = "price_is_number" in raw.columns and raw["price_is_number"].any()
    frame = _on_distinct(
        frame,
        ["price_raw"],
        _cents_number=money_cents_expr("price_raw", ".")
        if numbers_present
        else pl.lit(None, dtype=pl.Int64),
        _cents_text=money_cents_expr("price_raw", decimal),
        _ambiguous=is_ambiguous_money_expr("price_raw"),
        _price_currency=money_currency_expr("price_raw"),
    ).with_columns(
        cents=pl.when(is_number).then("_cents_number").otherwise("_cents_text"),
        ambiguous=pl.col("_ambiguous") & ~is_number,
    )
    frame = _on_distinct(
        frame,
        ["currency_raw", "_currency_hint", "_price_currency"],
        currency=_currency_expr(profile),
    )
    frame = _stock(frame)
    frame = _on_distinct(
        frame, ["multiplicity_raw"], multiplicity=multiplicity_expr("multiplicity_raw")
    )
    frame = _on_distinct(
        frame, ["delivery_days_raw"], delivery=delivery_expr("delivery_days_raw")
    )
    frame = frame.with_columns(reason=_reason_expr(frame, limits))
    _notes(report, frame)
    accepted = frame.filter(pl.col("reason").is_null())
    rejected = frame.filter(pl.col("reason").is_not_null())
    return _offers(accepted, profile), rejected


def _brand_expr(brands: BrandTable, profile: SupplierProfile | None) -> pl.Expr:
    """Canonical brand, after the profile's own brand rules (strip, then map)."""
    cell = pl.col("brand_raw")
    if profile is None:
        return brands.canonical_expr(cell)
    for pattern in profile.brands.strip:
        cell = cell.str.replace_all(pattern, "")
    canonical = brands.canonical_expr(cell)
    if not profile.brands.map:
        return canonical
    keys = [clean_brand(k) for k in profile.brands.map]
    values = [brands.canonical(v) for v in profile.brands.map.values()]
    mapped = clean_brand_expr(cell).replace_strict(
        keys, values, default=None, return_dtype=pl.String
    )
    return pl.coalesce(mapped, canonical)


def _ensure(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    return frame.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in missing])


def _split_notes(raw: pl.DataFrame, brands: BrandTable) -> pl.DataFrame:
    """Split trailing bracket notes; only rows holding `(` take the slow path."""
    article = pl.col("article_raw").str.strip_chars()
    with_paren = raw.filter(article.str.contains("(", literal=True))["article_raw"]
    if with_paren.is_empty():
        return raw.with_columns(
            article_head=article, article_note=pl.lit(None, pl.String)
        )
    file_brands = raw["brand_raw"].drop_nulls().unique().to_list()
    check = note_words_from([*brands.spellings, *file_brands])
    heads, notes = {}, {}
    for value in with_paren.unique().to_list():
        head, note = split_note(value.strip(), check)
        heads[value] = head
        notes[value] = note
    keys = list(heads)
    return raw.with_columns(
        article_head=pl.col("article_raw")
        .replace_strict(
            keys, [heads[k] for k in keys], default=None, return_dtype=pl.String
        )
        .fill_null(article),
        article_note=pl.col("article_raw").replace_strict(
            keys, [notes[k] for k in keys], default=None, return_dtype=pl.String
        ),
    )


def _currency_expr(profile: SupplierProfile | None) -> pl.Expr:
    default = profile.currency if profile else None
    text = (
        pl.col("currency_raw")
        .str.strip_chars()
        .str.to_lowercase()
        .str.replace_all(r"[.\s]+", " ")
        .str.strip_chars()
    )
    words: dict[str, str] = {}
    for code, names in CURRENCY_WORDS.items():
        for name in (*names, code.lower()):
            words.setdefault(name, code)  # `rub` is both a word and a code
    mapped = text.replace_strict(
        list(words), list(words.values()), default="?", return_dtype=pl.String
    )
    fallback = pl.coalesce(  # the cell's own currency, then the profile's
        pl.col("_price_currency"),
        pl.lit(default, dtype=pl.String),
        pl.col("_currency_hint"),
        pl.lit("RUB"),
    )
    return pl.when(text.is_null() | (text == "")).then(fallback).otherwise(mapped)


def _on_distinct(
    frame: pl.DataFrame, keys: list[str], **exprs: pl.Expr
) -> pl.DataFrame:
    """Evaluate `exprs` once per distinct value of `keys` and join them back.

    Only the key columns go through the join (one answer per row, in row
    order); the frame itself is not copied.
    """
    parsed = frame.select(keys).unique().with_columns(**exprs)
    answers = frame.select(keys).join(
        parsed, on=keys, how="left", nulls_equal=True, maintain_order="left"
    )
    return frame.hstack(answers.drop(keys))


def _stock(frame: pl.DataFrame) -> pl.DataFrame:
    """Parse every stock column; several columns (warehouses) are summed."""
    columns = [c for c in frame.columns if c == "qty_raw" or c.startswith("qty_raw_")]
    if len(columns) == 1:
        return _on_distinct(frame, ["qty_raw"], stock=qty_expr("qty_raw"))
    for i, column in enumerate(columns):
        frame = _on_distinct(frame, [column], **{f"_stock_{i}": qty_expr(column)})
    parts = [pl.col(f"_stock_{i}") for i in range(len(columns))]
    qtys = [p.struct.field("qty") for p in parts]
    total = pl.when(pl.any_horizontal([q.is_not_null() for q in qtys])).then(
        pl.sum_horizontal(qtys)
    )
    approx = pl.any_horizontal([p.struct.field("approx") for p in parts])
    status = pl.when(total.is_null()).then(pl.lit("unknown")).otherwise(pl.lit("exact"))
    return frame.with_columns(
        stock=pl.struct(
            total.cast(pl.Int32).alias("qty"),
            approx.alias("approx"),
            status.alias("status"),
        )
    )


def _reason_expr(frame: pl.DataFrame, limits: Limits) -> pl.Expr:
    article_raw = pl.col("article_raw").str.strip_chars()
    raw_cols = [c for c in frame.columns if c.endswith("_raw") or "_raw_" in c]
    too_long = pl.any_horizontal(
        [
            pl.col(c).str.len_chars().fill_null(0) > limits.max_cell_chars
            for c in raw_cols
        ]
    )
    article_number = (
        pl.col("article_is_number")
        if "article_is_number" in frame.columns
        else pl.lit(False)
    )
    price_raw = pl.col("price_raw").str.strip_chars()
    return (
        pl.when(too_long)
        .then(pl.lit("cell_too_long"))
        .when(article_raw.is_null() | (article_raw == ""))
        .then(pl.lit("no_article"))
        .when(article_raw.str.contains("\n", literal=True))
        .then(pl.lit("article_multiline"))
        .when(article_raw.str.contains(SCIENTIFIC_PATTERN))
        .then(pl.lit("article_scientific"))
        .when(pl.col("barcode_raw").str.contains(SCIENTIFIC_PATTERN).fill_null(False))
        .then(pl.lit("barcode_scientific"))
        .when(article_number & (article_raw.str.len_chars() > 15))
        .then(pl.lit("article_precision"))
        .when(pl.col("article") == "")
        .then(pl.lit("no_article"))
        .when(price_raw.is_null() | (price_raw == ""))
        .then(pl.lit("no_price"))
        .when(pl.col("cents").is_null() & pl.col("ambiguous"))
        .then(pl.lit("ambiguous_price"))
        .when(pl.col("cents").is_null())
        .then(pl.lit("bad_price"))
        .when(pl.col("cents") <= 0)
        .then(pl.lit("price_not_positive"))
        .when(~pl.col("currency").is_in(list(KNOWN_CURRENCIES)))
        .then(pl.lit("unknown_currency"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def _notes(report: LoadReport, frame: pl.DataFrame) -> None:
    """Count value-level remarks that are not rejects (reported, not hidden)."""
    ok = frame.filter(pl.col("reason").is_null())
    status = ok["stock"].struct.field("status").value_counts()
    for value, count in status.iter_rows():
        report.value_notes[f"qty_{value}"] = int(count)
    bad_mult = ok.filter(pl.col("multiplicity").is_null()).height
    if bad_mult:
        report.value_notes["multiplicity_unparsed_set_to_1"] = bad_mult
    days_given = ok.filter(pl.col("delivery_days_raw").is_not_null())
    bad_days = days_given.filter(
        pl.col("delivery").struct.field("min").is_null()
    ).height
    if bad_days:
        report.value_notes["delivery_days_unparsed"] = bad_days
    noted = ok.filter(pl.col("article_note").is_not_null()).height
    if noted:
        report.value_notes["article_note_split"] = noted
    no_brand = ok.filter(pl.col("brand").is_null() | (pl.col("brand") == "")).height
    if no_brand:
        report.value_notes["no_brand"] = no_brand


def _offers(frame: pl.DataFrame, profile: SupplierProfile | None) -> pl.DataFrame:
    days = profile.delivery_days if profile and profile.delivery_days else (None, None)
    warehouse = pl.col("warehouse_raw").str.strip_chars()
    if profile is not None and profile.warehouse:
        warehouse = pl.coalesce(warehouse, pl.lit(profile.warehouse))
    return frame.select(
        pl.col("row").cast(pl.Int32),
        pl.col("sheet"),
        pl.col("brand").fill_null(""),
        pl.col("brand_raw"),
        pl.col("article"),
        pl.col("article_raw"),
        pl.col("article_note"),
        pl.col("name_raw").str.strip_chars().alias("name"),
        cents_to_decimal_expr(pl.col("cents")).alias("price"),
        pl.col("currency"),
        pl.col("stock").struct.field("qty").alias("qty"),
        pl.col("qty_raw"),
        pl.col("stock").struct.field("approx").alias("qty_approx"),
        pl.col("multiplicity").fill_null(1).cast(pl.Int32),
        pl.coalesce(pl.col("delivery").struct.field("min"), pl.lit(days[0]))
        .cast(pl.Int16)
        .alias("delivery_days_min"),
        pl.coalesce(pl.col("delivery").struct.field("max"), pl.lit(days[1]))
        .cast(pl.Int16)
        .alias("delivery_days_max"),
        warehouse.alias("warehouse"),
        pl.lit(profile.vat_included if profile else None, dtype=pl.Boolean).alias(
            "vat_included"
        ),
    )


def _count(report: LoadReport, offers: pl.DataFrame, rejects: pl.DataFrame) -> None:
    report.rows_accepted = offers.height
    report.rows_rejected = rejects.height
    report.rows_read = offers.height + rejects.height
    report.identities = (
        offers.select("brand", "article").n_unique() if offers.height else 0
    )
    currencies = offers["currency"].unique().to_list() if offers.height else []
    report.currency = ",".join(sorted(currencies)) or None
    for sheet in report.sheets:
        if sheet.skipped:
            continue
        key = (sheet.source, sheet.name)
        sheet.rows_accepted = _rows_in(offers, key)
        sheet.rows_rejected = sheet.rows_read - sheet.rows_accepted
    if rejects.height:
        for reason, count in rejects["reason"].value_counts().iter_rows():
            report.rejects[reason] = int(count)
            sample = rejects.filter(pl.col("reason") == reason).head(
                EXAMPLES_PER_REASON
            )
            cols = [
                c for c in sample.columns if c.endswith("_raw") or c in ("row", "sheet")
            ]
            report.reject_examples[reason] = sample.select(
                [
                    _clip(pl.col(c)) if sample.schema[c] == pl.String else pl.col(c)
                    for c in cols
                ]
            ).to_dicts()


def _rows_in(offers: pl.DataFrame, key: tuple[str, str | None]) -> int:
    # offers carry the sheet name only; sources differ only inside a ZIP
    return offers.filter(pl.col("sheet").eq_missing(pl.lit(key[1], pl.String))).height


def _check_unknown_brands(
    offers: pl.DataFrame, brands: BrandTable, report: LoadReport
) -> None:
    if not offers.height:
        return
    seen = offers["brand"].drop_nulls().unique().to_list()
    unknown = [b for b in seen if b and not brands.is_known(b)]
    for brand in sorted(unknown)[:500]:
        report.unknown_brands[brand] = brands.suggest(brand)


EXAMPLE_CHARS = 200


def _clip(expr: pl.Expr) -> pl.Expr:
    """A cell shortened for a report example (a 2 MB cell stays out of the JSON)."""
    return (
        pl.when(expr.str.len_chars() > EXAMPLE_CHARS)
        .then(expr.str.slice(0, EXAMPLE_CHARS) + "…")
        .otherwise(expr)
    )

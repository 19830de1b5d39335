"""Turning one cross file into typed edges: read, map, split, normalize, check.

Every shape becomes one long frame of candidates, "the row's part, crossed
with this number, as this kind", which is normalized and checked in one pass;
publishing is `crosses.store`'s job.

Direction, as `crosses.store` keeps it: `oe` runs aftermarket → OE number, so
a `wide` row (an OE number with aftermarket columns) gives item → part;
`replacement` runs old → new. A list of OE numbers where an item starts with a
known brand (`AC DELCO 14316B`, `BENDIX R533`) gives that item as an analog of
that brand, not as an OE number, unless the brand is a vehicle maker; an item
ending in a bracket names its maker (`000 477 34 15 (MERCEDES-BENZ)`, `(MWM)`)
and stays an OE number. An `analog` between an aftermarket part and a vehicle
maker's number (`crosses.vehicle_makers`) is stored as `oe`, aftermarket → OE.
Same-maker related numbers are analogs of the row's number, or a replacement
old → new where the row's notes call the number a previous version.
"""

from __future__ import annotations

import hashlib
import logging
import re
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from crosses import store
from crosses.articles import (
    SCIENTIFIC_PATTERN,
    article_expr,
    is_note_text,
    note_words_from,
    split_note,
)
from crosses.brands import BrandTable, clean_brand, default_table
from crosses.oe_numbers import maker_expr
from crosses.vehicle_makers import is_maker_expr
from pipelines.crosslists.options import CrossOptions
from pipelines.crosslists.report import CrossLoadReport
from pipelines.crosslists.shapes import Column, CrossMapping, ListColumn, map_columns
from pipelines.pricelists.errors import HeaderNotFound, IngestError
from pipelines.pricelists.profiles import SupplierProfile
from pipelines.pricelists.reading import Limits, read_tables
from pipelines.pricelists.tables import Table

log = logging.getLogger(__name__)

PARSER_VERSION = "2"
EXAMPLES_PER_REASON = 5
EXAMPLE_CHARS = 200  # a reject example's cell is clipped to this many characters

REJECT_REASONS: dict[str, str] = {
    "cell_too_long": "a cell is longer than the limit",
    "lookup_miss": "the row's status says the lookup found nothing",
    "no_article": "the part has no article",
    "article_scientific": "an article in scientific notation (mangled by a spreadsheet)",
    "no_brand": "the part has no brand",
    "no_group": "the row names no group",
    "group_too_large": "the group holds more parts than PARTS_CROSSES_MAX_GROUP",
    "bad_kind": "the kind cell is not analog, oe, replacement or one_way",
    "not_a_number": "a list item holds no digit: a word, not a number",
    "bad_cross_article": "a crossed number has no letter or digit",
    "self_cross": "a part crossed with itself",
}

KIND_WORDS: dict[str, tuple[str, ...]] = {
    "analog": ("analog", "analogue", "аналог", "cross", "кросс", "a"),
    "oe": ("oe", "oem", "original", "оригинал", "ое", "o"),
    "replacement": ("replacement", "replaced", "supersession", "замена", "r"),
    "one_way": ("one way", "oneway", "односторонний", "одностор", "w"),
}
_KIND_BY_WORD = {word: kind for kind, words in KIND_WORDS.items() for word in words}

_ERROR_STATUS = (
    r"(?i)^\s*(?:error|err\b|fail|not found|no match|ошибк|не найден|нет данных)"
)
_PREVIOUS = re.compile(
    r"(?i)(?:previous version|old number|superseded|предыдущ\w* (?:версия|номер)|"
    r"старый номер)\s*:?\s*([0-9A-Za-zА-Яа-я][0-9A-Za-zА-Яа-я\-./ ]*?)(?=[,;.]?(?:\s|$))"
)
SEPARATOR_CANDIDATES = (";", "|", "\n", ",", " / ", "/")
_SPLIT_MARK = "\x1e"
STORAGE_KIND: dict[str, str] = {
    "analog": "analog", "oe": "oe", "oe_for": "oe", "replacement": "replacement",
    "replaces": "replacement", "one_way": "one_way", "related": "analog",
}  # fmt: skip
_SWAPPED = ("oe_for", "replaces")


@dataclass
class CrossParse:
    """Edges ready to publish, and the report."""

    edges: pl.DataFrame
    report: CrossLoadReport


def file_fingerprint(path: Path, options: CrossOptions) -> str:
    """Hash of the bytes, the options and the parser version: same → unchanged."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    digest.update(f"crosses-{PARSER_VERSION}".encode())
    digest.update(options.model_dump_json().encode())
    return digest.hexdigest()


class TooManyCrossRejects(IngestError):
    """Too many rows or numbers of a cross file were rejected (or none accepted)."""

    def __init__(self, message: str, *, report: CrossLoadReport, file: str) -> None:
        self.report = report
        super().__init__(
            message,
            file=file,
            hint="see the load report's reject examples; fix the file or the profile",
        )


def parse_cross_file(
    path: Path,
    *,
    source: str,
    options: CrossOptions,
    limits: Limits,
    tmp_dir: Path,
    max_group: int,
    max_reject_share: float,
    brands: BrandTable | None = None,
) -> CrossParse:
    """Read, map, split and check one cross file; raise `IngestError` when it is bad."""
    started = time.perf_counter()
    brands = brands or default_table()
    report = CrossLoadReport(
        source=source, file=path.name, size_bytes=path.stat().st_size
    )
    profile = SupplierProfile(id=source, reader=options.reader)
    frames: list[pl.DataFrame] = []
    rejected: list[pl.DataFrame] = []
    with read_tables(path, profile=profile, limits=limits, tmp_dir=tmp_dir) as read:
        report.format = "+".join(dict.fromkeys(read.formats))
        report.encoding, report.delimiter = read.encoding, read.delimiter
        for table in _selected(read.tables, options):
            mapping = map_columns(table, options, file_name=path.name, brands=brands)
            if mapping is None:
                report.sheets.append(
                    {"name": table.sheet, "skipped": "no cross columns"}
                )
                continue
            _note_mapping(report, mapping)
            candidates, bad = _table_candidates(
                table, mapping, options, report, limits, brands, max_group
            )
            frames.append(candidates)
            rejected.append(bad)
    if not frames:
        raise HeaderNotFound(
            "no sheet names the columns of a cross file",
            file=path.name,
            hint="pin `shape` and `columns` in the cross profile",
        )
    edges = _check_candidates(pl.concat(frames, how="diagonal_relaxed"), brands)
    all_rejects = pl.concat([*rejected, edges.filter(pl.col("reason").is_not_null())],
                            how="diagonal_relaxed")  # fmt: skip
    accepted = _directed(edges.filter(pl.col("reason").is_null()), brands)
    unique = _deduplicate(accepted)
    _count(report, unique, accepted.height, all_rejects, brands)
    report.seconds = time.perf_counter() - started
    report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _check_share(report, accepted.height, max_reject_share, options, path.name)
    return CrossParse(edges=unique.select(_EDGE_COLUMNS), report=report)


_EDGE_COLUMNS = ["brand_a", "article_a", "article_raw_a", "brand_b", "article_b",
                 "article_raw_b", "kind", "row"]  # fmt: skip


def _selected(tables: list[Table], options: CrossOptions) -> list[Table]:
    if options.reader.sheets:
        wanted = {s.casefold() for s in options.reader.sheets}
        return [t for t in tables if (t.sheet or "").casefold() in wanted]
    return tables


def _note_mapping(report: CrossLoadReport, mapping: CrossMapping) -> None:
    labels, reasons = mapping.describe()
    for key, label in labels.items():
        report.columns.setdefault(key, label)
        report.column_reasons.setdefault(key, reasons[key])
    report.unused_columns.extend(
        c for c in mapping.unused if c not in report.unused_columns
    )
    report.warnings.extend(mapping.warnings)
    shapes = [s for s in report.shape.split("+") if s]
    if mapping.shape not in shapes:
        report.shape = "+".join([*shapes, mapping.shape])


# One table ----------------------------------------------------------------------


def _text(table: Table, column: Column | None, start: int) -> pl.Series:
    if column is None:
        return pl.Series([None] * max(table.n_rows - start, 0), dtype=pl.String)
    return table.column(column.index, start)[0]


def _rows(table: Table, mapping: CrossMapping) -> pl.DataFrame:
    """The mapped cells of every non-blank data row, as text."""
    start = mapping.data_start
    cells: dict[str, pl.Series] = {"row": table.row_numbers(start)}
    for name in ("article", "brand", "article_b", "brand_b", "kind", "group",
                 "status", "notes"):  # fmt: skip
        cells[f"{name}_raw"] = _text(table, getattr(mapping, name), start)
    for i, item in enumerate(mapping.lists):
        cells[f"list{i}_raw"] = _text(table, item.column, start)
        cells[f"list{i}_brand_raw"] = _text(table, item.brand_column, start)
    frame = pl.DataFrame(cells).with_columns(sheet=pl.lit(table.sheet, dtype=pl.String))
    raw = [c for c in frame.columns if c.endswith("_raw")]
    blank = pl.all_horizontal(
        [pl.col(c).fill_null("").str.strip_chars() == "" for c in raw]
    )
    return frame.filter(~blank)


def _table_candidates(
    table: Table,
    mapping: CrossMapping,
    options: CrossOptions,
    report: CrossLoadReport,
    limits: Limits,
    brands: BrandTable,
    max_group: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = _rows(table, mapping)
    report.rows_read += rows.height
    report.sheets.append(
        {"name": table.sheet, "shape": mapping.shape, "rows_read": rows.height,
         "header_row": mapping.header_row + 1 if mapping.header_row >= 0 else None}
    )  # fmt: skip
    checked = _check_rows(rows, mapping, limits, brands)
    bad = _row_rejects(checked, mapping, table)
    good = checked.filter(pl.col("reason").is_null())
    parts: list[pl.DataFrame] = []
    if mapping.shape == "group":
        pairs, too_big = _group_pairs(good, mapping, options, max_group)
        parts.append(pairs)
        bad = pl.concat([bad, too_big], how="diagonal_relaxed")
    if mapping.article_b is not None:
        parts.append(_pair_candidates(good, mapping, options))
    for i, item in enumerate(mapping.lists):
        parts.append(_list_candidates(good, i, item, brands))
    return pl.concat(parts, how="diagonal_relaxed"), bad


def _canonical_articles(
    raw: str, frame: pl.DataFrame, check: Callable[[str], bool]
) -> pl.Series:
    """The canonical article of every cell (trailing brand/packaging notes split off)."""
    series = frame.select(pl.col(raw).str.strip_chars()).to_series()
    with_paren = (
        series.filter(series.str.contains("(", literal=True)).unique().drop_nulls()
    )
    if with_paren.len():
        heads = {v: split_note(v, check)[0] for v in with_paren.to_list()}
        series = series.replace(heads)
    return frame.select(article_expr(pl.lit(series)).fill_null("")).to_series()


def _check_rows(
    rows: pl.DataFrame, mapping: CrossMapping, limits: Limits, brands: BrandTable
) -> pl.DataFrame:
    check = note_words_from(brands.spellings)
    part_article = _canonical_articles("article_raw", rows, check)
    cell = pl.col("brand_raw").str.strip_chars()
    brand_raw = pl.coalesce(
        pl.when(cell != "").then(cell), pl.lit(mapping.fixed_brand, dtype=pl.String)
    )
    raw_cols = [c for c in rows.columns if c.endswith("_raw")]
    is_long = {
        c: pl.col(c).str.len_chars().fill_null(0) > limits.max_cell_chars
        for c in raw_cols
    }
    too_long = pl.any_horizontal(list(is_long.values()))
    long_column = pl.coalesce(
        [pl.when(long).then(pl.lit(c)) for c, long in is_long.items()]
    )
    article_raw = pl.col("article_raw").str.strip_chars()
    frame = rows.with_columns(
        part_article=part_article,
        part_article_raw=article_raw,
        part_brand_raw=brand_raw,
        part_brand=brands.canonical_expr(brand_raw).fill_null(""),
        long_column=long_column,
    )
    reason = (
        pl.when(too_long).then(pl.lit("cell_too_long"))
        .when(pl.col("status_raw").str.contains(_ERROR_STATUS).fill_null(False))
        .then(pl.lit("lookup_miss"))
        .when(article_raw.is_null() | (article_raw == "")).then(pl.lit("no_article"))
        .when(article_raw.str.contains(SCIENTIFIC_PATTERN)).then(pl.lit("article_scientific"))
        .when(pl.col("part_article") == "").then(pl.lit("no_article"))
        .when(pl.col("part_brand") == "").then(pl.lit("no_brand"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )  # fmt: skip
    return frame.with_columns(reason=reason)


def _row_rejects(
    checked: pl.DataFrame, mapping: CrossMapping, table: Table
) -> pl.DataFrame:
    """Rejected rows, each with the column and cell that tell why."""
    bad = checked.filter(pl.col("reason").is_not_null())
    if bad.is_empty():
        return bad.select("sheet", "row", "reason")
    label = {
        "lookup_miss": (mapping.status, "status_raw"),
        "no_brand": (mapping.brand, "brand_raw"),
    }
    out = []
    for (reason,), group in bad.group_by("reason"):
        if reason == "cell_too_long":
            out.append(_long_cells(group, mapping))
            continue
        column, cell = label.get(str(reason), (mapping.article, "article_raw"))
        out.append(
            group.select(
                "sheet", "row", "reason",
                column=pl.lit(column.label if column else "", dtype=pl.String),
                value=pl.col(cell),
            )
        )  # fmt: skip
    frame = pl.concat(out)
    if mapping.status is not None:
        frame = _with_lines(frame, table, mapping)
    return frame


def _raw_columns(mapping: CrossMapping) -> dict[str, Column | None]:
    """The column behind every `*_raw` cell of `_rows`."""
    columns: dict[str, Column | None] = {
        f"{name}_raw": getattr(mapping, name)
        for name in ("article", "brand", "article_b", "brand_b", "kind", "group",
                     "status", "notes")
    }  # fmt: skip
    for i, item in enumerate(mapping.lists):
        columns[f"list{i}_raw"] = item.column
        columns[f"list{i}_brand_raw"] = item.brand_column
    return columns


def _long_cells(group: pl.DataFrame, mapping: CrossMapping) -> pl.DataFrame:
    """`cell_too_long` rows, each naming the column whose cell is too long."""
    columns = {
        raw: column.label if column else ""
        for raw, column in _raw_columns(mapping).items()
        if raw in group.columns
    }
    which = pl.col("long_column")
    return group.select(
        "sheet", "row", "reason",
        column=which.replace_strict(columns, default="", return_dtype=pl.String),
        value=pl.coalesce(
            [pl.when(which == raw).then(pl.col(raw)) for raw in columns]
        ),
    )  # fmt: skip


def _with_lines(
    frame: pl.DataFrame, table: Table, mapping: CrossMapping
) -> pl.DataFrame:
    """The whole row as text for lookup misses: the searched number is in it."""
    misses = frame.filter(pl.col("reason") == "lookup_miss")
    if misses.is_empty():
        return frame
    start = mapping.data_start
    cells = [table.column(i, start)[0].alias(f"c{i}") for i in range(table.n_cols)]
    whole = pl.DataFrame([table.row_numbers(start).alias("row"), *cells])
    lines = whole.filter(pl.col("row").is_in(misses["row"].implode())).select(
        "row", line=pl.concat_str([pl.col(c.name) for c in cells], separator=" | ",
                                  ignore_nulls=True),
    )  # fmt: skip
    return frame.join(lines, on="row", how="left")


def _pair_candidates(
    good: pl.DataFrame, mapping: CrossMapping, options: CrossOptions
) -> pl.DataFrame:
    kind_cell = pl.col("kind_raw").str.strip_chars().str.to_lowercase()
    folded = kind_cell.str.replace_all(r"[_\-]+", " ")
    kind = (
        pl.when(kind_cell.is_null() | (kind_cell == ""))
        .then(pl.lit(options.kind))
        .otherwise(folded.replace_strict(_KIND_BY_WORD, default="bad_kind"))
    )
    assert mapping.article_b is not None
    return good.filter(
        pl.col("article_b_raw").fill_null("").str.strip_chars() != ""
    ).select(
        "sheet", "row", "part_brand", "part_article", "part_article_raw", "notes_raw",
        column=pl.lit(mapping.article_b.label),
        item_brand_raw=pl.col("brand_b_raw").str.strip_chars(),
        item_article_raw=pl.col("article_b_raw").str.strip_chars(),
        list_kind=kind,
        is_list=pl.lit(False),
    )  # fmt: skip


def _group_pairs(
    good: pl.DataFrame, mapping: CrossMapping, options: CrossOptions, max_group: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every two parts of one group, and the rows of groups over the cap."""
    assert mapping.group is not None
    label = mapping.group.label
    group = pl.col("group_raw").str.strip_chars()
    no_group = good.filter(group.is_null() | (group == "")).select(
        "sheet", "row", reason=pl.lit("no_group"), column=pl.lit(label),
        value=pl.col("group_raw"),
    )  # fmt: skip
    members = good.filter(group.is_not_null() & (group != "")).with_columns(
        group=pl.concat_str(pl.col("sheet").fill_null(""), pl.lit("\x1f"), group)
    )
    sizes = members.group_by("group").agg(size=pl.len(), first=pl.col("row").min())
    over = sizes.filter(pl.col("size") > max_group)
    too_big = members.join(over, on="group").select(
        "sheet", "row", reason=pl.lit("group_too_large"), column=pl.lit(label),
        value=pl.concat_str(
            pl.col("group_raw"), pl.lit(" ("), pl.col("size").cast(pl.String),
            pl.lit(f" parts, cap {max_group})"),
        ),
    )  # fmt: skip
    members = (
        members.join(over, on="group", how="anti")
        .unique(
            ["group", "part_brand", "part_article"], keep="first", maintain_order=True
        )
        .with_row_index("i")
    )
    left = members.select("group", "i", "sheet", "row", "part_brand", "part_article",
                          "part_article_raw", "notes_raw")  # fmt: skip
    right = members.select(
        "group", j=pl.col("i"), item_brand_raw=pl.col("part_brand"),
        item_article_raw=pl.col("part_article_raw"),
    )  # fmt: skip
    pairs = left.join(right, on="group").filter(pl.col("i") < pl.col("j"))
    return (
        pairs.select(
            "sheet",
            "row",
            "part_brand",
            "part_article",
            "part_article_raw",
            "notes_raw",
            "item_brand_raw",
            "item_article_raw",
            column=pl.lit(label),
            list_kind=pl.lit(options.kind),
            is_list=pl.lit(False),
        ),
        pl.concat([no_group, too_big], how="diagonal_relaxed"),
    )


# Lists ------------------------------------------------------------------------------


def detect_separators(cells: pl.Series) -> list[str]:
    """Separators that split a column's cells into pieces that look like numbers.

    `T199; T199RB` splits on `;`; `W 712/75` does not split on `/`, because `75`
    alone is no part number.
    """
    texts = cells.drop_nulls().head(5000).to_list()
    found = []
    for candidate in SEPARATOR_CANDIDATES:
        pieces = [
            p.strip() for t in texts if candidate in t for p in t.split(candidate)
        ]
        pieces = [p for p in pieces if p]
        if not pieces:
            continue
        good = sum(
            1
            for p in pieces
            if len(re.sub(r"[\W_]+", "", p)) >= 3 and any(c.isdigit() for c in p)
        )
        if good / len(pieces) >= 0.9:
            found.append(candidate)
    return found


def _split_expr(column: str, separators: list[str]) -> pl.Expr:
    text = pl.col(column)
    if not separators:
        return text.str.split(_SPLIT_MARK)
    pattern = "|".join(re.escape(s) for s in sorted(separators, key=len, reverse=True))
    return text.str.replace_all(pattern, _SPLIT_MARK).str.split(_SPLIT_MARK)


def _list_candidates(
    good: pl.DataFrame, index: int, item: ListColumn, brands: BrandTable
) -> pl.DataFrame:
    raw, brand_raw = f"list{index}_raw", f"list{index}_brand_raw"
    separators = item.separators or detect_separators(good[raw])
    items = (
        good.filter(pl.col(raw).fill_null("").str.strip_chars() != "")
        .with_columns(item=_split_expr(raw, separators))
        .explode("item")
        .with_columns(item=pl.col("item").str.strip_chars())
        .filter(pl.col("item").is_not_null() & (pl.col("item") != ""))
    )
    if item.brand is not None:
        brand = pl.lit(item.brand, dtype=pl.String)
    elif item.brand_column is not None:
        brand = pl.col(brand_raw).str.strip_chars()
    elif item.kind == "related":
        brand = pl.col("part_brand")
    else:
        brand = pl.lit(None, dtype=pl.String)
    frame = items.with_columns(item_brand_raw=brand, item_article_raw=pl.col("item"))
    list_kind = pl.lit(item.kind)
    if item.brand is None and item.brand_column is None and item.kind != "related":
        frame = _bracket_makers(frame, brands)  # the bracket wins: `EBC 1084 (JAGUAR)`
        frame = _shape_makers(_brand_prefixes(frame, brands))
        if item.kind == "oe":
            # a brand leading the number (or certain from its shape) is an
            # analog's, unless it is a vehicle maker's; a trailing bracket names
            # the OE number's maker (`000 477 34 15 (MERCEDES-BENZ)`, `(MWM)`)
            cell_brand = pl.col("item_brand_raw")
            aftermarket = ~pl.col("bracketed") & ~is_maker_expr(
                brands.canonical_expr(cell_brand), brands
            )
            list_kind = (
                pl.when(cell_brand.is_not_null() & aftermarket.fill_null(False))
                .then(pl.lit("analog"))
                .otherwise(list_kind)
            )
    return frame.select(
        "sheet", "row", "part_brand", "part_article", "part_article_raw", "notes_raw",
        "item_brand_raw", "item_article_raw", column=pl.lit(item.column.label),
        list_kind=list_kind, is_list=pl.lit(True),
    )  # fmt: skip


def split_brand_prefix(text: str, brands: BrandTable) -> tuple[str | None, str]:
    """`AC DELCO 14316B` → (`AC DELCO`, `14316B`) when the leading words name a
    known brand and a number follows; else (None, text)."""
    tokens = text.split()
    digit_at = next((i for i, t in enumerate(tokens) if any(c.isdigit() for c in t)), 0)
    for size in range(min(digit_at, 3), 0, -1):
        head = " ".join(tokens[:size])
        if brands.is_known(clean_brand(head)):
            return brands.canonical(head), " ".join(tokens[size:])
    return None, text


_INNER_BRACKET = re.compile(r"\s*\([^()]*\)")


def split_maker(text: str) -> tuple[str | None, str]:
    """`000 477 34 15 (MERCEDES-BENZ)` → (`MERCEDES-BENZ`, `000 477 34 15`).

    In a list cell a trailing bracket after a number names the number's maker,
    known to the brand table or not (`6.0541.14.2.0001 (MWM)`); packaging and
    country notes (`(BULK)`, `(Китай)`) are dropped first. A bracket inside it
    names a joint venture and is dropped: `06L 115 562 A (VW (SVW))` is VW's.
    Else (None, text).
    """
    head, _note = split_note(text, is_note_text)
    head = head.strip()
    if not head.endswith(")"):
        return None, head
    depth, start = 0, -1
    for i in range(len(head) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(head[i], 0)
        if depth == 0:
            start = i
            break
    number = head[:start].strip() if start > 0 else ""
    maker = _INNER_BRACKET.sub("", head[start + 1 : -1]).strip() if start > 0 else ""
    if not any(c.isdigit() for c in number) or not any(c.isalpha() for c in maker):
        return None, head
    return maker, number


def _bracket_makers(frame: pl.DataFrame, brands: BrandTable) -> pl.DataFrame:
    """Items with no brand yet take the maker of their trailing bracket."""
    pending = pl.col("item_brand_raw").is_null() & pl.col("item").str.contains(
        r"\)\s*$"
    )
    candidates = frame.filter(pending)["item"].unique().to_list()
    found = {t: split_maker(t) for t in candidates}
    found = {t: (brands.canonical(m), h) for t, (m, h) in found.items() if m}
    if not found:
        return frame.with_columns(bracketed=pl.lit(False))
    keys = list(found)
    maker = pl.col("item").replace_strict(
        keys, [found[k][0] for k in keys], default=None, return_dtype=pl.String
    )
    head = pl.col("item").replace_strict(
        keys, [found[k][1] for k in keys], default=None, return_dtype=pl.String
    )
    return frame.with_columns(
        bracketed=pending & maker.is_not_null(),
        item_brand_raw=pl.when(pending).then(maker).otherwise("item_brand_raw"),
        item_article_raw=pl.when(pending & head.is_not_null())
        .then(head)
        .otherwise("item_article_raw"),
    )


def _shape_makers(frame: pl.DataFrame) -> pl.DataFrame:
    """Items still without a brand take the maker their shape is certain of."""
    return frame.with_columns(
        item_brand_raw=pl.coalesce(
            "item_brand_raw", maker_expr(article_expr("item_article_raw"))
        )
    )


def _brand_prefixes(frame: pl.DataFrame, brands: BrandTable) -> pl.DataFrame:
    pending = pl.col("item").str.contains(r"^[^\d\s]+\s")
    if "bracketed" in frame.columns:
        pending = pending & ~pl.col("bracketed")
    candidates = frame.filter(pending)["item"].unique().to_list()
    found = {t: split_brand_prefix(t, brands) for t in candidates}
    found = {t: pair for t, pair in found.items() if pair[0] is not None}
    if not found:
        return frame
    keys = list(found)
    return frame.with_columns(
        item_brand_raw=pl.col("item").replace_strict(
            keys,
            [found[k][0] for k in keys],
            default=pl.col("item_brand_raw"),
            return_dtype=pl.String,
        ),
        item_article_raw=pl.col("item").replace_strict(
            keys,
            [found[k][1] for k in keys],
            default=pl.col("item_article_raw"),
            return_dtype=pl.String,
        ),
    )


# Checking and directing --------------------------------------------------------------


def _check_candidates(candidates: pl.DataFrame, brands: BrandTable) -> pl.DataFrame:
    check = note_words_from(brands.spellings)
    item_article = _canonical_articles("item_article_raw", candidates, check)
    item_brand_cell = pl.col("item_brand_raw").str.strip_chars().fill_null("")
    frame = candidates.with_columns(
        item_article=item_article,
        item_brand=pl.when(item_brand_cell == "")
        .then(pl.lit(""))
        .otherwise(brands.canonical_expr(item_brand_cell)),
    )
    raw = pl.col("item_article_raw")
    reason = (
        pl.when(pl.col("list_kind") == "bad_kind").then(pl.lit("bad_kind"))
        .when(raw.str.contains(SCIENTIFIC_PATTERN)).then(pl.lit("article_scientific"))
        .when(pl.col("is_list") & ~raw.str.contains(r"\d")).then(pl.lit("not_a_number"))
        .when(pl.col("item_article") == "").then(pl.lit("bad_cross_article"))
        .when(
            (pl.col("item_article") == pl.col("part_article"))
            & (pl.col("item_brand") == pl.col("part_brand"))
        )
        .then(pl.lit("self_cross"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )  # fmt: skip
    return frame.with_columns(reason=reason, value=raw)


def _previous_versions(notes: pl.Series) -> dict[str, list[str]]:
    """Numbers each notes text calls a previous version, canonical."""
    out: dict[str, list[str]] = {}
    for text in notes.drop_nulls().unique().to_list():
        numbers = [m.strip() for m in _PREVIOUS.findall(text)]
        if numbers:
            frame = pl.DataFrame({"n": numbers})
            out[text] = frame.select(article_expr("n")).to_series().to_list()
    return out


def _directed(accepted: pl.DataFrame, brands: BrandTable) -> pl.DataFrame:
    """Candidates as stored edges: kind, and which side is a and which b."""
    previous = _previous_versions(accepted["notes_raw"]) if accepted.height else {}
    is_previous = pl.lit(False)
    if previous:
        keys = list(previous)
        listed = pl.col("notes_raw").replace_strict(
            keys, [previous[k] for k in keys], default=None,
            return_dtype=pl.List(pl.String),
        )  # fmt: skip
        is_previous = (pl.col("list_kind") == "related") & listed.list.contains(
            pl.col("item_article")
        ).fill_null(False)
    frame = accepted.with_columns(
        swap=pl.col("list_kind").is_in(_SWAPPED) | is_previous,
        kind=pl.when(is_previous)
        .then(pl.lit("replacement"))
        .otherwise(pl.col("list_kind").replace(STORAGE_KIND)),
    )
    # an analog of an aftermarket part and a vehicle maker's number is `oe`,
    # aftermarket → OE, whichever side of the row the maker's number is on
    part_maker = is_maker_expr("part_brand", brands)
    item_maker = is_maker_expr("item_brand", brands)
    analog = pl.col("kind") == "analog"
    item_oe = analog & item_maker & ~part_maker & (pl.col("part_brand") != "")
    part_oe = analog & part_maker & ~item_maker & (pl.col("item_brand") != "")
    frame = frame.with_columns(
        swap=pl.col("swap") | part_oe,
        kind=pl.when(item_oe | part_oe).then(pl.lit("oe")).otherwise("kind"),
    )
    swap = pl.col("swap")
    frame = frame.with_columns(
        brand_a=pl.when(swap).then("item_brand").otherwise("part_brand"),
        article_a=pl.when(swap).then("item_article").otherwise("part_article"),
        article_raw_a=pl.when(swap)
        .then("item_article_raw")
        .otherwise("part_article_raw"),
        brand_b=pl.when(swap).then("part_brand").otherwise("item_brand"),
        article_b=pl.when(swap).then("part_article").otherwise("item_article"),
        article_raw_b=pl.when(swap)
        .then("part_article_raw")
        .otherwise("item_article_raw"),
    )
    oe_maker = maker_expr("article_b")
    return frame.with_columns(
        brand_b=pl.when((pl.col("kind") == "oe") & (pl.col("brand_b") == ""))
        .then(oe_maker.fill_null(""))
        .otherwise(pl.col("brand_b")),
        row=pl.col("row").cast(pl.Int32),
    )


def _deduplicate(edges: pl.DataFrame) -> pl.DataFrame:
    """One edge per pair and kind (either order for the two-way kinds)."""
    key_a = pl.concat_str("brand_a", pl.lit("\x1f"), "article_a")
    key_b = pl.concat_str("brand_b", pl.lit("\x1f"), "article_b")
    two_way = pl.col("kind").is_in(list(store.TWO_WAY))
    return (
        edges.with_columns(
            _lo=pl.when(two_way).then(pl.min_horizontal(key_a, key_b)).otherwise(key_a),
            _hi=pl.when(two_way).then(pl.max_horizontal(key_a, key_b)).otherwise(key_b),
        )
        .unique(["_lo", "_hi", "kind"], keep="first", maintain_order=True)
        .drop("_lo", "_hi")
    )


def _count(
    report: CrossLoadReport,
    edges: pl.DataFrame,
    accepted: int,
    rejects: pl.DataFrame,
    brands: BrandTable,
) -> None:
    report.edges = edges.height
    report.duplicates = accepted - edges.height
    report.rows_with_crosses = (
        edges.select("sheet", "row").n_unique() if edges.height else 0
    )
    for kind in store.KINDS:
        count = edges.filter(pl.col("kind") == kind).height
        if count:
            report.edges_by_kind[kind] = count
    sides = pl.concat([
        edges.select(brand="brand_a", article="article_a"),
        edges.select(brand="brand_b", article="article_b"),
    ])  # fmt: skip
    report.identities = sides.n_unique() if sides.height else 0
    if rejects.height:
        for (reason,), group in rejects.sort("row").group_by(
            "reason", maintain_order=True
        ):
            report.rejects[str(reason)] = group.height
            columns = [
                c
                for c in ("sheet", "row", "column", "value", "line")
                if c in group.columns
            ]
            examples = group.head(EXAMPLES_PER_REASON).select(columns).to_dicts()
            report.reject_examples[str(reason)] = [
                {k: _clip(v) for k, v in e.items() if v is not None} for e in examples
            ]
    known = sides["brand"].unique().to_list() if sides.height else []
    for brand in sorted(b for b in known if b and not brands.is_known(b))[:500]:
        report.unknown_brands[brand] = brands.suggest(brand)


def _clip(value: object) -> object:
    """A long example cell cut to `EXAMPLE_CHARS` characters, `…` last."""
    if isinstance(value, str) and len(value) > EXAMPLE_CHARS:
        return value[: EXAMPLE_CHARS - 1] + "…"
    return value


def _check_share(
    report: CrossLoadReport,
    accepted: int,
    max_reject_share: float,
    options: CrossOptions,
    file: str,
) -> None:
    rejected = sum(report.rejects.values())
    share = rejected / (rejected + accepted) if rejected + accepted else 1.0
    threshold = (
        options.max_reject_share
        if options.max_reject_share is not None
        else max_reject_share
    )
    if report.edges == 0 or share > threshold:
        top = ", ".join(f"{k}: {v}" for k, v in sorted(report.rejects.items()))
        raise TooManyCrossRejects(
            f"{report.edges} crosses accepted, {rejected} rejected ({share:.0%}, "
            f"threshold {threshold:.0%}): {top or 'no crosses in the file'}",
            report=report,
            file=file,
        )

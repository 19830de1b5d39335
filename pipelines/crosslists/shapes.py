"""Which shape a cross file has and which column holds what.

Crosses come in a few shapes, all read as "the row's part, crossed with other
numbers":

| shape | a row holds | example header |
| --- | --- | --- |
| `pairs` | a part and one other part | `brand;article;brand;article` |
| `list` | a part and cells of several numbers (OE, analogs, replacements); one OE reference per row (TecDoc style) is the one-number case | `ArticleNo;OE_Numbers;Usage_Codes` |
| `group` | a group id and a part; parts sharing the id are analogs | `Группа;Бренд;Артикул` |
| `wide` | an OE number and one column per aftermarket brand | `oem_brand;oem_part_number;gates_part_number;…` |

Headers are matched as price-list headers are (`headers.fold_header`, words
that start header words, the best-covering synonym wins); the part's article
and brand also accept every price-list synonym. A profile pins any column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from crosses.brands import BrandTable, clean_brand
from pipelines.crosslists.options import LIST_FIELDS, CrossOptions
from pipelines.pricelists.errors import HeaderNotFound
from pipelines.pricelists.headers import covering_score, field_score, fold_header
from pipelines.pricelists.profiles import ColumnRef
from pipelines.pricelists.tables import Table

HEADER_SCAN_ROWS = 30

CROSS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "article_b": (
        "артикул аналога", "номер аналога", "аналог артикул", "артикул кросса",
        "номер кросса", "кросс артикул", "кросс номер", "cross article",
        "cross number", "analog article", "analog number", "analogue article",
        "article b", "article 2", "артикул 2", "номер 2",
    ),
    "brand_b": (
        "бренд аналога", "производитель аналога", "бренд кросса",
        "производитель кросса", "кросс бренд", "cross brand", "analog brand",
        "analogue brand", "cross manufacturer", "brand b", "brand 2", "бренд 2",
        "производитель 2",
    ),
    "oe": (
        "oe", "oem", "oe number", "oe numbers", "oem number", "oem numbers",
        "oe номер", "oe номера", "номер oe", "номера oe", "оригинальный номер",
        "оригинальные номера", "оригинал", "номер оригинала", "oem part number",
        "oe part number", "original number", "oe no", "oe nr", "oenumber",
    ),
    "oe_brand": (
        "oe brand", "oem brand", "oe manufacturer", "oem manufacturer", "oe maker",
        "бренд oe", "производитель oe", "марка oe", "бренд оригинала",
        "производитель оригинала",
    ),
    "analogs": (
        "аналоги", "кроссы", "analogs", "analogues", "crosses", "cross numbers",
        "cross references", "usage codes", "заменители", "номера аналогов",
    ),
    "replacement": (
        "replacement", "replaced by", "superseded by", "supersession", "замена",
        "заменен на", "заменяется на", "новый номер",
    ),
    "related": (
        "related numbers", "oem related numbers", "oe related numbers", "related",
        "доп номера", "дополнительные номера", "другие номера",
    ),
    "group": (
        "группа", "group", "group id", "код группы", "номер группы",
        "группа аналогов", "группа кроссов", "cross reference group", "cross group",
        "crossgroup",
    ),
    "notes": ("notes", "note", "comment", "comments", "примечание", "комментарий"),
    "kind": (
        "kind", "cross kind", "cross type", "link type", "тип связи", "тип кросса",
        "вид связи",
    ),
}  # fmt: skip
EXACT: dict[str, tuple[str, ...]] = {
    "status": ("status", "статус", "result", "результат"),
}
EXCLUDE_WORDS = ("url", "link", "ссылк", "source", "источник", "http", "image",
                 "фото", "date", "дата", "verified", "verification")  # fmt: skip
_BRAND_SUFFIX = re.compile(
    r"\s+(?:part numbers?|part no|numbers?|no|nr|pn|art|article|артикул|номер|код|code)$"
)
_FOLDED = {f: tuple(fold_header(s) for s in syns) for f, syns in CROSS_SYNONYMS.items()}


def column_letter(index: int) -> str:
    """`0` → `A`, `26` → `AA`."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class Column:
    """One column of the table and why it was taken."""

    index: int
    header: str
    why: str

    @property
    def label(self) -> str:
        letter = column_letter(self.index)
        return f"{letter} `{self.header}`" if self.header else letter


@dataclass
class ListColumn:
    """A column of numbers crossed with the row's part."""

    column: Column
    kind: str
    brand: str | None = None
    brand_column: Column | None = None
    separators: list[str] | None = None


@dataclass
class CrossMapping:
    """Where the header is, which column holds what, and the shape that makes."""

    shape: str
    header_row: int  # 0-based offset of the header row; -1 when there is none
    article: Column
    brand: Column | None
    fixed_brand: str | None = None
    fixed_brand_why: str = ""
    article_b: Column | None = None
    brand_b: Column | None = None
    kind: Column | None = None
    group: Column | None = None
    status: Column | None = None
    notes: Column | None = None
    lists: list[ListColumn] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def data_start(self) -> int:
        return self.header_row + 1

    def describe(self) -> tuple[dict[str, str], dict[str, str]]:
        """Field → column label, and field → why, for the load report."""
        labels: dict[str, str] = {}
        reasons: dict[str, str] = {}
        singles = {
            "article": self.article, "brand": self.brand, "article_b": self.article_b,
            "brand_b": self.brand_b, "kind": self.kind, "group": self.group,
            "status": self.status, "notes": self.notes,
        }  # fmt: skip
        for name, column in singles.items():
            if column is not None:
                labels[name], reasons[name] = column.label, column.why
        if self.brand is None and self.fixed_brand:
            labels["brand"] = f"`{self.fixed_brand}` for every row"
            reasons["brand"] = self.fixed_brand_why
        for item in self.lists:
            name = f"{item.kind} {column_letter(item.column.index)}"
            brand = item.brand or (item.brand_column.label if item.brand_column else "")
            labels[name] = item.column.label + (f" (brand {brand})" if brand else "")
            reasons[name] = item.column.why
        return labels, reasons


# Classifying one header --------------------------------------------------------------


def _excluded(words: list[str]) -> bool:
    return any(w.startswith(bad) for w in words for bad in EXCLUDE_WORDS)


def cross_field(header: str) -> tuple[str, float] | None:
    """The cross field a header names (`oe`, `group`, `article_b`…), if any."""
    name = fold_header(header)
    if not name or _excluded(name.split()):
        return None
    for field_name, exact in EXACT.items():
        if name in exact:
            return field_name, 1.0
    scored = [(covering_score(syns, name), f) for f, syns in _FOLDED.items()]
    score, best = max(scored)
    return (best, score) if score > 0 else None


def part_field(header: str) -> str | None:
    """`article` or `brand` by the price-list synonyms, if the header names one."""
    name = fold_header(header)
    if not name or _excluded(name.split()):
        return None
    article, brand = field_score("article", header), field_score("brand", header)
    if max(article, brand) <= 0:
        return None
    return "article" if article >= brand else "brand"


def brand_column(header: str, brands: BrandTable) -> tuple[str, bool] | None:
    """The brand a column is named after (`gates_part_number` → GATES) and whether
    the alias table knows it."""
    name = fold_header(header)
    if not name:
        return None
    residue = _BRAND_SUFFIX.sub("", name)
    if not residue or len(residue.split()) > 3 or not any(c.isalpha() for c in residue):
        return None
    cleaned = clean_brand(residue)
    if brands.is_known(cleaned):
        return brands.canonical(cleaned), True
    if residue != name:  # `<word> part number`: a brand by its position alone
        return cleaned, False
    return None


# The header row ---------------------------------------------------------------------


def _row_score(row: list[str]) -> int:
    return sum(
        1 for cell in row if cell.strip() and (cross_field(cell) or part_field(cell))
    )


def find_header_row(head: list[list[str]]) -> int | None:
    """The row naming the most cross fields (at least two), or None."""
    best, best_row = 1, None
    for offset, row in enumerate(head[:HEADER_SCAN_ROWS]):
        score = _row_score(row)
        if score > best:
            best, best_row = score, offset
    return best_row


def _headerless_pairs(head: list[list[str]], brands: BrandTable) -> bool:
    """Rows of `brand;article;brand;article` with no header: A and C are brands."""
    rows = [r for r in head if any(c.strip() for c in r)]
    if not rows or min(len(r) for r in rows) < 4:
        return False

    def share(index: int, test: Callable[[str], bool]) -> float:
        return sum(1 for r in rows if test(r[index])) / len(rows)

    def is_brand(cell: str) -> bool:
        return brands.is_known(clean_brand(cell))

    def has_digit(cell: str) -> bool:
        return any(c.isdigit() for c in cell)

    return (
        share(0, is_brand) >= 0.6
        and share(2, is_brand) >= 0.6
        and share(1, has_digit) >= 0.8
        and share(3, has_digit) >= 0.8
    )


# Mapping ----------------------------------------------------------------------------


@dataclass
class _Found:
    singles: dict[str, Column] = field(default_factory=dict)
    lists: list[ListColumn] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)


def _detect(names: list[str], brands: BrandTable) -> _Found:
    found = _Found()
    hits: list[tuple[float, int, str]] = []
    parts: dict[str, list[int]] = {"article": [], "brand": []}
    branded: list[tuple[int, str, bool]] = []
    maybe: list[tuple[int, str, bool]] = []
    for index, name in enumerate(names):
        if not name.strip():
            continue
        hit = cross_field(name)
        if hit is not None:
            hits.append((hit[1], -index, hit[0]))
            continue
        named = brand_column(name, brands)
        part = part_field(name)
        if named is not None and (named[1] or part is None):
            branded.append((index, *named))
        elif part is not None:
            parts[part].append(index)
            if named is not None:
                maybe.append((index, *named))
        else:
            found.unused.append(Column(index, name, "").label)
    if branded:  # `continental_part_number` beside `gates_part_number`: a brand too
        moved = {i for i, _, _ in maybe}
        branded.extend(maybe)
        parts = {f: [i for i in idx if i not in moved] for f, idx in parts.items()}
    for score, neg_index, field_name in sorted(hits, reverse=True):
        index = -neg_index
        column = Column(index, names[index], f"header `{names[index]}` ({score:.2f})")
        if field_name in LIST_FIELDS:
            found.lists.append(ListColumn(column, LIST_FIELDS[field_name]))
        elif field_name not in found.singles:
            found.singles[field_name] = column
        else:
            found.unused.append(column.label)
    for field_name, indexes in parts.items():
        twin = f"{field_name}_b"
        for index in indexes:
            column = Column(index, names[index], f"header `{names[index]}`")
            if field_name not in found.singles:
                found.singles[field_name] = column
            elif twin not in found.singles:
                found.singles[twin] = Column(
                    index, names[index], "second " + column.why
                )
            else:
                found.unused.append(column.label)
    if any(known for _, _, known in branded) or len(branded) >= 2:
        for index, brand, known in sorted(branded):
            why = f"header `{names[index]}` names the brand {brand}"
            if not known:
                why += " (not in the alias table)"
            found.lists.append(
                ListColumn(
                    Column(index, names[index], why), "brand_column", brand=brand
                )
            )
    else:
        found.unused.extend(Column(i, names[i], "").label for i, _, _ in branded)
    return found


def _resolve(spec: str, names: list[str], table: Table, what: str) -> Column:
    ref = ColumnRef.parse(spec)
    if ref.index is not None:
        header = names[ref.index] if ref.index < len(names) else ""
        return Column(ref.index, header, "pinned by the cross profile")
    target = fold_header(ref.header or "")
    for index, name in enumerate(names):
        if fold_header(name) == target:
            return Column(index, name, "pinned by the cross profile")
    raise HeaderNotFound(
        f"profile column `{spec}` for `{what}` not in the header",
        file=table.source,
        sheet=table.sheet,
        hint=f"header names are {names}",
    )


def _pinned(
    options: CrossOptions, names: list[str], table: Table, found: _Found
) -> None:
    for field_name, spec in options.columns.items():
        column = _resolve(spec, names, table, field_name)
        if field_name in LIST_FIELDS:
            found.lists = [c for c in found.lists if c.column.index != column.index]
            found.lists.append(ListColumn(column, LIST_FIELDS[field_name]))
        else:
            found.singles[field_name] = column
    for pinned in options.lists:
        column = _resolve(pinned.column, names, table, f"list {pinned.kind}")
        brand_col = (
            _resolve(pinned.brand_column, names, table, "list brand")
            if pinned.brand_column
            else None
        )
        found.lists = [c for c in found.lists if c.column.index != column.index]
        found.lists.append(
            ListColumn(column, pinned.kind, pinned.brand, brand_col, pinned.separators)
        )


def _brand_from_file_name(file_name: str, brands: BrandTable) -> str | None:
    stem = file_name.rsplit(".", 1)[0]
    for token in re.split(r"[_\-\s.]+", stem):
        if len(token) >= 3 and brands.is_known(clean_brand(token)):
            return brands.canonical(token)
    return None


def map_columns(
    table: Table, options: CrossOptions, *, file_name: str, brands: BrandTable
) -> CrossMapping | None:
    """The mapping of one table, or None when it holds no crosses (a notes sheet)."""
    head = table.head()
    header_row = _header_row(table, head, options, brands)
    names = head[header_row] if header_row >= 0 else [""] * table.n_cols
    names = [n.strip() for n in names]
    if header_row < 0 and not options.columns:
        found = _Found()
        for i, name in enumerate(("brand", "article", "brand_b", "article_b")):
            found.singles[name] = Column(i, "", "brand;article;brand;article rows")
    else:
        found = _Found() if options.pins_mapping else _detect(names, brands)
    _pinned(options, names, table, found)
    return _assemble(found, header_row, options, table, file_name, brands)


def _header_row(
    table: Table, head: list[list[str]], options: CrossOptions, brands: BrandTable
) -> int:
    pinned = options.reader.header_row
    if pinned is not None:
        return pinned - 1
    found = find_header_row(head)
    if found is not None:
        return found
    if options.columns:
        return _pinned_header(head, options)
    if _headerless_pairs(head, brands):
        return -1
    return -2  # no header and nothing pinned: the table holds no crosses


def _pinned_header(head: list[list[str]], options: CrossOptions) -> int:
    """The first non-blank row when its pinned article cell holds no digit (a
    header naming the columns), else -1: the data starts at the top."""
    spec = options.columns.get("article")
    index = ColumnRef.parse(spec).index if spec else None
    for offset, row in enumerate(head):
        if any(c.strip() for c in row):
            if index is None or index >= len(row):
                return -1
            return -1 if any(c.isdigit() for c in row[index]) else offset
    return -1


def _assemble(
    found: _Found,
    header_row: int,
    options: CrossOptions,
    table: Table,
    file_name: str,
    brands: BrandTable,
) -> CrossMapping | None:
    if header_row == -2:
        return None
    singles, lists = found.singles, found.lists
    part_is_oe = False
    article = singles.get("article")
    brand = singles.get("brand")
    if article is None:
        oe = next((c for c in lists if c.kind == "oe"), None)
        if oe is None:
            return None
        lists.remove(oe)
        article, brand, part_is_oe = oe.column, singles.get("oe_brand"), True
    elif "oe_brand" in singles:
        for item in lists:
            if item.kind == "oe" and item.brand_column is None and item.brand is None:
                item.brand_column = singles["oe_brand"]
    for item in lists:
        if item.kind == "brand_column":
            item.kind = "oe_for" if part_is_oe else "analog"
    mapping = CrossMapping(
        shape="",
        header_row=header_row,
        article=article,
        brand=brand,
        article_b=singles.get("article_b"),
        brand_b=singles.get("brand_b"),
        kind=singles.get("kind"),
        group=singles.get("group"),
        status=singles.get("status"),
        notes=singles.get("notes"),
        lists=lists,
        unused=found.unused,
    )
    _part_brand(mapping, options, table, file_name, brands)
    mapping.shape = _shape(mapping, options, part_is_oe, table)
    return mapping


def _part_brand(
    mapping: CrossMapping,
    options: CrossOptions,
    table: Table,
    file_name: str,
    brands: BrandTable,
) -> None:
    if options.brand:
        mapping.fixed_brand = brands.canonical(options.brand)
        mapping.fixed_brand_why = "set by the cross profile or --brand"
        return
    if mapping.brand is not None:
        return
    guessed = _brand_from_file_name(file_name, brands)
    if guessed is None:
        raise HeaderNotFound(
            "no column names the brand of the part",
            file=table.source,
            sheet=table.sheet,
            hint="set `brand` in the cross profile (or pass --brand)",
        )
    mapping.fixed_brand = guessed
    mapping.fixed_brand_why = f"from the file name `{file_name}` (no brand column)"
    mapping.warnings.append(
        f"the part's brand {guessed} was taken from the file name; pin it with "
        "`brand` in the cross profile if that is wrong"
    )


def _shape(
    mapping: CrossMapping, options: CrossOptions, part_is_oe: bool, table: Table
) -> str:
    crossed = mapping.article_b is not None or bool(mapping.lists)
    if mapping.group is not None and crossed and options.shape != "group":
        mapping.unused.append(mapping.group.label + " (the rows carry their crosses)")
        mapping.group = None
    shape = options.shape or (
        "group" if mapping.group is not None
        else "pairs" if mapping.article_b is not None
        else "wide" if part_is_oe and mapping.lists
        else "list" if mapping.lists
        else ""
    )  # fmt: skip
    missing = {
        "group": mapping.group is None,
        "pairs": mapping.article_b is None,
        "list": not mapping.lists,
        "wide": not mapping.lists,
    }.get(shape, True)
    if missing:
        raise HeaderNotFound(
            f"cannot tell the crosses of this table (shape `{shape or '?'}`): no "
            "column names a second part, a list of numbers or a group",
            file=table.source,
            sheet=table.sheet,
            hint="pin `shape` and `columns` in the cross profile",
        )
    return shape

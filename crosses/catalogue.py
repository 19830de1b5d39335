"""The TecDoc-style catalogue: reading the import format and web-service replies.

Pure functions: a folder, a ZIP or reply bytes in, a `Catalogue` of polars
frames out. The format is documented in `docs/catalogue-format.md`. Every
error names the file, the row and the column to fix.

Identities follow the project rule: `brand` is canonical (alias table),
`article` normalized; the text as written is kept in `*_raw` columns.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

import polars as pl

from crosses.articles import article_expr, normalize_article
from crosses.brands import default_table

FORMAT = "parts-catalogue/1"
MANIFEST = "manifest.json"
MODES = ("full", "update")
DEFAULT_MAX_BYTES = 2 * 1024**3

Kind = Literal["text", "int", "year", "brand", "article"]


class CatalogueError(ValueError):
    """A catalogue that cannot be read; says where and what to fix."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        self.file, self.row, self.column, self.value = file, row, column, value
        where = ", ".join(
            part
            for part in (
                f"`{file}`" if file else "",
                f"row {row}" if row is not None else "",
                f"column `{column}`" if column else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class UnreadableCatalogue(CatalogueError):
    """Not a folder, ZIP, JSON or XML this module can open."""


class MissingTable(CatalogueError):
    """A required table file is absent."""


class MissingColumn(CatalogueError):
    """A table lacks a required column."""


class BadValue(CatalogueError):
    """A cell that does not parse as its column's type, or is empty."""


class VersionMismatch(CatalogueError):
    """A row whose `data_version` differs from the manifest's version."""


class DuplicateKey(CatalogueError):
    """Two rows with the same key (article, vehicle id, brand)."""


class DanglingReference(CatalogueError):
    """A row pointing at an article or vehicle the catalogue does not have."""


@dataclass(frozen=True)
class Column:
    """One column of the import format."""

    name: str
    kind: Kind = "text"
    required: bool = True
    nullable: bool = False


def _c(name: str, kind: Kind = "text", *, optional: bool = False) -> Column:
    """A column; `optional` ones may be absent or empty."""
    return Column(name, kind, required=not optional, nullable=optional)


_VERSION = _c("data_version")
SPECS: dict[str, tuple[Column, ...]] = {
    "brands": (_c("brand", "brand"), _c("brand_id", optional=True), _VERSION),
    "articles": (
        _c("brand", "brand"), _c("article", "article"),
        _c("generic_article_id", "int", optional=True), _c("generic_article"),
        _c("description", optional=True), _c("ean", optional=True), _VERSION,
    ),
    "article_criteria": (
        _c("brand", "brand"), _c("article", "article"),
        _c("criterion_id", "int", optional=True), _c("criterion"),
        _c("value", optional=True), _c("unit", optional=True), _VERSION,
    ),
    "oe_numbers": (
        _c("brand", "brand"), _c("article", "article"),
        _c("oe_brand", "brand"), _c("oe_number", "article"), _VERSION,
    ),
    "vehicles": (
        _c("vehicle_id", "int"), _c("make", "brand"), _c("model"), _c("type"),
        _c("engine_code", optional=True), _c("power_kw", "int", optional=True),
        _c("power_hp", "int", optional=True), _c("year_from", "year"),
        _c("year_to", "year", optional=True), _c("fuel", optional=True),
        _c("body", optional=True), _VERSION,
    ),
    "links": (
        _c("brand", "brand"), _c("article", "article"), _c("vehicle_id", "int"),
        _VERSION,
    ),
    "vehicle_id_map": (
        _c("old_vehicle_id", "int"), _c("new_vehicle_id", "int"), _VERSION,
    ),
}  # fmt: skip
REQUIRED_TABLES = ("articles", "vehicles", "links")

SCHEMAS: dict[str, dict[str, Any]] = {
    "brands": {"brand": pl.String, "brand_raw": pl.String, "brand_id": pl.String},
    "articles": {
        "brand": pl.String, "brand_raw": pl.String, "article": pl.String,
        "article_raw": pl.String, "generic_article_id": pl.Int32,
        "generic_article": pl.String, "description": pl.String, "ean": pl.String,
    },
    "article_criteria": {
        "brand": pl.String, "article": pl.String, "criterion_id": pl.Int32,
        "criterion": pl.String, "value": pl.String, "value_num": pl.Float64,
        "unit": pl.String,
    },
    "oe_numbers": {
        "brand": pl.String, "article": pl.String, "oe_brand": pl.String,
        "oe_brand_raw": pl.String, "oe_number": pl.String,
        "oe_number_raw": pl.String,
    },
    "vehicles": {
        "vehicle_id": pl.Int64, "make": pl.String, "make_raw": pl.String,
        "model": pl.String, "type": pl.String, "engine_code": pl.String,
        "power_kw": pl.Int16, "power_hp": pl.Int16, "year_from": pl.Int16,
        "year_to": pl.Int16, "fuel": pl.String, "body": pl.String,
    },
    "links": {"brand": pl.String, "article": pl.String, "vehicle_id": pl.Int64},
    "vehicle_id_map": {"old_vehicle_id": pl.Int64, "new_vehicle_id": pl.Int64},
    "vehicle_aliases": {
        "alias_id": pl.Int64, "vehicle_id": pl.Int64, "method": pl.String,
        "since_version": pl.String,
    },
}  # fmt: skip
"""Columns of the frames a `Catalogue` holds (each also has `data_version`)."""

for _schema in SCHEMAS.values():
    _schema["data_version"] = pl.String


def empty_table(name: str) -> pl.DataFrame:
    """An empty frame with a table's schema."""
    return pl.DataFrame(schema=SCHEMAS[name])


@dataclass(frozen=True)
class Catalogue:
    """One catalogue version: the tables of the format, typed and normalized."""

    version: str
    date: str
    source: str = ""
    mode: str = "full"
    brands: pl.DataFrame = field(default_factory=lambda: empty_table("brands"))
    articles: pl.DataFrame = field(default_factory=lambda: empty_table("articles"))
    article_criteria: pl.DataFrame = field(
        default_factory=lambda: empty_table("article_criteria")
    )
    oe_numbers: pl.DataFrame = field(default_factory=lambda: empty_table("oe_numbers"))
    vehicles: pl.DataFrame = field(default_factory=lambda: empty_table("vehicles"))
    links: pl.DataFrame = field(default_factory=lambda: empty_table("links"))
    vehicle_id_map: pl.DataFrame = field(
        default_factory=lambda: empty_table("vehicle_id_map")
    )
    vehicle_aliases: pl.DataFrame = field(
        default_factory=lambda: empty_table("vehicle_aliases")
    )
    warnings: tuple[str, ...] = ()

    def tables(self) -> dict[str, pl.DataFrame]:
        """Every table by name, in the order of the format."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if f.name in SCHEMAS
        }

    def rows(self) -> dict[str, int]:
        """Row count of every table."""
        return {name: frame.height for name, frame in self.tables().items()}

    def with_tables(self, **tables: pl.DataFrame) -> Catalogue:
        """A copy with some tables replaced (cast to their schemas)."""
        typed: dict[str, Any] = {k: conform(k, v) for k, v in tables.items()}
        return replace(self, **typed)


def conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Select and cast a frame to a table's schema; absent columns become null."""
    return frame.select(
        [
            pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
            for c, t in SCHEMAS[name].items()
        ]
    )


# Sources: a folder or a ZIP ---------------------------------------------------


class _Source:
    """Named members of a folder or a ZIP, read under a byte budget."""

    def __init__(self, label: str, members: dict[str, Callable[[], bytes]]) -> None:
        self.label = label
        self.members = members

    def read(self, name: str) -> bytes:
        return self.members[name]()


def _open_source(
    source: Path | bytes | Mapping[str, bytes], *, max_bytes: int
) -> _Source:
    if isinstance(source, Mapping):
        return _Source("<files>", {n: _constant(d) for n, d in source.items()})
    if isinstance(source, bytes):
        return _zip_source("<bytes>", source, max_bytes=max_bytes)
    if source.is_dir():
        files = {
            p.relative_to(source).as_posix(): p
            for p in sorted(source.rglob("*"))
            if p.is_file() and not p.name.startswith(".")
        }
        return _Source(
            source.name, {name: path.read_bytes for name, path in files.items()}
        )
    if not source.is_file():
        raise UnreadableCatalogue(f"`{source}` is neither a folder nor a file")
    return _zip_source(source.name, source.read_bytes(), max_bytes=max_bytes)


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _zip_source(label: str, data: bytes, *, max_bytes: int) -> _Source:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableCatalogue(
            "not a ZIP archive; a catalogue is a folder or a ZIP", file=label
        ) from exc
    budget = [max_bytes]

    def reader(info: zipfile.ZipInfo) -> Callable[[], bytes]:
        def read() -> bytes:
            with archive.open(info) as fh:
                chunk = fh.read(budget[0] + 1)
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise UnreadableCatalogue(
                    f"unpacks to more than {max_bytes:,} bytes", file=label
                )
            return chunk

        return read

    members = {
        i.filename: reader(i)
        for i in archive.infolist()
        if not i.is_dir() and not Path(i.filename).name.startswith(".")
    }
    return _Source(label, members)


def _root_of(source: _Source) -> str:
    """The shallowest member folder holding a manifest (usually the root)."""
    found = sorted(
        (n for n in source.members if Path(n).name == MANIFEST),
        key=lambda n: n.count("/"),
    )
    if not found:
        raise MissingTable(
            f"no `{MANIFEST}` found; a catalogue folder or ZIP starts with one "
            "(see docs/catalogue-format.md)",
            file=source.label,
        )
    parent = str(Path(found[0]).parent)
    return "" if parent == "." else parent + "/"


# Reading the import format ----------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    """The manifest of a catalogue folder or ZIP."""

    version: str
    date: str
    source: str = ""
    mode: str = "full"


def parse_manifest(data: bytes, *, file: str = MANIFEST) -> Manifest:
    """Read and check `manifest.json`: a version, an ISO date, the mode."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableCatalogue(f"not valid UTF-8 JSON: {exc}", file=file) from exc
    if not isinstance(raw, dict):
        raise UnreadableCatalogue("must hold one JSON object", file=file)
    fmt = raw.get("format", FORMAT)
    if fmt != FORMAT:
        raise UnreadableCatalogue(
            f"format `{fmt}` is not `{FORMAT}`", file=file, column="format"
        )
    version = str(raw.get("version") or "").strip()
    if not version:
        raise BadValue("the `version` is missing or empty", file=file, column="version")
    date = str(raw.get("date") or "")
    try:
        dt.date.fromisoformat(date)
    except ValueError as exc:
        raise BadValue(
            f"`{date}` is not an ISO date (YYYY-MM-DD)", file=file, column="date"
        ) from exc
    mode = str(raw.get("mode") or "full")
    if mode not in MODES:
        raise BadValue(
            f"`{mode}` is not one of {', '.join(MODES)}", file=file, column="mode"
        )
    return Manifest(
        version=version, date=date, source=str(raw.get("source") or ""), mode=mode
    )


def read_catalogue(
    source: Path | bytes | Mapping[str, bytes], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Catalogue:
    """Read a catalogue in the import format: a folder, a ZIP, ZIP bytes or files."""
    src = _open_source(source, max_bytes=max_bytes)
    root = _root_of(src)
    manifest = parse_manifest(src.read(root + MANIFEST))
    raw: dict[str, pl.DataFrame] = {}
    files: dict[str, str] = {}
    for name in SPECS:
        found = _table_file(src, root, name)
        if found is None:
            if name in REQUIRED_TABLES:
                raise MissingTable(
                    f"the table `{name}` is missing: add `{name}.csv` or "
                    f"`{name}.parquet`",
                    file=src.label,
                )
            continue
        frame = _read_table_file(found, src.read(root + found))
        raw[name] = _parse_table(name, frame, file=found, version=manifest.version)
        files[name] = found
    return _assemble(manifest, raw, files)


def read_table(name: str, file: str, data: bytes, *, version: str) -> pl.DataFrame:
    """One table of the format on its own (e.g. an id map beside replies)."""
    frame = _parse_table(name, _read_table_file(file, data), file=file, version=version)
    return conform(name, frame.with_columns(data_version=pl.lit(version)))


def _table_file(src: _Source, root: str, name: str) -> str | None:
    for suffix in (".csv", ".parquet"):
        if root + name + suffix in src.members:
            return name + suffix
    return None


def _read_table_file(file: str, data: bytes) -> pl.DataFrame:
    """All cells as text: CSV (UTF-8, `;`) or Parquet."""
    if file.endswith(".parquet"):
        try:
            frame = pl.read_parquet(io.BytesIO(data))
        except Exception as exc:  # polars raises several types for a bad file
            raise UnreadableCatalogue(f"not a Parquet file: {exc}", file=file) from exc
        return frame.select(pl.all().cast(pl.String))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableCatalogue(
            "not UTF-8 (save the file as UTF-8)", file=file, row=line
        ) from exc
    try:
        return pl.read_csv(
            io.StringIO(text), separator=";", infer_schema=False, quote_char='"'
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise UnreadableCatalogue(f"not a `;` CSV: {exc}", file=file) from exc


_YEAR = r"^(?:(\d{4})(?:[-./]?\d{2}){0,2}|\d{1,2}[./](\d{4}))$"


def parsed_expr(column: Column) -> pl.Expr:
    """A text column typed by its kind (int, year, brand, article, text)."""
    text = pl.col(column.name)
    if column.kind == "int":
        return text.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    if column.kind == "year":
        year = pl.coalesce(text.str.extract(_YEAR, 1), text.str.extract(_YEAR, 2)).cast(
            pl.Int64, strict=False
        )
        return pl.when(year.is_between(1900, 2100)).then(year)
    if column.kind == "brand":
        return default_table().canonical_expr(text)
    if column.kind == "article":
        return normalized_articles(text)
    return text


def normalized_articles(text: pl.Expr) -> pl.Expr:
    """The article rule on a column: vectorized folding, notes split where `(`."""
    return text.map_batches(normalize_article_series, return_dtype=pl.String)


def normalize_article_series(series: pl.Series) -> pl.Series:
    """`normalize_article` over a Series; only texts with a `(` go through Python."""
    frame = series.rename("text").to_frame()
    folded = frame.select(article_expr("text")).to_series()
    noted = series.str.contains("(", literal=True).fill_null(False)
    if noted.any():
        special = {
            s: normalize_article(s)[0] for s in series.filter(noted).unique().to_list()
        }
        folded = frame.select(
            pl.when(noted)
            .then(pl.col("text").replace_strict(special, default=None))
            .otherwise(folded)
        ).to_series()
    return (
        frame.select(pl.when(folded != "").then(folded)).to_series().rename(series.name)
    )


_KIND_HELP = {
    "int": "is not a whole number",
    "year": "is not a year (YYYY, YYYY-MM or YYYY-MM-DD)",
    "brand": "is not a brand",
    "article": "has no letters or digits",
}


def _parse_table(
    name: str, frame: pl.DataFrame, *, file: str, version: str
) -> pl.DataFrame:
    """Check and type one table; the first bad cell raises with its row."""
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    spec = SPECS[name]
    missing = [c.name for c in spec if c.required and c.name not in frame.columns]
    if missing:
        raise MissingColumn(
            f"required column(s) {', '.join(f'`{m}`' for m in missing)} missing; "
            f"the header has {', '.join(f'`{c}`' for c in frame.columns)}",
            file=file,
            row=1 if file.endswith(".csv") else None,
            column=missing[0],
        )
    first_row = 2 if file.endswith(".csv") else 1
    text = frame.with_row_index("_row", offset=first_row).select(
        pl.col("_row").cast(pl.Int64),
        *[clean_text(c.name, frame.columns) for c in spec],
    )
    parsed = text.with_columns(parsed_expr(c).alias(f"_{c.name}") for c in spec)
    for column in spec:
        _check_column(parsed, column, file=file)
    _check_version(parsed, version, file=file)
    out = parsed.select(
        "_row",
        *[pl.col(f"_{c.name}").alias(c.name) for c in spec],
        *[
            pl.col(c.name).alias(f"{c.name}_raw")
            for c in spec
            if c.kind in ("brand", "article")
        ],
    )
    if name == "article_criteria":
        out = out.with_columns(value_num=number_expr(pl.col("value")))
    return out


def clean_text(name: str, present: list[str]) -> pl.Expr:
    """A column stripped, empty cells as null; an absent column as all null."""
    if name not in present:
        return pl.lit(None, pl.String).alias(name)
    stripped = pl.col(name).str.strip_chars()
    return pl.when(stripped != "").then(stripped).alias(name)


def _check_column(frame: pl.DataFrame, column: Column, *, file: str) -> None:
    text, value = pl.col(column.name), pl.col(f"_{column.name}")
    bad = frame.filter(text.is_not_null() & value.is_null())
    if bad.height:
        row = bad.row(0, named=True)
        raise BadValue(
            f"`{row[column.name]}` {_KIND_HELP.get(column.kind, 'is not valid')}"
            + _more(bad.height),
            file=file, row=row["_row"], column=column.name, value=row[column.name],
        )  # fmt: skip
    if not column.nullable:
        empty = frame.filter(text.is_null())
        if empty.height:
            raise BadValue(
                "is empty; a value is required" + _more(empty.height),
                file=file, row=empty["_row"][0], column=column.name,
            )  # fmt: skip


def _check_version(frame: pl.DataFrame, version: str, *, file: str) -> None:
    other = frame.filter(pl.col("_data_version") != version)
    if other.height:
        row = other.row(0, named=True)
        raise VersionMismatch(
            f"`{row['data_version']}` differs from the manifest version `{version}`"
            + _more(other.height),
            file=file, row=row["_row"], column="data_version",
            value=row["data_version"],
        )  # fmt: skip


def _more(count: int) -> str:
    return f" ({count - 1} more row(s) like it)" if count > 1 else ""


def number_expr(text: pl.Expr) -> pl.Expr:
    """`62,9` → 62.9; text that is not one number → null."""
    cleaned = text.str.strip_chars().str.replace(",", ".", literal=True)
    return (
        pl.when(cleaned.str.contains(r"^-?\d+(?:\.\d+)?$"))
        .then(cleaned)
        .cast(pl.Float64, strict=False)
    )


def _assemble(
    manifest: Manifest, raw: dict[str, pl.DataFrame], files: dict[str, str]
) -> Catalogue:
    """Cross-table checks, the id map applied to links, then typed tables."""

    def refer(name: str, frame: pl.DataFrame, target: str, key: list[str]) -> None:
        _references(frame, raw[target], key, files[name], files[target])

    _unique(raw["articles"], ["brand", "article"], files["articles"])
    _unique(raw["vehicles"], ["vehicle_id"], files["vehicles"])
    if "brands" in raw:
        _unique(raw["brands"], ["brand"], files["brands"])
        refer("articles", raw["articles"], "brands", ["brand"])
    id_map = raw.get("vehicle_id_map", empty_table("vehicle_id_map").with_columns(
        pl.lit(None, pl.Int64).alias("_row")
    ))  # fmt: skip
    if "vehicle_id_map" in raw:
        new_ids = id_map.rename({"new_vehicle_id": "vehicle_id"})
        refer("vehicle_id_map", new_ids, "vehicles", ["vehicle_id"])
    links = _rekey_links(raw["links"], id_map)
    for name in ("article_criteria", "oe_numbers"):
        if name in raw:
            refer(name, raw[name], "articles", ["brand", "article"])
    refer("links", links, "articles", ["brand", "article"])
    refer("links", links, "vehicles", ["vehicle_id"])

    brands = raw.get("brands")
    if brands is None:
        brands = raw["articles"].select("brand", "brand_raw").unique("brand")
    tables = {
        "brands": brands,
        "articles": raw["articles"],
        "article_criteria": raw.get(
            "article_criteria", empty_table("article_criteria")
        ),
        "oe_numbers": raw.get("oe_numbers", empty_table("oe_numbers")),
        "vehicles": raw["vehicles"],
        "links": links.unique(["brand", "article", "vehicle_id"], maintain_order=True),
        "vehicle_id_map": id_map,
    }
    version = pl.lit(manifest.version).alias("data_version")
    return Catalogue(
        version=manifest.version,
        date=manifest.date,
        source=manifest.source,
        mode=manifest.mode,
    ).with_tables(**{k: v.with_columns(version) for k, v in tables.items()})


def _unique(frame: pl.DataFrame, key: list[str], file: str) -> None:
    dup = frame.filter(pl.struct(key).is_duplicated()).sort("_row")
    if dup.height:
        first = dup.row(0, named=True)
        twin = dup.filter(pl.all_horizontal(pl.col(k) == first[k] for k in key))[
            "_row"
        ].to_list()
        shown = " + ".join(str(first[k]) for k in key)
        raise DuplicateKey(
            f"`{shown}` appears on rows {', '.join(map(str, twin))}; keys "
            f"({', '.join(key)}) must be unique",
            file=file, row=first["_row"], column=key[-1],
        )  # fmt: skip


def _references(
    frame: pl.DataFrame, target: pl.DataFrame, key: list[str], file: str, other: str
) -> None:
    lost = frame.join(target.select(key).unique(), on=key, how="anti").sort("_row")
    if lost.height:
        row = lost.row(0, named=True)
        shown = " + ".join(str(row[k]) for k in key)
        raise DanglingReference(
            f"`{shown}` is not in `{other}`" + _more(lost.height),
            file=file, row=row["_row"], column=key[-1],
        )  # fmt: skip


def _rekey_links(links: pl.DataFrame, id_map: pl.DataFrame) -> pl.DataFrame:
    """Links written with an old vehicle id point at its new id (Q37)."""
    if id_map.is_empty():
        return links
    mapping = id_map.select(
        pl.col("old_vehicle_id").alias("vehicle_id"), "new_vehicle_id"
    ).unique("vehicle_id")
    return (
        links.join(mapping, on="vehicle_id", how="left")
        .with_columns(vehicle_id=pl.coalesce("new_vehicle_id", "vehicle_id"))
        .drop("new_vehicle_id")
    )

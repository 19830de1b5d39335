"""One immutable part of the offers index: a columnar offers table sorted by
identity, the identity table beside it, and a Tantivy index of the identities.

A part is a folder written once and never changed:

    offers.arrow      every offer, sorted by the 64-bit hash of `brand\\x1farticle`
                      (then price): one Arrow IPC record batch, memory-mapped
    identities.arrow  one row per identity: key hash, article hash, brand,
                      article, first row and row count in `offers.arrow`, a name
    by_article.npy    identity rows ordered by article hash (article-only lookups),
    article_hashes.npy  and those hashes in that order
    text/             Tantivy: one document per identity (`search.text_index`)
    part.json         what it holds: suppliers and their loads, counts

An identity lookup is a binary search over the key hashes, a check of the
stored strings (so a hash collision never merges two parts) and a slice of
rows; text search goes through Tantivy to identities, then the same slices.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import tantivy

from crosses import lake_files as files
from crosses.graph import SEP, fnv1a, fnv1a_array
from search import text_index

log = logging.getLogger(__name__)

NAMES_PER_IDENTITY = 3
NONE = -1
"""Stored for an unknown number (stock, days, VAT flag), so every number column
maps to numpy without a copy; readers turn it back into None."""
NUMBERS = ("price_kop", "qty", "multiplicity", "delivery_days_min",
           "delivery_days_max", "row", "qty_approx", "vat_included")  # fmt: skip
CODED = ("supplier_id", "brand", "currency", "warehouse", "load_id", "sheet")
TEXTS = ("article", "article_raw", "article_note", "name")
TEXT_HEAP_BYTES = 256_000_000

# the offer columns a part keeps, in the order of `offers.arrow`
OFFER_COLUMNS: dict[str, Any] = {
    "supplier_id": pl.Categorical,
    "brand": pl.Categorical,
    "article": pl.String,
    "article_raw": pl.String,
    "article_note": pl.String,
    "name": pl.String,
    "price_kop": pl.Int64,
    "currency": pl.Categorical,
    "qty": pl.Int32,
    "qty_approx": pl.Boolean,
    "multiplicity": pl.Int32,
    "delivery_days_min": pl.Int16,
    "delivery_days_max": pl.Int16,
    "warehouse": pl.Categorical,
    "vat_included": pl.Boolean,
    "load_id": pl.Categorical,
    "sheet": pl.Categorical,
    "row": pl.Int32,
}


class IndexFormatError(Exception):
    """An index part or manifest that cannot be built or read."""


@dataclass(frozen=True)
class PartInfo:
    """What a part holds, from its `part.json`."""

    part_id: str
    suppliers: dict[str, str]  # supplier → load id
    offers: int
    identities: int
    built_s: float


def key_hash(brand: str, article: str) -> int:
    """The 64-bit hash an identity is sorted and found by."""
    return fnv1a(f"{brand}{SEP}{article}")


def article_hash(article: str) -> int:
    """The 64-bit hash of a canonical article (lookups without a brand)."""
    return fnv1a(article)


# building --------------------------------------------------------------------


def _offer_frame(offers: pl.DataFrame) -> pl.DataFrame:
    """The lake's offers as the part's columns (price in kopecks)."""
    cents = (pl.col("price").cast(pl.Decimal(18, 2)) * 100).cast(pl.Int64)
    wanted = []
    for name, dtype in OFFER_COLUMNS.items():
        if name == "price_kop":
            wanted.append(cents.alias(name))
        elif name in offers.columns:
            wanted.append(
                pl.col(name).cast(pl.String).cast(dtype)
                if dtype == pl.Categorical
                else pl.col(name).cast(dtype)
            )
        else:
            wanted.append(pl.lit(None, dtype=dtype).alias(name))
    return offers.select(wanted)  # fmt: skip


def _sorted_with_hashes(frame: pl.DataFrame) -> pl.DataFrame:
    """Offers by identity hash, then price. Two identities whose hashes collide
    may interleave: each then has several runs, and a lookup, which checks
    the strings of every identity under a hash, takes them all."""
    keys = pl.concat_str(
        pl.col("brand").cast(pl.String).fill_null(""), pl.lit(SEP), "article"
    )
    hashes = fnv1a_array(frame.select(keys.alias("k"))["k"].to_arrow())
    return frame.with_columns(key_hash=pl.Series(hashes, dtype=pl.UInt64)).sort(
        ["key_hash", "price_kop"], nulls_last=True
    )


def _identities(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per identity of a sorted offers frame."""
    runs = frame.select(
        "key_hash",
        brand=pl.col("brand").cast(pl.String).fill_null(""),
        article=pl.col("article"),
        name=pl.col("name").fill_null(""),
        supplier=pl.col("supplier_id").cast(pl.String),
        price_kop=pl.col("price_kop"),
        qty=pl.col("qty"),
        days=pl.col("delivery_days_min"),
    ).with_row_index("pos")
    run_id = pl.struct("key_hash", "brand", "article").rle_id()
    grouped = runs.with_columns(run=run_id).group_by("run", maintain_order=True)
    return grouped.agg(
        pl.col("key_hash").first(),
        pl.col("brand").first(),
        pl.col("article").first(),
        start=pl.col("pos").first().cast(pl.Int64),
        count=pl.len().cast(pl.Int32),
        name=pl.col("name").first(),
        names=pl.col("name").unique(maintain_order=True).head(NAMES_PER_IDENTITY),
        suppliers=pl.col("supplier").unique(),
        min_price_kop=pl.col("price_kop").min(),
        qty_total=pl.col("qty").sum(),
        days_min=pl.col("days").min(),
    ).drop("run")


def _stored(frame: pl.DataFrame) -> pl.DataFrame:
    """Nulls as `NONE` in number columns and as "" in coded ones (see `NONE`)."""
    return frame.with_columns(
        *(pl.col(c).fill_null(NONE) for c in ("qty", "delivery_days_min",
                                             "delivery_days_max", "row")),
        pl.col("price_kop").fill_null(NONE),
        pl.col("multiplicity").fill_null(1),
        pl.col("qty_approx").cast(pl.Int8).fill_null(0),
        pl.col("vat_included").cast(pl.Int8).fill_null(NONE),
        *(pl.col(c).cast(pl.String).fill_null("").cast(pl.Categorical)
          for c in CODED),
    )  # fmt: skip


def _write_arrow(table: pa.Table, path: Path) -> None:
    partial = path.with_name(f".{path.name}.partial")
    batch = table.combine_chunks().to_batches()
    with (
        pa.OSFile(str(partial), "wb") as sink,
        pa.ipc.new_file(sink, table.schema) as writer,
    ):
        for b in batch:
            writer.write_batch(b)
    files.fsync_file(partial)
    os.replace(partial, path)


def _text_documents(
    idents: pl.DataFrame, price_groups: dict[str, list[str]]
) -> pl.Series:
    """One JSON document per identity, encoded by polars (no Python loop)."""
    docs = idents.with_row_index("ident").select(
        "ident",
        brand="brand",
        article="article",
        name=pl.concat_str(
            pl.col("brand"), pl.lit(" "), pl.col("names").list.join(" ")
        ),
        supplier="suppliers",
        offers=pl.col("count").cast(pl.UInt64),
        min_price_kop=pl.col("min_price_kop").fill_null(0),
        qty_total=pl.col("qty_total").fill_null(0).cast(pl.Int64),
        days_min=pl.col("days_min").fill_null(-1).cast(pl.Int64),
    )
    pairs = [(s, g) for s, groups in price_groups.items() for g in groups]
    if pairs:
        table = pl.DataFrame(
            {"supplier": [s for s, _ in pairs], "price_group": [g for _, g in pairs]}
        )
        groups = (
            docs.select("ident", "supplier")
            .explode("supplier")
            .join(table, on="supplier")
            .group_by("ident")
            .agg(pl.col("price_group").unique())
        )
        docs = docs.join(groups, on="ident", how="left").with_columns(
            pl.col("price_group").fill_null(pl.lit([], dtype=pl.List(pl.String)))
        )
    docs = docs.with_columns(pl.col("ident").cast(pl.UInt64))
    return docs.select(pl.struct(pl.all()).struct.json_encode().alias("doc"))["doc"]


def _write_text(
    folder: Path, idents: pl.DataFrame, price_groups: dict[str, list[str]]
) -> None:
    index = text_index.create(folder)
    writer = index.writer(heap_size=TEXT_HEAP_BYTES, num_threads=2)
    for doc in _text_documents(idents, price_groups):
        writer.add_json(doc)
    writer.commit()
    writer.wait_merging_threads()


def build_part(
    parts_dir: Path,
    part_id: str,
    offers: pl.DataFrame,
    *,
    loads: dict[str, str],
    price_groups: dict[str, list[str]] | None = None,
) -> PartInfo:
    """Write a new part from offers in the lake's schema; atomic (rename last)."""
    started = time.perf_counter()
    final = parts_dir / part_id
    work = parts_dir / f".{part_id}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    frame = _sorted_with_hashes(_offer_frame(offers))
    idents = _identities(frame)
    # Tantivy indexes in its own threads; the columnar files are written
    # meanwhile (polars and Arrow release the GIL)
    with ThreadPoolExecutor(1, thread_name_prefix="index-text") as pool:
        text = pool.submit(_write_text, work / "text", idents, price_groups or {})
        _write_arrow(_stored(frame).to_arrow(), work / "offers.arrow")
        article_hashes = fnv1a_array(idents["article"].to_arrow())
        ident_table = idents.select(
            "key_hash", "brand", "article", "start", "count", "name"
        ).with_columns(article_hash=pl.Series(article_hashes, dtype=pl.UInt64))
        _write_arrow(ident_table.to_arrow(), work / "identities.arrow")
        order = np.argsort(article_hashes, kind="stable")
        np.save(work / "by_article.npy", order)
        np.save(work / "article_hashes.npy", article_hashes[order])
        text.result()
    info = PartInfo(
        part_id=part_id,
        suppliers=dict(loads),
        offers=frame.height,
        identities=idents.height,
        built_s=round(time.perf_counter() - started, 3),
    )
    files.write_synced(work / "part.json", json.dumps(info.__dict__))
    os.replace(work, final)
    files.fsync_dir(parts_dir)
    log.info(
        "index part %s built: %d offers, %d identities, %.2f s",
        part_id, info.offers, info.identities, info.built_s,
    )  # fmt: skip
    return info


# reading ---------------------------------------------------------------------


def _map_arrow(path: Path) -> pa.Table:
    source = pa.memory_map(str(path), "r")
    return pa.ipc.open_file(source).read_all()


def _numpy(table: pa.Table, name: str) -> np.ndarray:
    column = table.column(name)
    if column.num_chunks == 0:
        return np.empty(0, dtype=column.type.to_pandas_dtype())
    return column.chunk(0).to_numpy(zero_copy_only=False)


@dataclass
class Hits:
    """Rows of one part found for identities: positions and who asked."""

    rows: np.ndarray  # int64 positions in `offers.arrow`
    asked: np.ndarray  # int32 index of the identity each row answers


class Part:
    """An opened part: memory-mapped tables and a Tantivy searcher."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.info = PartInfo(**json.loads((folder / "part.json").read_text("utf-8")))
        self.offers = _map_arrow(folder / "offers.arrow").combine_chunks()
        idents = _map_arrow(folder / "identities.arrow").combine_chunks()
        self.idents = idents
        self._key_hash = _numpy(idents, "key_hash")
        self._start = _numpy(idents, "start")
        self._count = _numpy(idents, "count")
        self._by_article = np.load(folder / "by_article.npy", mmap_mode="r")
        self._article_sorted = np.load(folder / "article_hashes.npy", mmap_mode="r")
        self._numbers = {name: _numpy(self.offers, name) for name in NUMBERS}
        self._codes: dict[str, np.ndarray] = {}
        self._values: dict[str, list[str | None]] = {}
        for name in CODED:
            column = self.offers.column(name)
            chunk = column.chunk(0) if column.num_chunks else None
            self._codes[name] = (
                chunk.indices.to_numpy(zero_copy_only=False)
                if chunk is not None
                else np.empty(0, np.int32)
            )
            values = chunk.dictionary.to_pylist() if chunk is not None else []
            self._values[name] = [v or None for v in values]
        self.supplier_names: list[str] = [v or "" for v in self._values["supplier_id"]]
        self._supplier_code = self._codes["supplier_id"]
        self._texts = {name: self.offers.column(name) for name in TEXTS}
        self._text = text_index.open_index(folder / "text")
        self._searcher = self._text.searcher()

    def gather(self, rows: np.ndarray) -> dict[str, list[Any]]:
        """The columns of some rows as Python lists (None for unknown values)."""
        out: dict[str, list[Any]] = {}
        for name, values in self._numbers.items():
            out[name] = values[rows].tolist()
        for name, codes in self._codes.items():
            names = self._values[name]
            out[name] = [names[c] for c in codes[rows].tolist()]
        index = pa.array(rows, pa.int64())
        for name, column in self._texts.items():
            out[name] = pc.take(column, index).to_pylist()
        return out

    @property
    def part_id(self) -> str:
        return self.info.part_id

    def supplier_codes(self, rows: np.ndarray) -> np.ndarray:
        """The part-local supplier code of each row."""
        return self._supplier_code[rows]

    def find(self, hashes: np.ndarray, keys: Sequence[tuple[str, str]]) -> Hits:
        """The rows of each identity (exact: strings checked after the hash)."""
        n = len(self._key_hash)
        if n == 0 or not len(hashes):
            return Hits(np.empty(0, np.int64), np.empty(0, np.int32))
        lo = np.searchsorted(self._key_hash, hashes, "left")
        hi = np.searchsorted(self._key_hash, hashes, "right")
        candidates: list[int] = []
        asked: list[int] = []
        for i in np.nonzero(hi > lo)[0].tolist():
            candidates.extend(range(int(lo[i]), int(hi[i])))
            asked.extend([i] * int(hi[i] - lo[i]))
        if not candidates:
            return self._rows_of([], [])
        found = self.identity_keys(candidates)
        same = [
            (ident, i)
            for ident, i, key in zip(candidates, asked, found, strict=True)
            if key == tuple(keys[i])
        ]
        return self._rows_of([c for c, _ in same], [i for _, i in same])

    def _rows_of(self, idents: list[int], asked: list[int]) -> Hits:
        if not idents:
            return Hits(np.empty(0, np.int64), np.empty(0, np.int32))
        index = np.asarray(idents, dtype=np.int64)
        starts, counts = self._start[index], self._count[index].astype(np.int64)
        total = int(counts.sum())
        offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        rows = np.arange(total, dtype=np.int64) + offsets
        return Hits(rows, np.repeat(np.asarray(asked, np.int32), counts))

    def brands_of(self, article: str) -> list[tuple[str, int, str]]:
        """`(brand, row count, first name)` of every identity with this article."""
        target = np.uint64(article_hash(article))
        lo = int(np.searchsorted(self._article_sorted, target, "left"))
        hi = int(np.searchsorted(self._article_sorted, target, "right"))
        idents = self._by_article[lo:hi].tolist()
        if not idents:
            return []
        names = pc.take(self.idents.column("name"), pa.array(idents, pa.int64()))
        return [
            (brand, int(self._count[ident]), name or "")
            for ident, (brand, found), name in zip(
                idents, self.identity_keys(idents), names.to_pylist(), strict=True
            )
            if found == article
        ]

    def identity_keys(self, idents: list[int]) -> list[tuple[str, str]]:
        """`(brand, article)` of identities given by position."""
        if not idents:
            return []
        take = pa.array(idents, pa.int64())
        brands = pc.take(self.idents.column("brand"), take).to_pylist()
        articles = pc.take(self.idents.column("article"), take).to_pylist()
        return list(zip(brands, articles, strict=True))

    def text_search(self, query: tantivy.Query, limit: int) -> list[tuple[float, int]]:
        """`(score, identity position)` of the best identities for a query."""
        result = self._searcher.search(
            query, limit=limit, count=False, weight_by_field="offers"
        )
        if not result.hits:
            return []
        addresses = [address for _score, address in result.hits]
        idents = self._searcher.fast_field_values("ident", addresses)
        return [
            (float(score), int(ident))
            for (score, _), ident in zip(result.hits, idents, strict=True)
            if ident is not None
        ]

    @property
    def text(self) -> tantivy.Index:
        return self._text

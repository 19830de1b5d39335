"""Offers, loads and indexes for the search tests, built from a few rows."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from search import index_store, lake
from search.index_read import OffersIndex, Snapshot

# a row: brand, article, name, price, and optionally qty, days, currency
Offer = tuple[Any, ...]


def offers(rows: list[Offer]) -> pl.DataFrame:
    """Offers in the lake's schema from `(brand, article, name, price[, qty,
    days[, currency]])`; `article_raw` is the article."""
    full = [(*r, *(None,) * (7 - len(r))) for r in rows]
    return pl.DataFrame(
        {
            "row": list(range(2, 2 + len(full))),
            "brand": [r[0] for r in full],
            "article": [r[1] for r in full],
            "article_raw": [r[1] for r in full],
            "name": [r[2] for r in full],
            "price": pl.Series([Decimal(r[3]) for r in full], dtype=pl.Decimal(18, 2)),
            "currency": [r[6] or "RUB" for r in full],
            "qty": pl.Series(
                [5 if r[4] is None else r[4] for r in full], dtype=pl.Int32
            ),
            "delivery_days_min": pl.Series([r[5] for r in full], dtype=pl.Int16),
            "delivery_days_max": pl.Series([r[5] for r in full], dtype=pl.Int16),
            "multiplicity": pl.Series([1] * len(full), dtype=pl.Int32),
            "warehouse": ["Москва"] * len(full),
            "vat_included": [True] * len(full),
        },
        schema_overrides={"name": pl.String, "currency": pl.String},
    )


@dataclass
class Store:
    """A lake and the index built from it, with one reader."""

    lake: Path
    root: Path
    loads: dict[str, str] = field(default_factory=dict)  # supplier → live load

    def __post_init__(self) -> None:
        self.reader = OffersIndex(self.root)

    def publish(self, supplier_id: str, rows: list[Offer]) -> lake.Pointer:
        """Make `rows` the supplier's live load."""
        pointer = lake.publish(
            self.lake, supplier_id=supplier_id, load_id=lake.new_load_id(),
            offers=offers(rows), fingerprint=supplier_id, file="t.csv", keep=2,
        )  # fmt: skip
        self.loads[supplier_id] = pointer.load_id
        return pointer

    def remove(self, supplier_id: str) -> None:
        """Take a supplier out of the lake (as deleting its folder does)."""
        shutil.rmtree(self.lake / "offers" / supplier_id)
        shutil.rmtree(self.lake / "loads" / supplier_id, ignore_errors=True)

    def sync(self, **kwargs: Any) -> index_store.SyncReport:
        """Bring the index in step with the lake."""
        return index_store.sync(self.root, self.lake, **kwargs)

    def snapshot(self) -> Snapshot:
        """The live snapshot (the index must have been synced)."""
        found = self.reader.snapshot()
        assert found is not None
        return found

    def manifest(self) -> index_store.Manifest:
        """The live manifest."""
        found = index_store.read_current(self.root)
        assert found is not None
        return found


def make_store(tmp_path: Path) -> Store:
    """An empty lake and index under `tmp_path`."""
    return Store(lake=tmp_path / "lake", root=tmp_path / "index")


def found(
    snap: Snapshot,
    keys: list[tuple[str, str]],
    allowed: frozenset[str] | None = None,
) -> list[tuple[str, str, str, int]]:
    """`(supplier, brand, article, price_kop)` of every row found, sorted."""
    found_rows, _asked, _cut = snap.find(keys, allowed=allowed)
    return sorted(
        (r["supplier_id"], r["brand"], r["article"], r["price_kop"])
        for r in rows(found_rows)
    )


def rows(found_rows: Any) -> list[dict[str, Any]]:
    """What `Snapshot.find` returns as one dict per row (rows or columns)."""
    if isinstance(found_rows, dict):
        names = list(found_rows)
        count = len(found_rows[names[0]]) if names else 0
        return [{n: found_rows[n][i] for n in names} for i in range(count)]
    return list(found_rows)

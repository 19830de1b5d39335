"""The offers lake: one Parquet file per published load, a pointer per supplier.

Layout under `lake/`:

    offers/<supplier>/loads/<load_id>.parquet   every kept load (price history)
    offers/<supplier>/CURRENT                   JSON pointer to the live load
    offers/<supplier>/CONFIRMED                 when an unchanged file last
                                                confirmed the live load
    loads/<supplier>/<load_id>.json             the load report of every attempt

Publishing writes the new file, fsyncs it, then replaces the pointer with an
atomic rename: a reader sees the old load or the new one, never a mix or none.
A crash at any point leaves the previous pointer, hence the previous offers.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from crosses import lake_files as files
from crosses.lake_files import new_load_id as new_load_id

log = logging.getLogger(__name__)

OFFERS_SCHEMA: dict[str, Any] = {
    "supplier_id": pl.String,
    "load_id": pl.String,
    "row": pl.Int32,
    "sheet": pl.String,
    "brand": pl.String,
    "brand_raw": pl.String,
    "article": pl.String,
    "article_raw": pl.String,
    "article_note": pl.String,
    "name": pl.String,
    "price": pl.Decimal(18, 2),
    "currency": pl.String,
    "qty": pl.Int32,
    "qty_raw": pl.String,
    "qty_approx": pl.Boolean,
    "multiplicity": pl.Int32,
    "delivery_days_min": pl.Int16,
    "delivery_days_max": pl.Int16,
    "warehouse": pl.String,
    "vat_included": pl.Boolean,  # from the supplier profile; null: not stated
}

REQUIRED = ("row", "brand", "article", "price", "currency")
CONFIRMED = "CONFIRMED"


@dataclass(frozen=True)
class Pointer:
    """The live load of one supplier."""

    supplier_id: str
    load_id: str
    fingerprint: str
    rows: int
    published_at: str
    file: str

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)


def _offers_dir(lake: Path, supplier_id: str) -> Path:
    return lake / "offers" / supplier_id


def current(lake: Path, supplier_id: str) -> Pointer | None:
    """The live pointer of a supplier, or None if nothing was published."""
    data = files.read_pointer(_offers_dir(lake, supplier_id))
    return Pointer(**data) if data else None


def suppliers(lake: Path) -> list[str]:
    """Suppliers with at least one load attempt or published load."""
    names: set[str] = set()
    for sub in ("offers", "loads"):
        folder = lake / sub
        if folder.is_dir():
            names.update(p.name for p in folder.iterdir() if p.is_dir())
    return sorted(names)


@contextmanager
def supplier_lock(lake: Path, supplier_id: str) -> Iterator[None]:
    """Serialize publishes of one supplier across processes."""
    with files.locked(_offers_dir(lake, supplier_id)):
        yield


def publish(
    lake: Path,
    *,
    supplier_id: str,
    load_id: str,
    offers: pl.DataFrame,
    fingerprint: str,
    file: str,
    keep: int,
) -> Pointer:
    """Write a load and make it the live one atomically; prune old loads."""
    folder = _offers_dir(lake, supplier_id)
    loads = folder / "loads"
    loads.mkdir(parents=True, exist_ok=True)
    missing = set(REQUIRED) - set(offers.columns)
    if missing:
        raise ValueError(f"offers lack the required columns {sorted(missing)}")
    frame = offers.with_columns(
        supplier_id=pl.lit(supplier_id), load_id=pl.lit(load_id)
    ).select(
        [
            pl.col(c).cast(t)
            if c in offers.columns or c in ("supplier_id", "load_id")
            else pl.lit(None, dtype=t).alias(c)
            for c, t in OFFERS_SCHEMA.items()
        ]
    )
    files.write_parquet_atomic(frame, loads / f"{load_id}.parquet")
    pointer = Pointer(
        supplier_id=supplier_id,
        load_id=load_id,
        fingerprint=fingerprint,
        rows=frame.height,
        published_at=files.now_iso(),
        file=file,
    )
    files.swap_pointer(folder, pointer.__dict__)
    files.prune_loads(loads, keep, live=load_id)
    log.info(
        "published supplier=%s load=%s rows=%d", supplier_id, load_id, frame.height
    )
    return pointer


def confirm(lake: Path, supplier_id: str, *, load_id: str) -> None:
    """The live load's offers arrived again (an unchanged file): its prices
    are current as of now, though nothing is published."""
    folder = _offers_dir(lake, supplier_id)
    tmp = folder / f".{CONFIRMED}.tmp"
    data = {"load_id": load_id, "confirmed_at": files.now_iso()}
    files.write_synced(tmp, json.dumps(data))
    os.replace(tmp, folder / CONFIRMED)


def confirmed_at(lake: Path, supplier_id: str) -> str | None:
    """When an unchanged file last confirmed the live load, if one did."""
    try:
        data = json.loads((_offers_dir(lake, supplier_id) / CONFIRMED).read_text())
    except (FileNotFoundError, ValueError):
        return None
    live = current(lake, supplier_id)
    if live is None or data.get("load_id") != live.load_id:
        return None  # it confirmed a load that is not live any more
    return str(data["confirmed_at"])


def load_history(lake: Path, supplier_id: str) -> list[str]:
    """Load ids still kept for a supplier, oldest first."""
    loads = _offers_dir(lake, supplier_id) / "loads"
    return sorted(p.stem for p in loads.glob("*.parquet")) if loads.is_dir() else []


def live_files(lake: Path) -> list[Path]:
    """The Parquet file of every supplier's live load."""
    found = []
    for supplier_id in suppliers(lake):
        pointer = current(lake, supplier_id)
        if pointer is not None:
            found.append(
                _offers_dir(lake, supplier_id) / "loads" / f"{pointer.load_id}.parquet"
            )
    return found


def scan_offers(lake: Path, supplier_id: str | None = None) -> pl.LazyFrame:
    """Lazy frame of the live offers (one supplier or all)."""
    if supplier_id is not None:
        pointer = current(lake, supplier_id)
        chosen = (
            [_offers_dir(lake, supplier_id) / "loads" / f"{pointer.load_id}.parquet"]
            if pointer
            else []
        )
    else:
        chosen = live_files(lake)
    if not chosen:
        return pl.DataFrame(schema=OFFERS_SCHEMA).lazy()
    return pl.scan_parquet(chosen)


def find_offers(
    lake: Path,
    article: str,
    *,
    brand: str | None = None,
    supplier_id: str | None = None,
    limit: int = 200,
    visible: frozenset[str] | None = None,
) -> tuple[pl.DataFrame, bool]:
    """Live offers of one canonical article (and brand) of the `visible`
    suppliers (None: all), cheapest first, at most `limit`; the flag says
    whether more were cut."""
    frame = scan_offers(lake, supplier_id).filter(pl.col("article") == article)
    if brand:
        frame = frame.filter(pl.col("brand") == brand)
    if visible is not None:
        frame = frame.filter(pl.col("supplier_id").is_in(sorted(visible)))
    rows = frame.sort("price").head(limit + 1).collect()
    return rows.head(limit), rows.height > limit


def supplier_vat_included(lake: Path, supplier_id: str) -> bool | None:
    """Whether a supplier's live offers include VAT (None: unknown)."""
    if current(lake, supplier_id) is None:
        return None
    flags = scan_offers(lake, supplier_id).select("vat_included").head(1).collect()
    return flags["vat_included"][0] if flags.height else None


def write_report(
    lake: Path, supplier_id: str, load_id: str, report: dict[str, Any]
) -> Path:
    """Keep the load report of an attempt, published or not."""
    return files.write_report(lake / "loads" / supplier_id, load_id, report)


def reports(lake: Path, supplier_id: str) -> list[dict[str, Any]]:
    """Every kept load report of a supplier, oldest first."""
    return files.read_reports(lake / "loads" / supplier_id)

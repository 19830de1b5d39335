"""Brand review: unknown brands seen in price lists and crosses, and the
decisions a person makes about them.

The queue is read from what is live (every supplier's offers, every source's
crosses), so it is always current. A decision is recorded by
`crosses.brand_decisions` under the lake (`lake/brands/aliases.parquet`); it
then takes effect for what is already loaded: every supplier's live offers get
their brand column re-derived with the new table and are published again as a
new load of the same rows, with the same fingerprint, so re-sending the same
file still answers `unchanged`. New loads read the same table (`brand_table`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from crosses import brand_decisions
from crosses.brand_decisions import BrandDecision, DecisionOutcome
from crosses.brands import BrandTable, clean_brand, default_table
from parts.settings import Settings
from pipelines.search_index.sync import sync_after_publish
from search import lake

log = logging.getLogger(__name__)

REVIEW_LIMIT = 200
SPELLINGS_SHOWN = 5
UNKNOWN_IN_REPORT = 500


def aliases_path(settings: Settings) -> Path:
    """The file of accepted brand decisions under the data dir."""
    return brand_decisions.decisions_path(settings.lake_dir)


def brand_table(settings: Settings) -> BrandTable:
    """The shipped table with this data dir's accepted decisions merged over it."""
    return default_table(accepted=aliases_path(settings))


@dataclass
class ReviewItem:
    """One unknown brand: where it was seen and what it may be."""

    brand: str
    offers: int = 0
    suppliers: dict[str, int] = field(default_factory=dict)
    crosses: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    spellings: list[str] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReviewQueue:
    """Unknown brands, most seen first; `truncated` when `limit` cut the list."""

    brands: list[ReviewItem]
    total: int
    truncated: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BrandChange:
    """A decision and the suppliers whose live offers it re-branded (rows)."""

    outcome: DecisionOutcome
    rebranded: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        decision = asdict(self.outcome.decision)
        decision["at"] = self.outcome.decision.at.isoformat()
        return {
            **decision,
            "recorded": self.outcome.recorded,
            "note": self.outcome.note,
            "rebranded": self.rebranded,
        }


def review_queue(
    settings: Settings,
    *,
    crosses: pl.LazyFrame | None = None,
    limit: int = REVIEW_LIMIT,
) -> ReviewQueue:
    """Brands in live offers and crosses that the table does not know.

    `crosses` holds edges with `brand_a`, `brand_b` and `source`; by default,
    the live edges of the crosses lake.
    """
    table = brand_table(settings)
    items: dict[str, ReviewItem] = {}
    for row in _offer_sightings(settings.lake_dir, table).iter_rows(named=True):
        item = items.setdefault(row["brand"], ReviewItem(row["brand"]))
        item.offers += row["offers"]
        item.suppliers[row["supplier_id"]] = row["offers"]
        new = [s for s in row["spellings"] if s not in item.spellings]
        item.spellings = (item.spellings + new)[:SPELLINGS_SHOWN]
    edges = crosses if crosses is not None else _live_edges(settings.lake_dir)
    for row in _cross_sightings(edges, table).iter_rows(named=True):
        item = items.setdefault(row["brand"], ReviewItem(row["brand"]))
        item.crosses += row["edges"]
        item.sources[row["source"]] = row["edges"]
    ranked = sorted(items.values(), key=lambda i: (-(i.offers + i.crosses), i.brand))
    shown = ranked[:limit]
    for item in shown:
        item.suggestions = [
            {"brand": name, "score": score}
            for name, score in table.suggestions(item.brand)
        ]
    return ReviewQueue(shown, total=len(ranked), truncated=len(ranked) > limit)


def _offer_sightings(lake_dir: Path, table: BrandTable) -> pl.DataFrame:
    """Unknown brands of the live offers, per supplier, with raw spellings."""
    seen = (
        lake.scan_offers(lake_dir)
        .filter(pl.col("brand") != "")
        .group_by("brand", "supplier_id")
        .agg(
            offers=pl.len(),
            spellings=pl.col("brand_raw")
            .drop_nulls()
            .unique(maintain_order=True)
            .head(SPELLINGS_SHOWN),
        )
        .collect()
    )
    return seen.filter(~table.is_known_expr("brand").fill_null(False))


def _live_edges(lake_dir: Path) -> pl.LazyFrame:
    from crosses import store

    return store.scan_edges(lake_dir)


def _cross_sightings(edges: pl.LazyFrame, table: BrandTable) -> pl.DataFrame:
    """Unknown brands of crosses, per source, counted by edge ends."""
    ends = pl.concat(
        [
            edges.select(brand=pl.col("brand_a"), source=pl.col("source")),
            edges.select(brand=pl.col("brand_b"), source=pl.col("source")),
        ]
    )
    seen = (
        ends.with_columns(brand=table.canonical_expr("brand"))
        .filter(pl.col("brand") != "")
        .group_by("brand", "source")
        .agg(edges=pl.len())
        .collect()
    )
    return seen.filter(~table.is_known_expr("brand").fill_null(False))


def accept_alias(
    settings: Settings, alias: str, canonical: str, *, by: str
) -> BrandChange:
    """Record `alias` as a spelling of `canonical`, then re-brand live offers."""
    outcome = brand_decisions.accept_alias(
        aliases_path(settings), alias=alias, canonical=canonical, by=by
    )
    return BrandChange(outcome, recanonicalize(settings))


def accept_new(settings: Settings, brand: str, *, by: str) -> BrandChange:
    """Record an unknown brand as a brand of its own, so it leaves the queue."""
    outcome = brand_decisions.accept_new(aliases_path(settings), brand=brand, by=by)
    return BrandChange(outcome, recanonicalize(settings))


def reject_suggestion(
    settings: Settings, brand: str, suggestion: str, *, by: str
) -> BrandChange:
    """Record that `suggestion` is not `brand`; it is no longer offered."""
    outcome = brand_decisions.reject_suggestion(
        aliases_path(settings), brand=brand, suggestion=suggestion, by=by
    )
    return BrandChange(outcome, {})


def recanonicalize(
    settings: Settings, *, table: BrandTable | None = None
) -> dict[str, int]:
    """Re-derive the brand of every supplier's live offers; rows changed per
    supplier (only suppliers with changes get a new load).
    """
    table = table or brand_table(settings)
    changed: dict[str, int] = {}
    for supplier_id in lake.suppliers(settings.lake_dir):
        rows = _rebrand_supplier(settings, supplier_id, table)
        if rows:
            changed[supplier_id] = rows
    if changed:
        sync_after_publish(settings)
    return changed


def rebrand_expr(table: BrandTable) -> pl.Expr:
    """The brand of a live offer under `table`.

    The current brand is kept or mapped when the table knows it: it already
    carries the supplier profile's brand rules (strip, map), which are not
    repeated here. Otherwise `brand_raw` is looked up as written; a brand
    neither side knows stays as it is.
    """
    return (
        pl.when(table.is_known_expr("brand"))
        .then(table.canonical_expr("brand"))
        .when(table.is_known_expr("brand_raw"))
        .then(table.canonical_expr("brand_raw"))
        .otherwise(pl.col("brand"))
    )


def _rebrand_supplier(settings: Settings, supplier_id: str, table: BrandTable) -> int:
    """Publish the live load again with re-derived brands, if any changed."""
    lake_dir = settings.lake_dir
    with lake.supplier_lock(lake_dir, supplier_id):
        live = lake.current(lake_dir, supplier_id)
        if live is None:
            return 0
        offers = lake.scan_offers(lake_dir, supplier_id).collect()
        brands = offers.select(rebrand_expr(table).alias("brand")).to_series()
        rows = int((brands != offers["brand"]).sum())
        if not rows:
            return 0
        rebranded = offers.with_columns(brands)
        load_id = lake.new_load_id()
        pointer = lake.publish(
            lake_dir,
            supplier_id=supplier_id,
            load_id=load_id,
            offers=rebranded,
            fingerprint=live.fingerprint,
            file=live.file,
            keep=settings.keep_loads,
        )
        report = _rebrand_report(lake_dir, live.load_id, rebranded, table)
        report.update(
            load_id=load_id, published_at=pointer.published_at, status="published"
        )
        report.update(rebranded_from=live.load_id, rebranded_rows=rows)
        lake.write_report(lake_dir, supplier_id, load_id, report)
    log.info("rebranded supplier=%s load=%s rows=%d", supplier_id, load_id, rows)
    return rows


def _rebrand_report(
    lake_dir: Path, live_load_id: str, offers: pl.DataFrame, table: BrandTable
) -> dict[str, Any]:
    """The live load's report, with identities and unknown brands recounted."""
    supplier_id = offers["supplier_id"][0]
    previous = [
        r
        for r in lake.reports(lake_dir, supplier_id)
        if r.get("load_id") == live_load_id
    ]
    report = dict(previous[-1]) if previous else {"supplier_id": supplier_id}
    unknown = (
        offers.filter((pl.col("brand") != "") & ~table.is_known_expr("brand"))["brand"]
        .unique()
        .sort()
        .head(UNKNOWN_IN_REPORT)
    )
    report["unknown_brands"] = {b: table.suggest(b) for b in unknown}
    report["identities"] = offers.select("brand", "article").n_unique()
    return report


def brand_info(settings: Settings, brand: str) -> dict[str, Any]:
    """What the table says about a brand: canonical, aliases, families, decisions."""
    table = brand_table(settings)
    cleaned = clean_brand(brand)
    canonical = table.canonical(cleaned)
    known = table.is_known(cleaned)
    live = lake.scan_offers(settings.lake_dir).filter(pl.col("brand") == canonical)
    per_supplier = live.group_by("supplier_id").agg(pl.len()).collect()
    return {
        "brand": cleaned,
        "known": known,
        "canonical": canonical if known else None,
        "aliases": table.aliases_of(canonical) if known else [],
        "families": {
            name: sorted(table.families[name]) for name in table.families_of(canonical)
        },
        "relatives": sorted(table.relatives(canonical)),
        "offers": int(per_supplier["len"].sum()) if per_supplier.height else 0,
        "suppliers": dict(per_supplier.sort("supplier_id").iter_rows()),
        "decisions": [
            _decision_dict(d)
            for d in brand_decisions.read_decisions(aliases_path(settings))
            if canonical in (d.alias, d.canonical)
        ],
        "suggestions": [] if known else table.suggest(cleaned),
    }


def _decision_dict(decision: BrandDecision) -> dict[str, Any]:
    data = asdict(decision)
    data["at"] = decision.at.isoformat()
    return data

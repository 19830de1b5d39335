"""`GET /api/offers`: the live offers of one identity."""

from __future__ import annotations

from typing import Any

import polars as pl
from fastapi import APIRouter, Query

from crosses.articles import normalize_article
from search import lake
from service.deps import BrandsDep, SettingsDep

router = APIRouter(tags=["offers"])
MAX_OFFERS = 1000


@router.get("/offers")
def list_offers(
    settings: SettingsDep,
    brands: BrandsDep,
    article: str = Query(min_length=1, max_length=100),
    brand: str | None = Query(None, max_length=100),
    supplier: str | None = Query(None, max_length=64),
    limit: int = Query(200, ge=1, le=MAX_OFFERS),
) -> dict[str, Any]:
    """Offers of an article (any spelling), cheapest first, capped at `limit`."""
    canonical, _note = normalize_article(article)
    if not canonical:
        raise ValueError(f"`{article}` holds no article characters")
    frame = lake.scan_offers(settings.lake_dir, supplier).filter(
        pl.col("article") == canonical
    )
    if brand:
        frame = frame.filter(pl.col("brand") == brands.canonical(brand))
    rows = frame.sort("price").head(limit + 1).collect()
    items = [{**r, "price": f"{r['price']:.2f}"} for r in rows.head(limit).to_dicts()]
    return {"article": canonical, "offers": items, "truncated": rows.height > limit}

"""`GET /api/offers`: the live offers of one identity."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from crosses.articles import normalize_article
from pricing.engine import price_offers
from search import lake
from service.deps import BrandsDep, SessionDep, SettingsDep, VisibleSuppliersDep
from service.pricing_rules.logic import current_rates, load_rule_set

router = APIRouter(tags=["offers"])
MAX_OFFERS = 1000


@router.get("/offers")
def list_offers(
    settings: SettingsDep,
    brands: BrandsDep,
    session: SessionDep,
    visible: VisibleSuppliersDep,
    article: str = Query(min_length=1, max_length=100),
    brand: str | None = Query(None, max_length=100),
    supplier: str | None = Query(None, max_length=64),
    limit: int = Query(200, ge=1, le=MAX_OFFERS),
    client_group: str | None = Query(None, max_length=64),
) -> dict[str, Any]:
    """Offers of an article (any spelling) from the price lists the user's
    department sees, cheapest first, capped at `limit`; with `client_group`,
    each priced for it by the stored rules, explained."""
    canonical, _note = normalize_article(article)
    if not canonical:
        raise ValueError(f"`{article}` holds no article characters")
    shown, cut = lake.find_offers(
        settings.lake_dir, canonical, supplier_id=supplier, limit=limit,
        brand=brands.canonical(brand) if brand else None, visible=visible,
    )  # fmt: skip
    if client_group is not None and shown.height:
        rules = load_rule_set(session)
        if rules.rules:
            shown = price_offers(
                shown, rules, current_rates(session), client_group=client_group
            ).sort("sell_price", nulls_last=True)
    items = [_jsonable(r) for r in shown.to_dicts()]
    return {"article": canonical, "offers": items, "truncated": cut}


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """Money as strings with two decimals; the rest as it is."""
    out = {}
    for key, value in row.items():
        if key in ("price", "sell_price", "purchase_rub") and value is not None:
            value = f"{value:.2f}"
        out[key] = value
    return out

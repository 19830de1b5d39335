"""`GET /api/price`: what a client pays for an offer, and why."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query

from pricing.engine import explain_price
from pricing.rules import VatRules
from search import lake
from service.deps import BrandsDep, SessionDep, SettingsDep
from service.pricing_rules.logic import current_rates, load_rule_set

router = APIRouter(tags=["pricing"])
PURCHASE = Query(gt=0, max_digits=16, decimal_places=2, alias="price")


@router.get("/price")
def price(
    settings: SettingsDep,
    session: SessionDep,
    brands: BrandsDep,
    supplier: str = Query(max_length=64),
    brand: str = Query(max_length=100),
    purchase: Decimal = PURCHASE,
    currency: str = Query("RUB", pattern=r"^[A-Z]{3}$"),
    client_group: str | None = Query(None, max_length=64),
    delivery_days: int | None = Query(None, ge=0, le=365),
    analog: bool | None = None,
    vat_included: bool | None = None,
) -> dict[str, Any]:
    """The `parts price --json` answer, with the stored rules and rates.

    Whether the purchase price includes VAT comes from `vat_included`, else from
    the supplier's live offers (its profile at ingest), else it is assumed.
    """
    rules = load_rule_set(session)
    if not rules.rules:
        raise LookupError("no pricing rules stored yet: `parts db seed-rules FILE`")
    if vat_included is None:
        vat_included = lake.supplier_vat_included(settings.lake_dir, supplier)
    vat = VatRules(included={} if vat_included is None else {supplier: vat_included})
    return explain_price(
        supplier=supplier, brand=brands.canonical(brand), price=purchase,
        currency=currency, rules=rules, rates=current_rates(session),
        client_group=client_group, delivery_days=delivery_days, is_analog=analog,
        vat_rules=vat,
    )  # fmt: skip

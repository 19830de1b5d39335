"""The shapes of a quote answer, for the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class BrandChoiceOut(BaseModel):
    """A brand the article exists under."""

    brand: str
    name: str
    offers: int = Field(description="Offers visible to the caller under this brand.")


class HopOut(BaseModel):
    """One cross followed from the requested part."""

    model_config = {"populate_by_name": True}

    from_: dict[str, Any] = Field(alias="from")
    to: dict[str, Any]
    kind: str
    source: str
    verified: bool | None = None


class QuoteLineOut(BaseModel):
    """One offer, priced for the client."""

    brand: str
    article: str
    article_raw: str | None
    name: str | None
    supplier_id: str
    supplier_name: str
    source: Literal["pricelist", "online"]
    warehouse: str | None
    qty: int | None = Field(description="Stock, a lower bound; null: unknown.")
    qty_approx: bool
    multiplicity: int
    delivery_days_min: int | None
    delivery_days_max: int | None
    delivery_probability: float | None = Field(description="Percent.")
    purchase_price: str | None = Field(description="In `currency`, two decimals.")
    currency: str
    price: str | None = Field(description="Sell price for the client, RUB.")
    price_reason: str | None = Field(description="Why there is no price, if none.")
    rule: str | None = Field(description="The pricing rule that made the price.")
    match: Literal["exact", "verified_analog", "analog"]
    analog_kind: str | None
    via: list[HopOut] = Field(description="The crosses from the requested part.")
    confirmed: bool | None = Field(description="Backed by the catalogue.")
    priority_brand: bool
    explanation: dict[str, Any] | None = Field(description="How the price was made.")
    load_id: str | None
    row: int | None
    price_group: str | None = Field(description="The price group pricing used.")
    vat_included: bool | None = Field(description="The purchase price includes VAT.")
    cached: bool | None = Field(None, description="An online reply from the cache.")


class SupplierFailedOut(BaseModel):
    """An online supplier that gave no offers in time."""

    supplier_id: str
    status: str
    reason: str | None
    elapsed_ms: float | None = None


class QuoteAnswerOut(BaseModel):
    """Brand choices, or priced and ranked lines."""

    query: dict[str, Any]
    found_by: Literal["article", "name", "vin"] = Field(
        description="What the search looked for: `article` (its `exact` lines "
        "are that article), `name` (lines whose names hold the words: `exact` "
        "means found by name, not the article asked), `vin` (the VIN's "
        "catalogue parts of the generic article)."
    )
    brands: list[BrandChoiceOut] | None = Field(
        description="Set when the article exists under several brands: choose one."
    )
    lines: list[QuoteLineOut]
    identities: int
    suppliers_failed: list[SupplierFailedOut]
    truncated: bool
    truncated_reasons: list[str]
    timings_ms: dict[str, float]
    generation: str | None
    notes: list[str]

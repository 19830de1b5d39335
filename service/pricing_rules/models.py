"""Shapes the pricing-rules API takes and gives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field


class RateIn(BaseModel):
    """One exchange rate to store: RUB per unit of `currency` from `date` on."""

    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")
    rate: Decimal = Field(gt=0, max_digits=18, decimal_places=6)
    date: dt.date


class SaveSummary(BaseModel):
    """What a save changed, by table and action."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

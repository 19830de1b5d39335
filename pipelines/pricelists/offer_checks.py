"""Checks on a supplier's live offers: prices, currencies, freshness.

Plain functions over the lake; the Dagster asset checks only call them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.pricelists.ingest import KNOWN_CURRENCIES
from search.lake import Pointer

_EXAMPLES = 5


@dataclass(frozen=True)
class CheckOutcome:
    """Whether a check passed, why, and figures for the person who looks."""

    passed: bool
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)


def prices_positive(offers: pl.LazyFrame) -> CheckOutcome:
    """Every live offer has a price above zero."""
    frame = offers.select("brand", "article", "row", "price").collect()
    bad = frame.filter(pl.col("price").is_null() | (pl.col("price") <= 0))
    examples = [{**r, "price": str(r["price"])} for r in bad.head(_EXAMPLES).to_dicts()]
    return CheckOutcome(
        passed=bad.is_empty(),
        description=f"{bad.height} of {frame.height} offers have a price <= 0",
        metadata={
            "offers": frame.height,
            "bad_prices": bad.height,
            "examples": examples,
        },
    )


def currencies_known(offers: pl.LazyFrame) -> CheckOutcome:
    """Every live offer is priced in a known ISO 4217 currency."""
    counts = offers.group_by("currency").len().collect()
    per_currency = {str(c): n for c, n in counts.iter_rows()}
    unknown = {c: n for c, n in per_currency.items() if c not in KNOWN_CURRENCIES}
    return CheckOutcome(
        passed=not unknown,
        description=(
            f"unknown currencies: {', '.join(sorted(unknown))}"
            if unknown
            else "all currencies known"
        ),
        metadata={"currencies": per_currency, "unknown": unknown},
    )


def live_load_fresh(
    pointer: Pointer | None,
    *,
    max_age_h: float,
    now: dt.datetime,
    confirmed_at: dt.datetime | None = None,
) -> CheckOutcome:
    """The live load was published, or confirmed by an identical file, recently.

    `confirmed_at` is the last time the same offers arrived again: an
    unchanged file keeps the old load live, but the prices are still current.
    """
    if pointer is None:
        return CheckOutcome(False, "no live load", {"max_age_h": max_age_h})
    published = dt.datetime.fromisoformat(pointer.published_at)
    seen = max(published, confirmed_at) if confirmed_at else published
    age_h = (now - seen).total_seconds() / 3600
    return CheckOutcome(
        passed=age_h <= max_age_h,
        description=f"live load is {age_h:.1f} h old (limit {max_age_h:g} h)",
        metadata={
            "age_h": round(age_h, 2),
            "max_age_h": max_age_h,
            "load_id": pointer.load_id,
            "published_at": pointer.published_at,
            "confirmed_at": confirmed_at.isoformat() if confirmed_at else None,
        },
    )

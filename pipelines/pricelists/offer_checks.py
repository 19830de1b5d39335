"""Checks on a supplier's live offers: prices, currencies, freshness.

Plain functions over the lake; the Dagster asset checks only call them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.pricelists.ingest import KNOWN_CURRENCIES
from search.freshness import Freshness

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


def offers_fresh(found: Freshness) -> CheckOutcome:
    """The live list is not overdue, by the one rule (`search.freshness`):
    published or confirmed by the same offers within the expected period."""
    limit = found.expected_every_hours
    metadata = {
        "age_h": found.age_h,
        "max_age_h": limit,
        "confirmed_at": found.confirmed_at,
    }
    if found.age_h is None:
        return CheckOutcome(False, f"no live load (expected every {limit} h)", metadata)
    return CheckOutcome(
        passed=not found.stale,
        description=f"live load is {found.age_h:.1f} h old (limit {limit} h)",
        metadata=metadata,
    )

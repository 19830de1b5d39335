"""Bonus-point rules as pure functions; the ledger lives in the operational system.

One point is worth one rouble when paid with.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal

from pydantic import BaseModel, ConfigDict


class BonusProgramme(BaseModel):
    """Accrual by level and category, payment shares, activation and lifetime."""

    model_config = ConfigDict(frozen=True)

    accrual_percent: dict[str, dict[str, Decimal]]  # level → category → percent
    payable_share: Decimal = Decimal("0.3")  # of the whole payment
    payable_share_by_category: dict[str, Decimal] = {}  # default: `payable_share`
    activation_days: int = 14
    lifetime_days: int = 365


def accrual_points(
    amount_rub: Decimal, *, level: str, category: str, programme: BonusProgramme
) -> int:
    """Whole points accrued for a paid amount (0 for an unknown level or category)."""
    percent = programme.accrual_percent.get(level, {}).get(category, Decimal(0))
    return int((amount_rub * percent / 100).to_integral_value(ROUND_FLOOR))


def payable_with_points(
    lines: list[tuple[str, Decimal]], *, balance: int, programme: BonusProgramme
) -> int:
    """Most points a payment of (category, amount) lines may use.

    Limited by each category's share, by the overall share and by the balance.
    """
    by_category = sum(
        (
            amount
            * programme.payable_share_by_category.get(category, programme.payable_share)
            for category, amount in lines
        ),
        Decimal(0),
    )
    overall = sum((amount for _, amount in lines), Decimal(0)) * programme.payable_share
    limit = min(by_category, overall).to_integral_value(ROUND_FLOOR)
    return max(0, min(int(limit), balance))


def activates_on(accrued_on: dt.date, programme: BonusProgramme) -> dt.date:
    """The first day accrued points may be spent."""
    return accrued_on + dt.timedelta(days=programme.activation_days)


def expires_on(accrued_on: dt.date, programme: BonusProgramme) -> dt.date:
    """The first day accrued points may no longer be spent."""
    return activates_on(accrued_on, programme) + dt.timedelta(
        days=programme.lifetime_days
    )


def is_spendable(
    accrued_on: dt.date, today: dt.date, programme: BonusProgramme
) -> bool:
    """Whether points accrued on `accrued_on` may be spent `today`."""
    return (
        activates_on(accrued_on, programme) <= today < expires_on(accrued_on, programme)
    )

"""Labour prices from norm hours and the bonus-point rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from pricing.bonus import (
    BonusProgramme,
    accrual_points,
    activates_on,
    expires_on,
    is_spendable,
    payable_with_points,
)
from pricing.labour import NormHourRate, labour_price
from pricing.rules import Discount

RATES = [
    NormHourRate(id="base", rate_rub=D(2500), min_price_rub=D(500)),
    NormHourRate(id="north", workshop="north", rate_rub=D(2200)),
    NormHourRate(
        id="diag", workshop="north", work_kind="diagnostics", rate_rub=D(3000)
    ),
    NormHourRate(id="premium", vehicle_class="premium", rate_rub=D(4000)),
    NormHourRate(id="g-class", vehicle_model="MERCEDES-BENZ G", rate_rub=D(5000)),
]


def test_labour_rate_most_specific_wins() -> None:
    cases = [
        ("south", "repair", None, None, "base", "3750.00"),
        ("north", "repair", None, None, "north", "3300.00"),
        ("north", "diagnostics", None, None, "diag", "4500.00"),
        ("north", "diagnostics", "premium", None, "premium", "6000.00"),
        ("north", "repair", "premium", "MERCEDES-BENZ G", "g-class", "7500.00"),
    ]
    for workshop, kind, vehicle_class, model, rate_id, price in cases:
        got = labour_price(
            D("1.5"), RATES, workshop=workshop, work_kind=kind,
            vehicle_class=vehicle_class, vehicle_model=model,
        )  # fmt: skip
        assert got is not None
        assert (got.rate_id, got.price_rub) == (rate_id, D(price))


def test_labour_discount_and_floor() -> None:
    got = labour_price(
        D(1), RATES, workshop="x", work_kind="y", discount=Discount(percent=D(10))
    )
    assert got is not None and got.price_rub == D("2250.00")
    got = labour_price(
        D(1), RATES, workshop="x", work_kind="y", discount=Discount(fixed=D(3000))
    )
    assert got is not None and got.price_rub == D(500)
    assert labour_price(D(1), [], workshop="x", work_kind="y") is None


PROGRAMME = BonusProgramme(
    accrual_percent={"silver": {"parts": D(3), "work": D(5)}, "gold": {"parts": D(5)}},
    payable_share=D("0.3"),
    payable_share_by_category={"oils": D("0.1")},
    activation_days=14,
    lifetime_days=365,
)


def test_accrual_by_level_and_category() -> None:
    assert (
        accrual_points(
            D("999.99"), level="silver", category="parts", programme=PROGRAMME
        )
        == 29
    )
    assert (
        accrual_points(D(1000), level="gold", category="parts", programme=PROGRAMME)
        == 50
    )
    assert (
        accrual_points(D(1000), level="gold", category="work", programme=PROGRAMME) == 0
    )
    assert (
        accrual_points(D(1000), level="none", category="parts", programme=PROGRAMME)
        == 0
    )


def test_payable_share_overall_per_category_and_balance() -> None:
    lines = [("parts", D(1000)), ("oils", D(1000))]
    assert payable_with_points(lines, balance=10_000, programme=PROGRAMME) == 400
    assert payable_with_points(lines, balance=150, programme=PROGRAMME) == 150
    assert (
        payable_with_points([("parts", D(1000))], balance=10_000, programme=PROGRAMME)
        == 300
    )


def test_activation_and_lifetime() -> None:
    day = dt.date(2026, 1, 1)
    assert activates_on(day, PROGRAMME) == dt.date(2026, 1, 15)
    assert expires_on(day, PROGRAMME) == dt.date(2027, 1, 15)
    assert not is_spendable(day, dt.date(2026, 1, 14), PROGRAMME)
    assert is_spendable(day, dt.date(2026, 1, 15), PROGRAMME)
    assert not is_spendable(day, dt.date(2027, 1, 15), PROGRAMME)

"""The same pricing as `pricing.engine`, one offer at a time in `Decimal`.

Kept as the oracle of the tests and the baseline of `parts bench pricing`:
plain, obviously right, slow.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pricing.rules import KOPECK, Discount, Rates, Rule, RuleSet, VatRules, round_price


def first_rule(
    ordered: list[Rule], offer: dict[str, Any], **context: Any
) -> Rule | None:
    """The first rule of `ordered` (most specific first) that matches one offer."""
    days = offer.get("delivery_days_max")
    if days is None:
        days = offer.get("delivery_days_min")
    for rule in ordered:
        if rule.matches(
            supplier=offer["supplier_id"],
            brand=offer["brand"],
            price_group=offer.get("price_group"),
            is_analog=offer.get("is_analog"),
            delivery_days=days,
            **context,
        ):
            return rule
    return None


def price_one(
    offer: dict[str, Any],
    ordered: list[Rule],
    rates: Rates,
    *,
    client_group: str | None,
    department: str | None,
    vat: VatRules,
    discount: Discount,
) -> tuple[Decimal | None, Decimal | None, str | None]:
    """Purchase price in RUB, sell price and rule id of one offer."""
    entry = rates.get(offer["currency"])
    if entry is None or offer["price"] is None:
        return None, None, None
    purchase = (offer["price"] * entry.rate).quantize(KOPECK, ROUND_HALF_UP)
    if not vat.includes_vat(offer["supplier_id"]):
        purchase = (purchase * (1 + vat.rate_percent / 100)).quantize(
            KOPECK, ROUND_HALF_UP
        )
    rule = first_rule(
        ordered, offer, client_group=client_group, department=department,
        purchase_rub=purchase,
    )  # fmt: skip
    if rule is None:
        return purchase, None, None
    markup = (purchase * rule.percent / 100).quantize(
        KOPECK, ROUND_HALF_UP
    ) + rule.fixed
    floor = purchase + rule.min_margin
    rounded = round_price(
        purchase + max(markup, rule.min_margin), rule.rounding_step, rule.rounding_mode
    )
    retail = max(rounded, floor)
    return purchase, discount.apply(retail, floor_rub=floor), rule.id


def price_rows(
    rows: list[dict[str, Any]],
    rules: RuleSet,
    rates: Rates,
    *,
    client_group: str | None = None,
    department: str | None = None,
    vat_rules: VatRules | None = None,
    discount: Discount | None = None,
) -> list[tuple[Decimal | None, Decimal | None, str | None]]:
    """Price each row with a plain loop over the rules."""
    ordered = rules.ordered()
    group = rules.client_group(client_group)
    discount = discount or (group.discount if group else Discount())
    vat = vat_rules or VatRules()
    return [
        price_one(
            row,
            ordered,
            rates,
            client_group=client_group,
            department=department,
            vat=vat,
            discount=discount,
        )
        for row in rows
    ]

"""Pricing cases as a table: offer and client group → sell price and rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import polars as pl
import pytest

from pricing.engine import MONEY, price_offers
from pricing.reference import price_rows
from pricing.rules import (
    ClientGroup,
    Discount,
    RateEntry,
    Rates,
    Rule,
    RuleSet,
    VatRules,
)

RULES = RuleSet(
    rules=[
        Rule(id="base-low", price_max=D(1000), percent=D(50), min_margin=D(100),
             rounding_step=D(10), rounding_mode="up"),
        Rule(id="base-high", price_min=D(1000), percent=D(20)),
        Rule(id="supplier", supplier="s1", percent=D(10), fixed=D(5)),
        Rule(id="nearest", brand="NEAR", percent=D(10), rounding_step=D(100),
             rounding_mode="nearest"),
        Rule(id="ending90", brand="END", percent=D(10), rounding_step=D(100),
             rounding_mode="ending90"),
        Rule(id="oils", price_group="oils", percent=D(5)),
        Rule(id="wholesale", client_group="wholesale", percent=D(8)),
        Rule(id="south", department="south", percent=D(12)),
        Rule(id="analogs", analog=True, percent=D(70)),
        Rule(id="slow", supplier="s2", days_min=10, percent=D(3)),
    ],
    client_groups=[
        ClientGroup(id="retail"),
        ClientGroup(id="wholesale", discount=Discount(percent=D(10))),
        ClientGroup(id="service", discount=Discount(fixed=D(1000))),
    ],
)  # fmt: skip
RATES = Rates(rates={"EUR": RateEntry(rate=D(100), date=dt.date(2026, 12, 1))})
VAT = VatRules(included={"novat": False})

# supplier, brand, price, currency, client group, extra → sell price, rule
CASES: list[tuple[str, str, str, str, str, dict[str, Any], str | None, str | None]] = [
    ("x", "A", "100", "RUB", "retail", {}, "200.00", "base-low"),  # min margin
    ("x", "A", "999.99", "RUB", "retail", {}, "1500.00", "base-low"),  # below border, up
    ("x", "A", "1000", "RUB", "retail", {}, "1200.00", "base-high"),  # border belongs above
    ("s1", "A", "100", "RUB", "retail", {}, "115.00", "supplier"),  # percent + fixed
    ("x", "NEAR", "1234", "RUB", "retail", {}, "1400.00", "nearest"),  # 1357.40 up
    ("x", "NEAR", "1200", "RUB", "retail", {}, "1300.00", "nearest"),  # 1320 down
    ("x", "END", "1000", "RUB", "retail", {}, "1190.00", "ending90"),
    ("x", "END", "1081.82", "RUB", "retail", {}, "1190.00", "ending90"),  # 1190.00 exact
    ("x", "A", "10", "EUR", "retail", {}, "1200.00", "base-high"),  # converted first
    ("x", "A", "10", "KZT", "retail", {}, None, None),  # missing rate: no price
    ("x", "A", "100", "RUB", "wholesale", {}, "100.00", "wholesale"),  # discount floor
    ("x", "A", "1000", "RUB", "service", {}, "1000.00", "base-high"),  # fixed off, floor
    ("x", "A", "2000", "RUB", "wholesale", {}, "2000.00", "wholesale"),  # 2160 − 10 % < floor
    ("novat", "A", "1000", "RUB", "retail", {}, "1464.00", "base-high"),  # VAT added
    ("x", "A", "100", "RUB", "retail", {"is_analog": True}, "170.00", "analogs"),
    ("x", "A", "100", "RUB", "retail", {"is_analog": False}, "200.00", "base-low"),
    ("s2", "A", "100", "RUB", "retail", {"days": 10}, "103.00", "slow"),  # border in
    ("s2", "A", "100", "RUB", "retail", {"days": 9}, "200.00", "base-low"),
    ("s2", "A", "100", "RUB", "retail", {}, "200.00", "base-low"),  # days unknown
    ("x", "A", "100", "RUB", "retail", {"price_group": "oils"}, "105.00", "oils"),
    ("x", "A", "100", "RUB", "retail", {"department": "south"}, "112.00", "south"),
    ("s1", "NEAR", "1234", "RUB", "retail", {}, "1362.40", "supplier"),  # supplier > brand
]  # fmt: skip


def _frame(cases: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "supplier_id": [c[0] for c in cases],
            "brand": [c[1] for c in cases],
            "price": pl.Series([D(c[2]) for c in cases], dtype=MONEY),
            "currency": [c[3] for c in cases],
            "delivery_days_min": pl.Series(
                [c[5].get("days") for c in cases], dtype=pl.Int16
            ),
            "delivery_days_max": pl.Series(
                [c[5].get("days") for c in cases], dtype=pl.Int16
            ),
            "price_group": pl.Series(
                [c[5].get("price_group") for c in cases], dtype=pl.String
            ),
            "is_analog": pl.Series(
                [c[5].get("is_analog") for c in cases], dtype=pl.Boolean
            ),
        }
    )


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c[7]}-{c[2]}{c[3]}-{c[4]}" for c in CASES]
)
def test_pricing_table(case: tuple[Any, ...]) -> None:
    *_, group, extra, sell, rule_id = case
    out = price_offers(
        _frame([case]), RULES, RATES, client_group=group,
        department=extra.get("department"), vat_rules=VAT,
    )  # fmt: skip
    row = out.row(0, named=True)
    assert (row["sell_price"], row["rule_id"]) == (
        None if sell is None else D(sell),
        rule_id,
    )


def test_engine_and_loop_agree_on_the_whole_table() -> None:
    for group in ("retail", "wholesale", "service", None):
        frame = _frame(CASES)
        out = price_offers(frame, RULES, RATES, client_group=group, vat_rules=VAT)
        loop = price_rows(
            frame.to_dicts(), RULES, RATES, client_group=group, vat_rules=VAT
        )
        assert (
            list(
                zip(out["purchase_rub"], out["sell_price"], out["rule_id"], strict=True)
            )
            == loop
        )


def test_missing_rate_gives_a_reason_and_no_price() -> None:
    out = price_offers(_frame([CASES[9]]), RULES, RATES, client_group="retail")
    row = out.row(0, named=True)
    assert (row["sell_price"], row["purchase_rub"], row["price_reason"]) == (
        None,
        None,
        "missing rate",
    )
    assert row["explanation"]["reason"] == "missing rate"


def test_no_matching_rule_gives_no_price() -> None:
    rules = RuleSet(rules=[Rule(id="only-s1", supplier="s1", percent=D(10))])
    out = price_offers(_frame([CASES[0]]), rules, RATES)
    assert out.select("sell_price", "rule_id", "price_reason").row(0) == (
        None,
        None,
        "no rule",
    )


def test_explanation_carries_rate_rule_rounding_and_discount() -> None:
    case = ("x", "A", "20", "EUR", "wholesale", {}, None, None)
    out = price_offers(_frame([case]), RULES, RATES, client_group="wholesale")
    e = out.row(0, named=True)["explanation"]
    assert e == {
        "price": D("20.00"), "currency": "EUR", "rate": D("100.000000"),
        "rate_date": dt.date(2026, 12, 1), "vat_added": False,
        "purchase_rub": D("2000.00"), "rule_id": "wholesale", "percent": D("8.0000"),
        "fixed": D("0.00"), "min_margin": D("0.00"), "rounding_step": None,
        "rounding_mode": None, "markup_rub": D("160.00"), "retail_rub": D("2160.00"),
        "client_group": "wholesale", "discount_percent": D("10.0000"),
        "discount_fixed": D("0.00"), "floor_rub": D("2000.00"), "reason": None,
    }  # fmt: skip


def test_personal_discount_replaces_the_group_discount() -> None:
    out = price_offers(
        _frame([CASES[12]]), RULES, RATES, client_group="wholesale",
        discount=Discount(percent=D(5)),
    )  # fmt: skip
    assert out["sell_price"][0] == D("2052.00")


def test_compiled_rules_follow_a_changed_rule_set() -> None:
    rules = RuleSet(rules=[Rule(id="a", percent=D(10))])
    frame = _frame([CASES[0]])
    assert price_offers(frame, rules, RATES)["rule_id"][0] == "a"
    rules.rules.append(Rule(id="b", brand="A", percent=D(20)))
    assert price_offers(frame, rules, RATES)["rule_id"][0] == "b"

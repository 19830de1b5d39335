"""Value quirks (Q09-Q14, Q42): money and stock parsers as polars expressions."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from search.offer_values import (
    cents_to_decimal_expr,
    is_ambiguous_money_expr,
    money_cents_expr,
    parse_money,
    price_evidence,
    qty_expr,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10,20", "10.20"),  # Q09
        ("1,2", "1.20"),
        ("1.299,99", "1299.99"),  # Q10 EU
        ("100,000.00", "100000.00"),  # Q10 US
        ("12,345,678", "12345678.00"),
        ("265,64", "265.64"),  # Q11
        ("80000000,00", "80000000.00"),  # Q12: not a date
        ("1\u00a0299,50", "1299.50"),  # Q13 NBSP
        ("1\u202f299,50", "1299.50"),  # Q13 narrow NBSP
        ("1299,99 руб.", "1299.99"),
        ("1 299 ₽", "1299.00"),
        ("3 445,00р.", "3445.00"),
        ("$12.50", "12.50"),
        ("1'299.50", "1299.50"),
        ("1,005", None),  # bare thousands: ambiguous without a locale
        ("1,234", None),
        ("12.5.3", None),  # not money
        ("1.29,99", None),
        ("1 2", None),
        ("1,2,3", None),
        ("цена по запросу", None),
        ("", None),
    ],
)
def test_q09_q13_money_text_parses_or_stays_null(text: str, value: str | None) -> None:
    got = parse_money(text)
    assert (str(got) if got is not None else None) == value


def test_q10_a_bare_thousands_value_is_settled_only_by_a_locale() -> None:
    assert parse_money("1,234") is None
    assert parse_money("1,234", ".") == Decimal("1234.00")
    assert parse_money("1,234", ",") == Decimal("1.23")
    frame = pl.DataFrame({"p": ["1,234", "1.234", "1 234", "12,50"]})
    assert frame.select(is_ambiguous_money_expr("p"))["p"].to_list() == [
        True,
        True,
        False,
        False,
    ]
    # a whole column proves its separator, or proves nothing
    assert price_evidence(pl.Series(["1,234", "12,50"])) == ","
    assert price_evidence(pl.Series(["1,234", "12.5"])) == "."
    assert price_evidence(pl.Series(["1,234", "5,000"])) is None


def test_q11_cents_become_exact_decimals() -> None:
    frame = pl.DataFrame({"p": ["265,64", "0,1", "99999999999999,99", "-1,5"]})
    out = frame.select(cents_to_decimal_expr(money_cents_expr("p", ",")).alias("p"))[
        "p"
    ]
    assert out.dtype == pl.Decimal(18, 2)
    assert out.to_list() == [
        Decimal("265.64"),
        Decimal("0.10"),
        Decimal("99999999999999.99"),
        Decimal("-1.50"),
    ]


def test_q14_web_service_money_strings_use_the_price_list_parser() -> None:
    answers = ["2 040,74", "2\u00a0040,74", "2040.74", "1 299 ₽", "12.5.3"]
    column = pl.DataFrame({"p": answers}).select(money_cents_expr("p", None))["p"]
    scalar = [parse_money(a) for a in answers]
    assert scalar[0] == Decimal("2040.74")
    assert [None if c is None else Decimal(c) / 100 for c in column] == scalar


STOCK = [
    # text, qty (lower bound), approximate, status
    (">10", 10, True, "approx"),
    ("<13", 1, True, "approx"),
    ("10-50", 10, True, "approx"),
    ("БОЛЕЕ50", 50, True, "approx"),
    ("больше 30", 30, True, "approx"),
    ("50+", 50, True, "approx"),
    ("+++", 1, True, "approx"),
    ("есть", 1, True, "approx"),
    ("ЕСТЬ", 1, True, "approx"),  # never 0 by stripping letters
    ("в наличии", 1, True, "approx"),
    ("нет", 0, False, "zero"),
    ("под заказ", None, False, "to_order"),
    ("очікуємо", None, False, "to_order"),
    (">10 шт.", 10, True, "approx"),
    ("12 шт.", 12, False, "exact"),
    ("0", 0, False, "zero"),
    ("1 000", 1000, False, "exact"),
    (">0", 1, True, "approx"),
    ("", None, False, "unknown"),
    (None, None, False, "unknown"),
    ("???", None, False, "unparsed"),
]


def test_q42_stock_spellings_give_a_lower_bound_zero_or_unknown() -> None:
    frame = pl.DataFrame({"q": [s[0] for s in STOCK]}, schema={"q": pl.String})
    out = frame.select(qty_expr("q").alias("s")).unnest("s")
    assert out.rows() == [s[1:] for s in STOCK]

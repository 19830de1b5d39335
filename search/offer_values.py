"""Parsing the values of an offer: money, stock, delivery days, multiplicity.

One parser for every source (price lists now, online suppliers later), working
on whole polars columns. Each `*_expr` function takes a String column and gives
a struct or a typed column; a value that does not parse is null and is counted
by the caller, never dropped silently.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

import polars as pl

DecimalSep = Literal[",", "."]

_SPACE_CHARS = r"[\s\u00a0\u202f\u2009\u2007']"
_CURRENCY_WORDS = (
    r"(?i)(?:руб(?:лей|ля|ль)?\.?|р\.|р$|₽|rub\.?|rur|грн\.?|uah|usd|eur|€|\$|"
    r"у\.\s*е\.?|cny|¥)"
)
MAX_INT_DIGITS = 14  # up to 10^14 roubles: beyond that a cell is not a price


# The digit groupings a money cell may have, checked before the spaces go:
# plain `1299,50`, or thousands groups of exactly three digits separated by a
# space-like character, `.` or `,` (`1 299,50`, `1.299,99`, `100,000.00`).
# `12.5.3`, `1,2,3` or `1 2` are not money and stay unparsed.
_MONEY_SHAPE = (
    r"^[-+]?(?:\d+(?:[.,]\d*)?"
    r"|\d{1,3}(?:" + _SPACE_CHARS + r"\d{3})+(?:[.,]\d*)?"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d*)?"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d*)?)$"
)


_CELL_CURRENCY = (
    ("RUB", r"руб|р\.|р$|₽|rub|rur"),
    ("UAH", r"грн|uah|₴"),
    ("USD", r"usd|\$"),
    ("EUR", r"eur|€"),
    ("CNY", r"cny|¥|юан"),
)


def money_currency_expr(column: str) -> pl.Expr:
    """ISO code of a currency written inside a money cell (`12,50 EUR`), or null."""
    low = pl.col(column).str.to_lowercase()
    expr = pl.lit(None, dtype=pl.String)
    for code, pattern in reversed(_CELL_CURRENCY):
        expr = pl.when(low.str.contains(pattern)).then(pl.lit(code)).otherwise(expr)
    return expr


def _money_shape_ok(expr: pl.Expr) -> pl.Expr:
    """True where the digits are grouped as money is written (see `_MONEY_SHAPE`)."""
    trimmed = expr.str.replace_all(_CURRENCY_WORDS, "").str.replace_all(
        r"^" + _SPACE_CHARS + r"+|" + _SPACE_CHARS + r"+$", ""
    )
    return trimmed.str.contains(_MONEY_SHAPE)


def _strip_money(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all(_CURRENCY_WORDS, "")
        .str.replace_all(_SPACE_CHARS, "")
        .str.replace_all(r"^[+]", "")
    )


def price_evidence(raw: pl.Series) -> DecimalSep | None:
    """The decimal separator a whole price column proves, if it proves one.

    `12,50` or `1.299,99` prove a decimal comma; `12.5` or `1,299.99` a decimal
    point. A column of `1,234` alone proves nothing.
    """
    text = pl.DataFrame({"p": raw}).select(_strip_money(pl.col("p")).alias("p"))["p"]
    comma = text.str.contains(r"^-?\d*,(?:\d{1,2}|\d{4,})$|\.\d{3},\d+$").any()
    point = text.str.contains(r"^-?\d*\.(?:\d{1,2}|\d{4,})$|,\d{3}\.\d+$").any()
    if comma and not point:
        return ","
    if point and not comma:
        return "."
    return None


def money_cents(raw: pl.Series, decimal: DecimalSep | None) -> pl.Series:
    """Parse money text to integer cents (half-up); null where it does not parse.

    `decimal` settles cells such as `1,234` whose separator is ambiguous; with
    None such cells stay null and are reported as ambiguous by the caller.
    Staged column by column: a single nested expression would re-evaluate its
    shared parts for every branch (10× slower on real files).
    """
    f = pl.DataFrame({"raw": raw}, schema={"raw": pl.String}).with_columns(
        s=_strip_money(pl.col("raw")), shape_ok=_money_shape_ok(pl.col("raw"))
    )
    f = f.with_columns(
        n_comma=pl.col("s").str.count_matches(",", literal=True),
        n_point=pl.col("s").str.count_matches(".", literal=True),
        tail=pl.col("s").str.extract(r"[.,](\d*)$", 1).str.len_chars(),
        last_comma=pl.col("s").str.contains(r",\d*$"),
    )
    both = (pl.col("n_comma") > 0) & (pl.col("n_point") > 0)
    f = f.with_columns(
        sep=pl.when(both)
        .then(pl.when("last_comma").then(pl.lit(",")).otherwise(pl.lit(".")))
        .when(pl.col("n_comma") == 1)
        .then(
            pl.when(pl.col("tail") != 3)
            .then(pl.lit(","))
            .otherwise(pl.lit(decimal, dtype=pl.String))
        )
        .when(pl.col("n_point") == 1)
        .then(
            pl.when(pl.col("tail") != 3)
            .then(pl.lit("."))
            .otherwise(pl.lit(decimal, dtype=pl.String))
        )
        .otherwise(pl.lit("none"))  # no separator, or several: thousands only
    )
    text = pl.col("s")
    f = f.with_columns(
        canonical=pl.when(pl.col("sep") == ",")
        .then(
            text.str.replace_all(".", "", literal=True).str.replace(
                ",", ".", literal=True
            )
        )
        .when(pl.col("sep") == ".")
        .then(text.str.replace_all(",", "", literal=True))
        .when(pl.col("sep") == "none")
        .then(text.str.replace_all(r"[.,]", ""))
    )
    f = f.with_columns(
        valid=pl.col("canonical").str.contains(r"^-?\d{1,14}(?:\.\d*)?$")
        & pl.col("shape_ok"),
        int_part=pl.col("canonical").str.extract(r"^(-?\d+)", 1),
        frac=pl.col("canonical").str.extract(r"\.(\d*)$", 1).fill_null("") + "000",
    )
    units = (
        pl.col("int_part")
        .str.replace("-", "", literal=True)
        .cast(pl.Int64, strict=False)
    )
    cents = (
        units * 100
        + pl.col("frac").str.slice(0, 2).cast(pl.Int64, strict=False)
        + (pl.col("frac").str.slice(2, 1).cast(pl.Int64, strict=False) >= 5).cast(
            pl.Int64
        )
    )
    signed = (
        pl.when(pl.col("int_part").str.starts_with("-")).then(-cents).otherwise(cents)
    )
    return f.select(
        pl.when("valid")
        .then(signed)
        .otherwise(pl.lit(None, dtype=pl.Int64))
        .alias(raw.name)
    ).to_series()


def money_cents_expr(column: str, decimal: DecimalSep | None) -> pl.Expr:
    """`money_cents` as an expression over a String column."""
    return pl.col(column).map_batches(
        lambda s: money_cents(s, decimal), return_dtype=pl.Int64
    )


def is_ambiguous_money_expr(column: str) -> pl.Expr:
    """True for cells like `1,234` or `1.234` that no locale can settle alone."""
    s = _strip_money(pl.col(column))
    return s.str.contains(r"^-?\d{1,3}[.,]\d{3}$")


def cents_to_decimal_expr(expr: pl.Expr) -> pl.Expr:
    """Integer cents as an exact decimal(18,2) (an integer divided by 100 is exact)."""
    return (expr.cast(pl.Decimal(38, 2)) / 100).cast(pl.Decimal(18, 2))


def parse_money(text: str, decimal: DecimalSep | None = None) -> Decimal | None:
    """Scalar money parser (web services answer `"2 040,74"`): the same rules."""
    frame = pl.DataFrame({"p": [text]}, schema={"p": pl.String})
    cents = frame.select(money_cents_expr("p", decimal))["p"][0]
    if cents is None:
        return None
    try:
        return (Decimal(cents) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except InvalidOperation:
        return None


# Stock ---------------------------------------------------------------------

QTY_IN_STOCK_WORDS = (
    "есть", "в наличии", "в наличии мало", "мало", "много", "да", "имеется",
    "yes", "in stock", "є", "в наявності", "достаточно",
)  # fmt: skip
QTY_ZERO_WORDS = (
    "нет", "-", "—", "–", "нет в наличии", "отсутствует", "no", "out of stock",
    "немає", "0 шт", "0шт",
)  # fmt: skip
QTY_TO_ORDER_WORDS = (
    "под заказ", "заказ", "на заказ", "ожидается", "ожидаем", "в пути", "очікуємо",
    "очікується", "order", "on order", "по запросу", "уточняйте",
)  # fmt: skip

_UNIT = r"\s*(?:шт|штук|pcs|pc|ед|компл|к-т|кт|упак)?\.?"
_MORE = r"(?:>=?|≥|больше|более|свыше|от|over|більше|понад)"


def qty_expr(column: str) -> pl.Expr:
    """Stock text → struct(qty Int32, approx bool, status str).

    status: `exact`, `approx` (a lower bound), `zero`, `to_order` (null qty),
    `unknown` (empty cell, null qty) or `unparsed` (null qty, reported).
    """
    s = pl.col(column).str.replace_all(r"[\u00a0\u202f]", " ").str.strip_chars()
    low = s.str.to_lowercase().str.replace_all(r"\s+", " ")
    # `1 000`, `>1 000 шт`: a number in thousands groups is one number
    low = low.str.replace_all(r"(\d) (\d{3})\b", "${1}${2}").str.replace_all(
        r"(\d) (\d{3})\b", "${1}${2}"
    )
    exact_n = low.str.extract(r"^(\d+)(?:[.,]\d+)?" + _UNIT + r"$", 1)
    more_n = low.str.extract(r"^" + _MORE + r"\s*(\d+)", 1)
    plus_n = low.str.extract(r"^(\d+)\s*\+" + _UNIT + r"$", 1)
    less_n = low.str.extract(r"^(?:<|менее|меньше|до)\s*(\d+)", 1)
    range_n = low.str.extract(r"^(\d+)\s*[-–—]\s*\d+" + _UNIT + r"$", 1)
    is_in_stock = low.is_in(QTY_IN_STOCK_WORDS) | low.str.contains(r"^\++$")
    is_zero = low.is_in(QTY_ZERO_WORDS)
    is_order = low.is_in(QTY_TO_ORDER_WORDS)

    def as_int(expr: pl.Expr) -> pl.Expr:
        return (
            expr.cast(pl.Int64, strict=False).clip(upper_bound=2**31 - 1).cast(pl.Int32)
        )

    less_qty = pl.when(as_int(less_n) > 1).then(pl.lit(1)).otherwise(pl.lit(0))
    qty = (
        pl.when(low.is_null() | (low == ""))
        .then(pl.lit(None, dtype=pl.Int32))
        .when(exact_n.is_not_null())
        .then(as_int(exact_n))
        .when(more_n.is_not_null())
        .then(as_int(more_n).clip(lower_bound=1))  # `>0` is at least one
        .when(plus_n.is_not_null())
        .then(as_int(plus_n))
        .when(range_n.is_not_null())
        .then(as_int(range_n))
        .when(less_n.is_not_null())
        .then(less_qty.cast(pl.Int32))
        .when(is_in_stock)
        .then(pl.lit(1, dtype=pl.Int32))
        .when(is_zero)
        .then(pl.lit(0, dtype=pl.Int32))
        .otherwise(pl.lit(None, dtype=pl.Int32))
    )
    status = (
        pl.when(low.is_null() | (low == ""))
        .then(pl.lit("unknown"))
        .when(exact_n.is_not_null())
        .then(
            pl.when(as_int(exact_n) == 0)
            .then(pl.lit("zero"))
            .otherwise(pl.lit("exact"))
        )
        .when(
            more_n.is_not_null()
            | plus_n.is_not_null()
            | range_n.is_not_null()
            | less_n.is_not_null()
            | is_in_stock
        )
        .then(pl.lit("approx"))
        .when(is_zero)
        .then(pl.lit("zero"))
        .when(is_order)
        .then(pl.lit("to_order"))
        .otherwise(pl.lit("unparsed"))
    )
    return pl.struct(
        qty.alias("qty"), (status == "approx").alias("approx"), status.alias("status")
    )


# Delivery days --------------------------------------------------------------


def delivery_expr(column: str) -> pl.Expr:
    """Delivery text (`3`, `3-5`, `3 дн.`, `2 недели`, `1-3дня`) → struct(min, max)."""
    low = (
        pl.col(column)
        .str.replace_all(r"[\u00a0\u202f]", " ")
        .str.strip_chars()
        .str.to_lowercase()
    )
    first = low.str.extract(r"(\d+)", 1).cast(pl.Int64, strict=False)
    second = low.str.extract(r"\d+\s*[-–—]\s*(\d+)", 1).cast(pl.Int64, strict=False)
    factor = (
        pl.when(low.str.contains(r"нед|week|тиж"))
        .then(pl.lit(7))
        .when(low.str.contains(r"мес|month"))
        .then(pl.lit(30))
        .otherwise(pl.lit(1))
    )
    hours = low.str.contains(r"час|\d\s*ч\b|\d\s*h\b|hour")
    today = low.is_in(["сегодня", "в наличии", "склад", "today", "сразу"])
    tomorrow = low.is_in(["завтра", "tomorrow"])

    def days(expr: pl.Expr) -> pl.Expr:
        scaled = pl.when(hours).then((expr + 23) // 24).otherwise(expr * factor)
        return scaled.clip(0, 32767).cast(pl.Int16)

    lo = (
        pl.when(today)
        .then(pl.lit(0))
        .when(tomorrow)
        .then(pl.lit(1))
        .otherwise(pl.min_horizontal(first, second))  # `10-3` is 3 to 10 days
    )
    hi = (
        pl.when(second.is_not_null())
        .then(pl.max_horizontal(first, second))
        .otherwise(lo)
    )
    return pl.struct(days(lo).alias("min"), days(hi).alias("max"))


def multiplicity_expr(column: str) -> pl.Expr:
    """Order step: a positive integer; empty gives 1; nonsense gives null."""
    low = pl.col(column).str.strip_chars().str.to_lowercase()
    n = low.str.extract(r"^(\d+)(?:[.,]0+)?" + _UNIT + r"$", 1).cast(
        pl.Int64, strict=False
    )
    return (
        pl.when(low.is_null() | (low == ""))
        .then(pl.lit(1, dtype=pl.Int32))
        .when(n >= 1)
        .then(n.clip(upper_bound=1_000_000).cast(pl.Int32))
        .otherwise(pl.lit(None, dtype=pl.Int32))
    )

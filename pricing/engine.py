"""Price whole columns of offers: purchase price → RUB → markup → rounding → discount.

Money is computed in whole kopecks (`int64`), rates in millionths of a rouble,
percentages in ten-thousandths, so the result is exact and the same as the
`Decimal` arithmetic of `pricing.reference` (the per-row loop kept as the
oracle of the tests and the baseline of the bench).

Rules are matched shape by shape, most specific first (see
`pricing.rules.specificity`): within one shape the exact fields make an integer
key looked up with `searchsorted`, and the few candidates of each offer are
checked against the price and days ranges. A validated rule set has at most
one candidate left per offer and shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl

from pricing.rules import (
    Discount,
    PricingError,
    Rates,
    Rule,
    RuleSet,
    VatRules,
    specificity,
)

MONEY = pl.Decimal(18, 2)
_LOW = np.iinfo(np.int64).min
_HIGH = np.iinfo(np.int64).max
_UNBOUNDED_DAYS = -(2**62)  # above `_LOW`, which marks an offer with no days
_MODES = {None: 0, "up": 1, "nearest": 2, "ending90": 3}

MISSING_RATE = "missing rate"
NO_RULE = "no rule"


def _kop(value: Decimal) -> int:
    return int(value * 100)


def _half_up(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """Integer division rounding halves up (for non-negative numerators)."""
    return (numerator + denominator // 2) // denominator


@dataclass(frozen=True)
class _Shape:
    used: tuple[bool, bool, bool, bool]  # supplier, brand, price_group, analog
    keys: np.ndarray  # sorted
    rule_idx: np.ndarray  # the rule of each key


@dataclass(frozen=True)
class CompiledRules:
    """Rules of one client group and department, laid out as arrays."""

    rules: tuple[Rule, ...]
    codes: tuple[dict[str, int], dict[str, int], dict[str, int]]
    shapes: tuple[_Shape, ...]
    bounds: dict[str, np.ndarray]  # price_min/max (kopecks), days_min/max
    terms: dict[str, np.ndarray]  # percent_e4, fixed, min_margin, step (kopecks), mode
    explain: dict[str, pl.Series]  # per rule, plus a null last row for "no rule"


def _code_tables(
    rules: list[Rule],
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    def table(values: set[str | None]) -> dict[str, int]:
        return {v: i + 1 for i, v in enumerate(sorted(x for x in values if x))}

    return (
        table({r.supplier for r in rules}),
        table({r.brand for r in rules}),
        table({r.price_group for r in rules}),
    )


def _rule_codes(rule: Rule, codes: tuple[dict[str, int], ...]) -> tuple[int, ...]:
    analog = 0 if rule.analog is None else 1 + int(rule.analog)
    return (
        codes[0].get(rule.supplier or "", 0),
        codes[1].get(rule.brand or "", 0),
        codes[2].get(rule.price_group or "", 0),
        analog,
    )


def _key(parts: tuple[Any, ...], used: tuple[bool, ...], bases: tuple[int, ...]) -> Any:
    key: Any = 0
    for part, is_used, base in zip(parts, used, bases, strict=True):
        key = key * base + (part if is_used else 0)
    return key


def compile_rules(
    rule_set: RuleSet, *, client_group: str | None, department: str | None
) -> CompiledRules:
    """Keep the rules that may apply to this client group and department, as arrays."""
    rules = [
        r
        for r in rule_set.ordered()
        if r.client_group in (None, client_group) and r.department in (None, department)
    ]
    codes = _code_tables(rules)
    bases = (len(codes[0]) + 1, len(codes[1]) + 1, len(codes[2]) + 1, 3)
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for i, rule in enumerate(rules):
        by_shape.setdefault(specificity(rule), []).append(i)
    shapes = []
    for shape_key in sorted(by_shape, reverse=True):
        members = by_shape[shape_key]
        first = rules[members[0]]
        used = (
            first.supplier is not None,
            first.brand is not None,
            first.price_group is not None,
            first.analog is not None,
        )
        keys = np.array(
            [_key(_rule_codes(rules[i], codes), used, bases) for i in members]
        )
        order = np.argsort(keys, kind="stable")
        shapes.append(_Shape(used, keys[order], np.array(members)[order]))
    return CompiledRules(
        rules=tuple(rules),
        codes=codes,
        shapes=tuple(shapes),
        bounds=_bounds(rules),
        terms=_terms(rules),
        explain=_explain_columns(rules),
    )


def _bounds(rules: list[Rule]) -> dict[str, np.ndarray]:
    def days_min(rule: Rule) -> int:
        if rule.days_min is not None:
            return rule.days_min
        return _LOW if rule.days_max is None else _UNBOUNDED_DAYS

    def money(value: Decimal | None, default: int) -> int:
        return default if value is None else _kop(value)

    return {
        "price_min": np.array([money(r.price_min, _LOW) for r in rules], np.int64),
        "price_max": np.array([money(r.price_max, _HIGH) for r in rules], np.int64),
        "days_min": np.array([days_min(r) for r in rules], np.int64),
        "days_max": np.array(
            [_HIGH if r.days_max is None else r.days_max for r in rules], np.int64
        ),
    }


def _terms(rules: list[Rule]) -> dict[str, np.ndarray]:
    def column(values: list[int]) -> np.ndarray:
        return np.array([*values, 0], np.int64)  # the last row: no rule

    return {
        "percent_e4": column([int(r.percent * 10_000) for r in rules]),
        "fixed": column([_kop(r.fixed) for r in rules]),
        "min_margin": column([_kop(r.min_margin) for r in rules]),
        "step": column([_kop(r.rounding_step or Decimal(0)) for r in rules]),
        "mode": column([_MODES[r.rounding_mode] for r in rules]),
    }


def _explain_columns(rules: list[Rule]) -> dict[str, pl.Series]:
    def decimal(values: list[Decimal | None], scale: int) -> pl.Series:
        return pl.Series([*values, None], dtype=pl.Decimal(18, scale))

    return {
        "rule_id": pl.Series([*(r.id for r in rules), None], dtype=pl.String),
        "percent": decimal([r.percent for r in rules], 4),
        "fixed": decimal([r.fixed for r in rules], 2),
        "min_margin": decimal([r.min_margin for r in rules], 2),
        "rounding_step": decimal([r.rounding_step for r in rules], 2),
        "rounding_mode": pl.Series(
            [*(r.rounding_mode for r in rules), None], dtype=pl.String
        ),
    }


_CACHE: dict[
    tuple[int, str | None, str | None], tuple[RuleSet, tuple[Rule, ...], CompiledRules]
] = {}


def _compiled(
    rule_set: RuleSet, client_group: str | None, department: str | None
) -> CompiledRules:
    """Compile once per rule set (by identity), client group and department."""
    key = (id(rule_set), client_group, department)
    hit = _CACHE.get(key)
    if (
        hit is not None
        and hit[0] is rule_set
        and len(hit[1]) == len(rule_set.rules)
        and all(a is b for a, b in zip(hit[1], rule_set.rules, strict=True))
    ):
        return hit[2]
    if len(_CACHE) > 64:
        _CACHE.clear()
    compiled = compile_rules(rule_set, client_group=client_group, department=department)
    _CACHE[key] = (rule_set, tuple(rule_set.rules), compiled)
    return compiled


def _code_expr(column: str, table: dict[str, int], columns: list[str]) -> pl.Expr:
    if not table or column not in columns:
        return pl.lit(0, pl.Int64)
    return (
        pl.col(column)
        .replace_strict(
            list(table), list(table.values()), default=0, return_dtype=pl.Int64
        )
        .fill_null(0)
    )


def _inputs(
    offers: pl.DataFrame, compiled: CompiledRules, rates: Rates, vat: VatRules
) -> dict[str, np.ndarray]:
    """Everything the matching needs from the offers, as numpy, in one polars pass."""
    columns = offers.columns
    known = {
        c: e for c in offers["currency"].unique() if (e := rates.get(c)) is not None
    }
    currency = pl.col("currency")
    excluded = [s for s in offers["supplier_id"].unique() if not vat.includes_vat(s)]
    days = pl.lit(_LOW, pl.Int64)
    for name in ("delivery_days_min", "delivery_days_max"):
        if name in columns:
            days = pl.col(name).cast(pl.Int64).fill_null(days)
    analog = (
        (pl.col("is_analog").cast(pl.Int64) + 1).fill_null(0)
        if "is_analog" in columns
        else pl.lit(0, pl.Int64)
    )
    frame = offers.select(
        supplier=_code_expr("supplier_id", compiled.codes[0], columns),
        brand=_code_expr("brand", compiled.codes[1], columns),
        price_group=_code_expr("price_group", compiled.codes[2], columns),
        analog=analog,
        days=days,
        price_kop=(pl.col("price").cast(MONEY) * 100).cast(pl.Int64).fill_null(-1),
        rate_e6=currency.replace_strict(
            list(known), [int(e.rate * 1_000_000) for e in known.values()],
            default=0, return_dtype=pl.Int64,
        ).fill_null(0),
        add_vat=_add_vat(offers, excluded),
    )  # fmt: skip
    return {name: frame.get_column(name).to_numpy() for name in frame.columns}


def _add_vat(offers: pl.DataFrame, excluded: list[str]) -> pl.Expr:
    """Whether VAT must be added: the offer's own `vat_included` flag (from its
    supplier profile at ingest) wins over the rules file's per-supplier map."""
    by_supplier = pl.col("supplier_id").is_in(excluded).fill_null(False)
    if "vat_included" not in offers.columns:
        return by_supplier
    return (~pl.col("vat_included")).fill_null(by_supplier)


def _match(
    compiled: CompiledRules,
    v: dict[str, np.ndarray],
    purchase: np.ndarray,
    open_: np.ndarray,
) -> np.ndarray:
    """The index of the rule of each offer in `compiled.rules`, or -1."""
    n = len(purchase)
    parts = (v["supplier"], v["brand"], v["price_group"], v["analog"])
    days = v["days"]
    bases = (*(len(c) + 1 for c in compiled.codes), 3)
    b = compiled.bounds
    found = np.full(n, -1, np.int64)
    for shape in compiled.shapes:
        todo = open_ & (found < 0)
        for part, used in zip(parts, shape.used, strict=True):
            if used:
                todo &= part > 0
        if not todo.any():
            continue
        key = _key(parts, shape.used, bases) + np.zeros(n, np.int64)
        lo = np.searchsorted(shape.keys, key, "left")
        count = np.where(todo, np.searchsorted(shape.keys, key, "right") - lo, 0)
        total = int(count.sum())
        if total == 0:
            continue
        offer = np.repeat(np.arange(n), count)
        start = np.cumsum(count) - count
        rule = shape.rule_idx[lo[offer] + np.arange(total) - start[offer]]
        price, day = purchase[offer], days[offer]
        ok = (price >= b["price_min"][rule]) & (price < b["price_max"][rule])
        ok &= (day >= b["days_min"][rule]) & (day <= b["days_max"][rule])
        # reversed, so the first candidate of an offer is the one written last
        found[offer[ok][::-1]] = rule[ok][::-1]
    return found


def _round(value: np.ndarray, step: np.ndarray, mode: np.ndarray) -> np.ndarray:
    safe = np.where(step > 0, step, 1)
    up = -((-value) // safe) * safe
    nearest = ((2 * value + safe) // (2 * safe)) * safe
    tail = safe * 9 // 10
    ending90 = -((tail - value) // safe) * safe + tail
    out = np.where(mode == 1, up, value)
    out = np.where(mode == 2, nearest, out)
    return np.where(mode == 3, ending90, out)


def price_offers(
    offers: pl.DataFrame,
    rules: RuleSet,
    rates: Rates,
    *,
    client_group: str | None = None,
    department: str | None = None,
    vat_rules: VatRules | None = None,
    discount: Discount | None = None,
) -> pl.DataFrame:
    """Add `purchase_rub`, `sell_price`, `rule_id`, `price_reason` and `explanation`.

    `sell_price` is null, with a reason, when the currency has no rate
    (`missing rate`) or no rule matches (`no rule`): never a wrong price.
    `discount`, a personal one, replaces the client group's.
    """
    vat = vat_rules or VatRules()
    group = rules.client_group(client_group)
    if client_group is not None and group is None and rules.client_groups:
        known = ", ".join(g.id for g in rules.client_groups)
        raise PricingError(f"unknown client group `{client_group}`; known: {known}")
    compiled = _compiled(rules, client_group, department)
    discount = discount or (group.discount if group else Discount())

    v = _inputs(offers, compiled, rates, vat)
    has_rate = (v["rate_e6"] > 0) & (v["price_kop"] >= 0)
    purchase = _half_up(v["price_kop"] * v["rate_e6"], 1_000_000)
    vat_e2 = int(vat.rate_percent * 100)
    purchase = np.where(
        v["add_vat"], _half_up(purchase * (10_000 + vat_e2), 10_000), purchase
    )
    rule = _match(compiled, v, purchase, has_rate)
    t = {name: values[rule] for name, values in compiled.terms.items()}  # -1: last row

    markup = _half_up(purchase * t["percent_e4"], 1_000_000) + t["fixed"]
    floor = purchase + t["min_margin"]
    rounded = _round(
        purchase + np.maximum(markup, t["min_margin"]), t["step"], t["mode"]
    )
    retail = np.maximum(rounded, floor)
    off = _half_up(retail * int(discount.percent * 10_000), 1_000_000) + _kop(
        discount.fixed
    )
    sell = np.minimum(retail, np.maximum(retail - off, floor))
    money = {
        "purchase": purchase,
        "markup": markup,
        "retail": retail,
        "floor": floor,
        "sell": sell,
    }
    return _assemble(
        offers, compiled, money, rule=rule, has_rate=has_rate, add_vat=v["add_vat"],
        rates=rates, discount=discount, client_group=client_group,
    )  # fmt: skip


def _money(values: np.ndarray, valid: np.ndarray) -> pl.Expr:
    amount = (pl.lit(pl.Series(values)).cast(MONEY) / 100).cast(MONEY)
    return pl.when(pl.lit(pl.Series(valid))).then(amount)


def _assemble(
    offers: pl.DataFrame,
    compiled: CompiledRules,
    money: dict[str, np.ndarray],
    *,
    rule: np.ndarray,
    has_rate: np.ndarray,
    add_vat: np.ndarray,
    rates: Rates,
    discount: Discount,
    client_group: str | None,
) -> pl.DataFrame:
    """The input columns with the prices and their explanation, in one polars pass."""
    priced = rule >= 0
    reason = np.where(~has_rate, 1, np.where(priced, 0, 2))
    reason_e = pl.lit(pl.Series(reason)).replace_strict(
        [1, 2], [MISSING_RATE, NO_RULE], default=None, return_dtype=pl.String
    )
    idx = pl.lit(pl.Series(np.where(priced, rule, len(compiled.rules))))
    terms = {name: pl.lit(s).gather(idx) for name, s in compiled.explain.items()}
    stored = {c: e for c, e in rates.rates.items()}
    currency = pl.col("currency")
    fields: dict[str, pl.Expr] = dict(
        price=pl.col("price"),
        currency=currency,
        rate=pl.when(currency == "RUB").then(pl.lit(Decimal(1), pl.Decimal(18, 6))).otherwise(
            currency.replace_strict(
                list(stored), [e.rate for e in stored.values()], default=None,
                return_dtype=pl.Decimal(18, 6),
            )
        ),
        rate_date=currency.replace_strict(
            list(stored), [e.date for e in stored.values()], default=None,
            return_dtype=pl.Date,
        ),
        vat_added=pl.lit(pl.Series(add_vat)),
        purchase_rub=_money(money["purchase"], has_rate),
        **terms,
        markup_rub=_money(money["markup"], priced),
        retail_rub=_money(money["retail"], priced),
        client_group=pl.lit(client_group, pl.String),
        discount_percent=pl.lit(discount.percent, pl.Decimal(18, 4)),
        discount_fixed=pl.lit(discount.fixed, MONEY),
        floor_rub=_money(money["floor"], priced),
        reason=reason_e,
    )  # fmt: skip
    explanation = pl.struct([e.alias(name) for name, e in fields.items()])
    return offers.with_columns(
        purchase_rub=_money(money["purchase"], has_rate),
        sell_price=_money(money["sell"], priced),
        rule_id=terms["rule_id"],
        price_reason=reason_e,
        explanation=explanation,
    )


def explain_price(
    *,
    supplier: str,
    brand: str,
    price: Decimal,
    currency: str,
    rules: RuleSet,
    rates: Rates,
    client_group: str | None = None,
    department: str | None = None,
    price_group: str | None = None,
    is_analog: bool | None = None,
    delivery_days: int | None = None,
    vat_rules: VatRules | None = None,
    discount: Discount | None = None,
) -> dict[str, Any]:
    """Price one offer through `price_offers` and return its explanation as a dict."""
    offer = pl.DataFrame(
        {
            "supplier_id": [supplier],
            "brand": [brand],
            "price": pl.Series([price], dtype=MONEY),
            "currency": [currency],
            "delivery_days_min": pl.Series([delivery_days], dtype=pl.Int16),
            "delivery_days_max": pl.Series([delivery_days], dtype=pl.Int16),
            "price_group": pl.Series([price_group], dtype=pl.String),
            "is_analog": pl.Series([is_analog], dtype=pl.Boolean),
        }
    )
    row = price_offers(
        offer, rules, rates, client_group=client_group, department=department,
        vat_rules=vat_rules, discount=discount,
    ).row(0, named=True)  # fmt: skip
    return {
        "sell_price": row["sell_price"],
        "supplier": supplier,
        "brand": brand,
        **row["explanation"],
    }
